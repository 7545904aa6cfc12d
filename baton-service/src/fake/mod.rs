//! A fake ConductorOne for tests and demos (feature `fake`).
//!
//! One TLS listener on `127.0.0.1:<random port>` serves `POST /auth/v1/token` (HTTP/1.1 and h2)
//! and the gRPC `BatonService`, with a CA and server certificate minted at start (SANs
//! `localhost` and `127.0.0.1`); the CA PEM is written to a file for `SSL_CERT_FILE`. Tasks are
//! scripted with [`FakeC1::enqueue`]; every request is checked and recorded; knobs inject
//! faults (token 401/500/empty token, errors on any RPC, heartbeat cancel, slow answers).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use baton_service::fake::{tasks, FakeC1};
//! let c1 = FakeC1::start().await?;
//! let config = c1.service_config()?; // minted credentials, host override, the fake's CA
//! let id = c1.enqueue(tasks::sync_full());
//! // … run baton_service::run(config, connector, shutdown) on another task …
//! let finish = c1.wait_for_finish(&id, Duration::from_secs(30)).await?;
//! assert!(finish.is_success());
//! assert!(c1.uploads(&id)[0].starts_with(b"C1ZF\0"));
//! # Ok(()) }
//! ```
//!
//! For a child process, set `SSL_CERT_FILE` to [`FakeC1::ca_pem_path`],
//! `BATON_C1_API_HOST` to [`FakeC1::host`], `BATON_CLIENT_ID` and `BATON_CLIENT_SECRET` from
//! [`FakeC1::mint_credentials`] (see [`FakeC1::child_env`]).

mod records;
pub mod tasks;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

pub use records::{
    FinishRecord, HeartbeatRecord, HelloRecord, PollRecord, RpcRecord, TokenRequestRecord,
    UploadRecord,
};
use tonic::Code;

use crate::config::ServiceConfig;
use crate::proto::baton::Task;

/// The client id every minted credential uses.
pub const FAKE_CLIENT_ID: &str = "test-client@tenant.example.test/pcc";
/// The JWT audience the fake expects (the client id's host, not the listener's).
pub const FAKE_AUDIENCE: &str = "tenant.example.test";
/// The host id [`FakeC1::service_config`] and [`FakeC1::child_env`] set.
pub const FAKE_HOST_ID: &str = "test-host";

/// The fake failed to start or a wait timed out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// Minting the certificates failed.
    #[error("cannot mint the fake's certificates")]
    Certificate(#[source] rcgen::Error),
    /// TLS setup failed.
    #[error("cannot set up TLS for the fake")]
    Tls(#[source] tokio_rustls::rustls::Error),
    /// Binding or writing the CA file failed.
    #[error("I/O error starting the fake")]
    Io(#[from] std::io::Error),
    /// Minting credentials or building the config failed.
    #[error("cannot build service-mode settings for the fake")]
    Config(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Nothing happened within the wait.
    #[error("timed out after {timeout:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// The wait.
        timeout: Duration,
    },
}

/// RPCs (and the token endpoint) faults can be injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rpc {
    /// `POST /auth/v1/token` (errors become HTTP 503).
    Token,
    /// `Hello`.
    Hello,
    /// `GetTask`.
    GetTask,
    /// `Heartbeat`.
    Heartbeat,
    /// `FinishTask`.
    FinishTask,
    /// `UploadAsset`.
    UploadAsset,
}

/// How the token endpoint misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenFault {
    /// `401 Unauthorized`.
    Unauthorized,
    /// `500 Internal Server Error`.
    ServerError,
    /// `200` with an empty `access_token`.
    EmptyToken,
}

/// A minted client id and secret registered with the fake. `Debug` hides the secret.
#[derive(Clone)]
#[non_exhaustive]
pub struct FakeCredentials {
    /// [`FAKE_CLIENT_ID`].
    pub client_id: String,
    /// `secret-token:conductorone.com:v1:…`.
    pub client_secret: String,
}

impl std::fmt::Debug for FakeCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// A running fake C1. Cheap to clone; the server stops when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct FakeC1 {
    inner: std::sync::Arc<Inner>,
}

#[derive(Debug)]
struct Inner {}

impl FakeC1 {
    /// Mints a CA and server certificate, writes the CA PEM to a temp file and starts serving
    /// on `127.0.0.1:<random port>`. Defaults: `next_poll` 50 ms, `next_heartbeat` 1 s,
    /// `expires_in` 3600 s, no faults.
    ///
    /// # Errors
    /// [`FakeError`] when certificates, TLS or the listener cannot be set up.
    pub async fn start() -> Result<FakeC1, FakeError> {
        Err(FakeError::Timeout {
            what: "the fake is not implemented yet".into(),
            timeout: Duration::ZERO,
        })
    }

    /// The listener's address.
    pub fn addr(&self) -> SocketAddr {
        let _ = &self.inner;
        SocketAddr::from(([127, 0, 0, 1], 0))
    }

    /// `127.0.0.1:<port>`: the value for `BATON_C1_API_HOST`.
    pub fn host(&self) -> String {
        self.addr().to_string()
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.host())
    }

    /// The CA certificate (PEM) that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        ""
    }

    /// The file holding [`Self::ca_pem`]: the value for `SSL_CERT_FILE`.
    pub fn ca_pem_path(&self) -> &Path {
        Path::new("")
    }

    /// Mints an Ed25519 key, registers its public key and returns the credentials
    /// ([`FAKE_CLIENT_ID`] and the secret).
    ///
    /// # Errors
    /// [`FakeError::Config`] if the random generator fails.
    pub fn mint_credentials(&self) -> Result<FakeCredentials, FakeError> {
        Err(FakeError::Config("not implemented".into()))
    }

    /// Settings for an in-process [`crate::run`]: minted credentials, the host override, the
    /// fake's CA as an extra root, host id [`FAKE_HOST_ID`], and a 50 ms backoff unit.
    ///
    /// # Errors
    /// As [`Self::mint_credentials`].
    pub fn service_config(&self) -> Result<ServiceConfig, FakeError> {
        Err(FakeError::Config("not implemented".into()))
    }

    /// Environment for a child process: `SSL_CERT_FILE`, `BATON_C1_API_HOST`,
    /// `BATON_CLIENT_ID`, `BATON_CLIENT_SECRET`, `BATON_HOST_ID`.
    ///
    /// # Errors
    /// As [`Self::mint_credentials`].
    pub fn child_env(&self) -> Result<Vec<(String, String)>, FakeError> {
        Err(FakeError::Config("not implemented".into()))
    }

    /// Queues `task`; an empty id is replaced by a new 27-character id. Returns the id.
    pub fn enqueue(&self, task: Task) -> String {
        let _ = task;
        String::new()
    }

    /// Queues a task given as encoded `Task` fields (e.g. an unknown oneof number, see
    /// [`tasks::unknown_type_bytes`]); the fake adds a new id. Returns the id.
    pub fn enqueue_raw(&self, task_fields: Vec<u8>) -> String {
        let _ = task_fields;
        String::new()
    }

    /// Tasks queued and not yet handed out.
    pub fn queued(&self) -> usize {
        0
    }

    /// Waits until `task_id` is finished and returns its first finish.
    ///
    /// # Errors
    /// [`FakeError::Timeout`] when no finish arrives within `timeout`.
    pub async fn wait_for_finish(
        &self,
        task_id: &str,
        timeout: Duration,
    ) -> Result<FinishRecord, FakeError> {
        Err(FakeError::Timeout {
            what: format!("FinishTask of {task_id}"),
            timeout,
        })
    }

    /// Waits until at least `n` GetTask calls were answered.
    ///
    /// # Errors
    /// [`FakeError::Timeout`] when fewer arrive within `timeout`.
    pub async fn wait_for_polls(&self, n: usize, timeout: Duration) -> Result<(), FakeError> {
        Err(FakeError::Timeout {
            what: format!("{n} polls"),
            timeout,
        })
    }

    /// Waits until at least `n` heartbeats for `task_id` were answered.
    ///
    /// # Errors
    /// [`FakeError::Timeout`] when fewer arrive within `timeout`.
    pub async fn wait_for_heartbeats(
        &self,
        task_id: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<(), FakeError> {
        Err(FakeError::Timeout {
            what: format!("{n} heartbeats of {task_id}"),
            timeout,
        })
    }

    /// Every finish, in arrival order (a task finished twice appears twice).
    pub fn finishes(&self) -> Vec<FinishRecord> {
        Vec::new()
    }

    /// The bytes of every accepted upload for `task_id`, in order.
    pub fn uploads(&self, task_id: &str) -> Vec<Vec<u8>> {
        self.upload_records(task_id)
            .into_iter()
            .filter(|u| u.accepted)
            .map(|u| u.bytes)
            .collect()
    }

    /// Every upload attempt for `task_id` (including rejected ones), in order.
    pub fn upload_records(&self, task_id: &str) -> Vec<UploadRecord> {
        let _ = task_id;
        Vec::new()
    }

    /// Every Hello.
    pub fn hellos(&self) -> Vec<HelloRecord> {
        Vec::new()
    }

    /// Every GetTask call.
    pub fn polls(&self) -> Vec<PollRecord> {
        Vec::new()
    }

    /// Every heartbeat for `task_id`.
    pub fn heartbeats(&self, task_id: &str) -> Vec<HeartbeatRecord> {
        let _ = task_id;
        Vec::new()
    }

    /// Every token request.
    pub fn token_requests(&self) -> Vec<TokenRequestRecord> {
        Vec::new()
    }

    /// Every gRPC call (method, user agent, whether it was authorised).
    pub fn rpcs(&self) -> Vec<RpcRecord> {
        Vec::new()
    }

    /// The most tasks that were handed out and not yet finished at the same time.
    pub fn max_in_flight(&self) -> usize {
        0
    }

    /// Sets `next_poll` of GetTask answers.
    pub fn set_next_poll(&self, d: Duration) {
        let _ = d;
    }

    /// Sets `next_heartbeat` of GetTask and Heartbeat answers.
    pub fn set_next_heartbeat(&self, d: Duration) {
        let _ = d;
    }

    /// Sets `expires_in` (seconds) of issued tokens.
    pub fn set_expires_in(&self, secs: i64) {
        let _ = secs;
    }

    /// Sets `token_type` of issued tokens (default `Bearer`).
    pub fn set_token_type(&self, token_type: &str) {
        let _ = token_type;
    }

    /// Answers `cancelled = true` on the k-th heartbeat of every task (1 = the initial one);
    /// `None` never cancels.
    pub fn set_cancel_after_heartbeats(&self, k: Option<u32>) {
        let _ = k;
    }

    /// Fails the next `n` calls of `rpc` with `code` (the token endpoint answers 503).
    pub fn fail_next(&self, rpc: Rpc, code: Code, n: u32) {
        let _ = (rpc, code, n);
    }

    /// Makes the token endpoint misbehave until reset with `None`.
    pub fn set_token_fault(&self, fault: Option<TokenFault>) {
        let _ = fault;
    }

    /// Delays every answer of `rpc` by `delay` (slow responses).
    pub fn set_delay(&self, rpc: Rpc, delay: Duration) {
        let _ = (rpc, delay);
    }

    /// Revokes every token issued so far: later calls with them get `Unauthenticated`.
    pub fn revoke_tokens(&self) {}
}
