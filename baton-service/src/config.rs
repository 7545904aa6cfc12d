//! [`ServiceConfig`]: everything service mode needs besides the connector itself.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::credentials::{ClientId, ClientSecret};
use crate::proto::baton::BuildInfo;

/// Environment variable overriding the ConductorOne host (and port) for the token endpoint and
/// gRPC, but not the JWT audience.
pub const ENV_C1_API_HOST: &str = "BATON_C1_API_HOST";
/// Environment variable overriding the host id sent in every request.
pub const ENV_HOST_ID: &str = "BATON_HOST_ID";

/// How many tasks may run at once: 1 to 100, default 3 (baton-sdk's `--task-concurrency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskConcurrency(u8);

impl TaskConcurrency {
    /// The lowest value.
    pub const MIN: u32 = 1;
    /// The highest value.
    pub const MAX: u32 = 100;

    /// `n` if it is within 1..=100.
    ///
    /// # Errors
    /// [`ConfigError::TaskConcurrency`] otherwise.
    pub fn new(n: u32) -> Result<Self, ConfigError> {
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(TaskConcurrency(n as u8))
        } else {
            Err(ConfigError::TaskConcurrency(n.to_string()))
        }
    }

    /// The value.
    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl Default for TaskConcurrency {
    fn default() -> Self {
        TaskConcurrency(3)
    }
}

impl FromStr for TaskConcurrency {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u32>()
            .map_err(|_| ConfigError::TaskConcurrency(s.to_string()))
            .and_then(Self::new)
    }
}

impl fmt::Display for TaskConcurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A configuration value is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `--task-concurrency` is not a number in 1..=100.
    #[error("task concurrency must be a whole number from 1 to 100, got {0:?}")]
    TaskConcurrency(String),
    /// `BATON_C1_API_HOST` is not `host` or `host:port`.
    #[error("{ENV_C1_API_HOST} must be a host or host:port with no scheme or path, got {0:?}")]
    ApiHost(String),
    /// `BATON_HOST_ID` is empty or longer than 256 characters.
    #[error("{ENV_HOST_ID} must be 1 to 256 characters")]
    HostId,
}

/// Service-mode settings. Build with [`ServiceConfig::new`] and the `with_*`/setter methods.
///
/// `Debug` never shows the client secret.
///
/// ```
/// use baton_service::{ServiceConfig, TaskConcurrency};
/// let (secret, _x) = baton_service::mint_client_secret()?;
/// let config = ServiceConfig::new(
///     "my-connector@acme.conductor.one/pcc".parse()?,
///     secret.parse()?,
/// )
/// .provisioning(true)
/// .task_concurrency(TaskConcurrency::new(5)?)
/// .api_host(Some("127.0.0.1:8443".to_string()))?;
/// assert_eq!(config.target_host(), "127.0.0.1:8443");
/// assert!(!format!("{config:?}").contains(&secret[34..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// The client id.
    pub client_id: ClientId,
    /// The client secret (never printed).
    pub client_secret: ClientSecret,
    /// `BATON_C1_API_HOST`: `host[:port]` replacing the client id's host for the token URL and
    /// gRPC (not for the JWT audience).
    pub api_host: Option<String>,
    /// `BATON_HOST_ID`; `None` means the OS host name (or `baton-sdk` when unknown).
    pub host_id: Option<String>,
    /// `--provisioning`: grant, revoke, create and delete tasks run only when set.
    pub provisioning: bool,
    /// `--ticketing`: accepted; this runtime has no ticket manager, so ticket tasks always get
    /// the "ticketing is not enabled" answer (docs/service-mode.md).
    pub ticketing: bool,
    /// `--task-concurrency`.
    pub task_concurrency: TaskConcurrency,
    /// `--skip-full-sync`: sync tasks upload an empty sync.
    pub skip_full_sync: bool,
    /// `--c1z-temp-dir`: where sync files are written before upload (must exist); `None` =
    /// the OS temp dir.
    pub temp_dir: Option<PathBuf>,
    /// `--sync-resource-types`: the default resource-type filter of sync tasks (a task's own
    /// list wins); empty = all types.
    pub sync_resource_types: Vec<String>,
    /// What the Hello reports as the build, and the user-agent product.
    pub build_info: BuildInfo,
    /// Extra PEM trust anchors on top of the platform roots (tests use the fake C1's CA
    /// without touching `SSL_CERT_FILE`).
    pub extra_root_certificates: Vec<Vec<u8>>,
    /// Deadline of unary RPCs (Hello, GetTask, Heartbeat, FinishTask). Default 30 s.
    pub rpc_timeout: Duration,
    /// Deadline of one upload attempt. Default 30 min.
    pub upload_timeout: Duration,
    /// An HTTP proxy (`http://[user:pass@]host[:port]`) for the token POST and gRPC; `None` takes
    /// `HTTPS_PROXY` / `NO_PROXY` from the environment. Its credentials are never printed.
    pub proxy: Option<String>,
    /// Unit of the retry waits: after the n-th failed poll the loop waits n² units (at most 60),
    /// upload and FinishTask retries wait 1–2 units. Default 1 s; tests shrink it.
    pub backoff_unit: Duration,
}

impl fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("api_host", &self.api_host)
            .field("host_id", &self.host_id)
            .field("provisioning", &self.provisioning)
            .field("ticketing", &self.ticketing)
            .field("task_concurrency", &self.task_concurrency)
            .field("skip_full_sync", &self.skip_full_sync)
            .field("temp_dir", &self.temp_dir)
            .field("sync_resource_types", &self.sync_resource_types)
            .field("build_info", &self.build_info)
            .field(
                "extra_root_certificates",
                &self.extra_root_certificates.len(),
            )
            .field("rpc_timeout", &self.rpc_timeout)
            .field("upload_timeout", &self.upload_timeout)
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("backoff_unit", &self.backoff_unit)
            .finish()
    }
}

/// The compiler that built this crate, e.g. `rustc 1.85.0`.
pub const RUSTC_VERSION: &str = env!("BATON_SERVICE_RUSTC_VERSION");

impl ServiceConfig {
    /// Settings with the defaults: provisioning and ticketing off, 3 tasks at once, real
    /// syncs, the OS temp dir, no host or host-id override, and this crate as the build.
    pub fn new(client_id: ClientId, client_secret: ClientSecret) -> Self {
        ServiceConfig {
            client_id,
            client_secret,
            api_host: None,
            host_id: None,
            provisioning: false,
            ticketing: false,
            task_concurrency: TaskConcurrency::default(),
            skip_full_sync: false,
            temp_dir: None,
            sync_resource_types: Vec::new(),
            build_info: BuildInfo {
                lang_version: RUSTC_VERSION.to_string(),
                package: env!("CARGO_PKG_NAME").to_string(),
                package_version: env!("CARGO_PKG_VERSION").to_string(),
            },
            extra_root_certificates: Vec::new(),
            rpc_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(30 * 60),
            proxy: None,
            backoff_unit: Duration::from_secs(1),
        }
    }

    /// Sets the host override (`BATON_C1_API_HOST`); an empty value means none.
    ///
    /// # Errors
    /// [`ConfigError::ApiHost`] when the value has a scheme, a path or spaces.
    pub fn api_host(mut self, host: Option<String>) -> Result<Self, ConfigError> {
        self.api_host = match host.map(|h| h.trim().to_string()) {
            None => None,
            Some(h) if h.is_empty() => None,
            Some(h) if h.contains("://") || h.contains('/') || h.contains(char::is_whitespace) => {
                return Err(ConfigError::ApiHost(h))
            }
            Some(h) => Some(h),
        };
        Ok(self)
    }

    /// Sets the host id (`BATON_HOST_ID`); an empty value means none.
    ///
    /// # Errors
    /// [`ConfigError::HostId`] when longer than 256 characters.
    pub fn host_id(mut self, host_id: Option<String>) -> Result<Self, ConfigError> {
        self.host_id = match host_id {
            None => None,
            Some(h) if h.is_empty() => None,
            Some(h) if h.chars().count() > 256 => return Err(ConfigError::HostId),
            Some(h) => Some(h),
        };
        Ok(self)
    }

    /// Reads [`ENV_C1_API_HOST`] and [`ENV_HOST_ID`] from the environment.
    ///
    /// # Errors
    /// As [`Self::api_host`] and [`Self::host_id`].
    pub fn with_env_overrides(self) -> Result<Self, ConfigError> {
        self.api_host(std::env::var(ENV_C1_API_HOST).ok())?
            .host_id(std::env::var(ENV_HOST_ID).ok())
    }

    /// Opens or closes the provisioning gate.
    #[must_use]
    pub fn provisioning(mut self, on: bool) -> Self {
        self.provisioning = on;
        self
    }

    /// Sets the ticketing flag (see [`ServiceConfig::ticketing`](Self#structfield.ticketing)).
    #[must_use]
    pub fn ticketing(mut self, on: bool) -> Self {
        self.ticketing = on;
        self
    }

    /// Sets how many tasks may run at once.
    #[must_use]
    pub fn task_concurrency(mut self, n: TaskConcurrency) -> Self {
        self.task_concurrency = n;
        self
    }

    /// Makes sync tasks upload an empty sync instead of reading the system.
    #[must_use]
    pub fn skip_full_sync(mut self, on: bool) -> Self {
        self.skip_full_sync = on;
        self
    }

    /// Sets the directory for sync files (it must exist when [`crate::run`] starts).
    #[must_use]
    pub fn temp_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.temp_dir = dir;
        self
    }

    /// Sets the default resource-type filter of sync tasks.
    #[must_use]
    pub fn sync_resource_types(mut self, ids: Vec<String>) -> Self {
        self.sync_resource_types = ids;
        self
    }

    /// Sets the package path and version the Hello reports (the compiler version stays).
    #[must_use]
    pub fn package(mut self, package: impl Into<String>, version: impl Into<String>) -> Self {
        self.build_info.package = package.into();
        self.build_info.package_version = version.into();
        self
    }

    /// Sends the token POST and gRPC through this HTTP proxy instead of the environment's.
    #[must_use]
    pub fn proxy(mut self, url: Option<String>) -> Self {
        self.proxy = url.filter(|u| !u.trim().is_empty());
        self
    }

    /// Trusts this PEM CA certificate in addition to the platform roots.
    #[must_use]
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(pem.into());
        self
    }

    /// The `host[:port]` the token POST and gRPC go to: the override, else the client id's host.
    pub fn target_host(&self) -> &str {
        self.api_host
            .as_deref()
            .unwrap_or_else(|| self.client_id.token_host())
    }

    /// `https://<target host>/auth/v1/token`.
    pub fn token_url(&self) -> String {
        format!("https://{}/auth/v1/token", self.target_host())
    }

    /// `https://<target host>` with port 443 when none is given.
    pub fn grpc_url(&self) -> String {
        let host = self.target_host();
        if crate::credentials::strip_port(host).len() == host.len() {
            format!("https://{host}:443")
        } else {
            format!("https://{host}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ServiceConfig {
        let (secret, _) = crate::credentials::mint_client_secret().expect("mint");
        ServiceConfig::new(
            "fake-client@tenant.example.test/pcc".parse().expect("id"),
            secret.parse().expect("secret"),
        )
    }

    #[test]
    fn task_concurrency_bounds() {
        assert_eq!(TaskConcurrency::default().get(), 3);
        assert_eq!("1".parse::<TaskConcurrency>().expect("1").get(), 1);
        assert_eq!("100".parse::<TaskConcurrency>().expect("100").get(), 100);
        for bad in ["0", "101", "-1", "three", ""] {
            let err = bad.parse::<TaskConcurrency>().expect_err(bad);
            assert!(err.to_string().contains("from 1 to 100"), "{err}");
        }
    }

    #[test]
    fn host_override_replaces_token_and_grpc_targets() {
        let c = config();
        assert_eq!(c.token_url(), "https://tenant.example.test/auth/v1/token");
        assert_eq!(c.grpc_url(), "https://tenant.example.test:443");
        let c = c.api_host(Some("127.0.0.1:9443".into())).expect("valid");
        assert_eq!(c.token_url(), "https://127.0.0.1:9443/auth/v1/token");
        assert_eq!(c.grpc_url(), "https://127.0.0.1:9443");
        assert_eq!(c.client_id.audience(), "tenant.example.test");
        assert!(config()
            .api_host(Some("https://x.example/".into()))
            .is_err());
        assert_eq!(
            config()
                .api_host(Some(String::new()))
                .expect("empty")
                .api_host,
            None
        );
    }

    #[test]
    fn env_overrides_are_read() {
        // Only this test touches these variables in this test binary.
        std::env::set_var(ENV_C1_API_HOST, "127.0.0.1:7443");
        std::env::set_var(ENV_HOST_ID, "pod-1");
        let c = config().with_env_overrides().expect("valid");
        std::env::remove_var(ENV_C1_API_HOST);
        std::env::remove_var(ENV_HOST_ID);
        assert_eq!(c.target_host(), "127.0.0.1:7443");
        assert_eq!(c.host_id.as_deref(), Some("pod-1"));
        let c = config().with_env_overrides().expect("valid");
        assert_eq!(c.api_host, None);
        assert_eq!(c.host_id, None);
    }

    #[test]
    fn debug_redacts_the_secret_and_proxy() {
        let c = config().proxy(Some("http://user:hunter2@proxy:3128".into()));
        let debug = format!("{c:?}");
        assert!(debug.contains("ClientSecret(<redacted>)"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn host_id_limits() {
        assert!(config().host_id(Some("h".repeat(257))).is_err());
        assert_eq!(
            config()
                .host_id(Some("test-host".into()))
                .expect("ok")
                .host_id,
            Some("test-host".into())
        );
    }
}
