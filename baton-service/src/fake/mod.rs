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

mod grpc;
mod records;
mod server;
pub mod tasks;
mod tls;
mod token;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prost::Message as _;
use tokio::sync::watch;

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
#[derive(Clone)]
pub struct FakeC1 {
    inner: Arc<Inner>,
}

// Only the address: the state holds issued tokens.
impl std::fmt::Debug for FakeC1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeC1")
            .field("addr", &self.inner.addr)
            .finish_non_exhaustive()
    }
}

struct Inner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    ca_pem: String,
    ca_path: PathBuf,
    // Keeps the CA file alive.
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A task the fake knows about.
#[derive(Default)]
struct TaskState {
    handed_out: bool,
    finished: bool,
}

/// Everything the server and the test-facing API share.
struct State {
    keys: Vec<Vec<u8>>,
    issued: HashSet<String>,
    token_counter: u64,
    task_counter: u64,
    queue: VecDeque<(String, Vec<u8>)>,
    tasks: HashMap<String, TaskState>,
    heartbeat_counts: HashMap<String, u32>,
    max_in_flight: usize,
    // Knobs.
    next_poll: Duration,
    next_heartbeat: Duration,
    expires_in: i64,
    token_type: String,
    cancel_after_heartbeats: Option<u32>,
    failures: HashMap<Rpc, (Code, u32)>,
    token_fault: Option<TokenFault>,
    delays: HashMap<Rpc, Duration>,
    // Records.
    finishes: Vec<FinishRecord>,
    uploads: Vec<UploadRecord>,
    hellos: Vec<HelloRecord>,
    polls: Vec<PollRecord>,
    heartbeats: Vec<HeartbeatRecord>,
    token_requests: Vec<TokenRequestRecord>,
    rpcs: Vec<RpcRecord>,
}

impl State {
    fn in_flight(&self) -> usize {
        self.tasks
            .values()
            .filter(|t| t.handed_out && !t.finished)
            .count()
    }
}

struct Shared {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

impl Shared {
    /// Runs `f` on the state (a poisoned lock is still usable: records are plain data).
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Like [`Self::with`], then wakes the waiters.
    fn record<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let r = self.with(f);
        self.changed.send_modify(|n| *n += 1);
        r
    }

    /// Consumes one injected failure of `rpc`, if any.
    fn take_fault(&self, rpc: Rpc) -> Option<Code> {
        self.with(|s| match s.failures.get_mut(&rpc) {
            Some((code, n)) if *n > 0 => {
                *n -= 1;
                Some(*code)
            }
            _ => None,
        })
    }

    async fn delay(&self, rpc: Rpc) {
        if let Some(d) = self.with(|s| s.delays.get(&rpc).copied()) {
            tokio::time::sleep(d).await;
        }
    }
}

impl FakeC1 {
    /// Mints a CA and server certificate, writes the CA PEM to a temp file and starts serving
    /// on `127.0.0.1:<random port>`. Defaults: `next_poll` 50 ms, `next_heartbeat` 1 s,
    /// `expires_in` 3600 s, token type `Bearer`, no faults.
    ///
    /// # Errors
    /// [`FakeError`] when certificates, TLS or the listener cannot be set up.
    pub async fn start() -> Result<FakeC1, FakeError> {
        let minted = tls::mint()?;
        let dir = tempfile::Builder::new().prefix("fake-c1-").tempdir()?;
        let ca_path = dir.path().join("ca.pem");
        tokio::fs::write(&ca_path, minted.ca_pem.as_bytes()).await?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (changed, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                keys: Vec::new(),
                issued: HashSet::new(),
                token_counter: 0,
                task_counter: 0,
                queue: VecDeque::new(),
                tasks: HashMap::new(),
                heartbeat_counts: HashMap::new(),
                max_in_flight: 0,
                next_poll: Duration::from_millis(50),
                next_heartbeat: Duration::from_secs(1),
                expires_in: 3600,
                token_type: "Bearer".to_string(),
                cancel_after_heartbeats: None,
                failures: HashMap::new(),
                token_fault: None,
                delays: HashMap::new(),
                finishes: Vec::new(),
                uploads: Vec::new(),
                hellos: Vec::new(),
                polls: Vec::new(),
                heartbeats: Vec::new(),
                token_requests: Vec::new(),
                rpcs: Vec::new(),
            }),
            changed,
        });
        let acceptor = tokio_rustls::TlsAcceptor::from(minted.server);
        let server = tokio::spawn(server::serve(listener, acceptor, Arc::clone(&shared)));
        tracing::debug!(%addr, "fake C1 listening");
        Ok(FakeC1 {
            inner: Arc::new(Inner {
                shared,
                addr,
                ca_pem: minted.ca_pem,
                ca_path,
                _dir: dir,
                server,
            }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
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
        &self.inner.ca_pem
    }

    /// The file holding [`Self::ca_pem`]: the value for `SSL_CERT_FILE`.
    pub fn ca_pem_path(&self) -> &Path {
        &self.inner.ca_path
    }

    /// Mints an Ed25519 key, registers its public key and returns the credentials
    /// ([`FAKE_CLIENT_ID`] and the secret).
    ///
    /// # Errors
    /// [`FakeError::Config`] if the random generator fails.
    pub fn mint_credentials(&self) -> Result<FakeCredentials, FakeError> {
        let (secret, x) =
            crate::credentials::mint_client_secret().map_err(|e| FakeError::Config(Box::new(e)))?;
        let public = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, x)
            .map_err(|e| FakeError::Config(Box::new(e)))?;
        self.shared().with(|s| s.keys.push(public));
        Ok(FakeCredentials {
            client_id: FAKE_CLIENT_ID.to_string(),
            client_secret: secret,
        })
    }

    /// Settings for an in-process [`crate::run`]: minted credentials, the host override, the
    /// fake's CA as an extra root, host id [`FAKE_HOST_ID`], and a 50 ms backoff unit.
    ///
    /// # Errors
    /// As [`Self::mint_credentials`].
    pub fn service_config(&self) -> Result<ServiceConfig, FakeError> {
        let creds = self.mint_credentials()?;
        let boxed = |e: Box<dyn std::error::Error + Send + Sync>| FakeError::Config(e);
        let mut config = ServiceConfig::new(
            creds.client_id.parse().map_err(|e| boxed(Box::new(e)))?,
            creds
                .client_secret
                .parse()
                .map_err(|e| boxed(Box::new(e)))?,
        )
        .api_host(Some(self.host()))
        .map_err(|e| boxed(Box::new(e)))?
        .host_id(Some(FAKE_HOST_ID.to_string()))
        .map_err(|e| boxed(Box::new(e)))?
        .add_root_certificate_pem(self.ca_pem().as_bytes().to_vec());
        config.backoff_unit = Duration::from_millis(50);
        Ok(config)
    }

    /// Environment for a child process: `SSL_CERT_FILE`, `BATON_C1_API_HOST`,
    /// `BATON_CLIENT_ID`, `BATON_CLIENT_SECRET`, `BATON_HOST_ID`.
    ///
    /// # Errors
    /// As [`Self::mint_credentials`].
    pub fn child_env(&self) -> Result<Vec<(String, String)>, FakeError> {
        let creds = self.mint_credentials()?;
        Ok(vec![
            (
                "SSL_CERT_FILE".to_string(),
                self.ca_pem_path().display().to_string(),
            ),
            (crate::ENV_C1_API_HOST.to_string(), self.host()),
            ("BATON_CLIENT_ID".to_string(), creds.client_id),
            ("BATON_CLIENT_SECRET".to_string(), creds.client_secret),
            (crate::ENV_HOST_ID.to_string(), FAKE_HOST_ID.to_string()),
        ])
    }

    fn next_id(s: &mut State) -> String {
        s.task_counter += 1;
        format!("task{:023}", s.task_counter)
    }

    /// Queues `task`; an empty id is replaced by a new 27-character id. Returns the id.
    pub fn enqueue(&self, mut task: Task) -> String {
        self.shared().record(|s| {
            if task.id.is_empty() {
                task.id = Self::next_id(s);
            }
            let id = task.id.clone();
            s.tasks.entry(id.clone()).or_default();
            s.queue.push_back((id.clone(), task.encode_to_vec()));
            id
        })
    }

    /// Queues a task given as encoded `Task` fields (e.g. an unknown oneof number, see
    /// [`tasks::unknown_type_bytes`]); the fake adds a new id. Returns the id.
    pub fn enqueue_raw(&self, task_fields: Vec<u8>) -> String {
        self.shared().record(|s| {
            let id = Self::next_id(s);
            let mut bytes = Task {
                id: id.clone(),
                ..Default::default()
            }
            .encode_to_vec();
            bytes.extend(task_fields);
            s.tasks.entry(id.clone()).or_default();
            s.queue.push_back((id.clone(), bytes));
            id
        })
    }

    /// Tasks queued and not yet handed out.
    pub fn queued(&self) -> usize {
        self.shared().with(|s| s.queue.len())
    }

    /// Waits until `check` returns `Some`, re-checking after every recorded change.
    async fn wait_until<T>(
        &self,
        what: impl FnOnce() -> String,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Result<T, FakeError> {
        let mut changes = self.shared().changed.subscribe();
        let wait = async {
            loop {
                changes.borrow_and_update();
                if let Some(v) = self.shared().with(|s| check(s)) {
                    return v;
                }
                // The sender lives in `self`, so this only fails if the fake is gone.
                if changes.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| FakeError::Timeout {
                what: what(),
                timeout,
            })
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
        self.wait_until(
            || format!("FinishTask of {task_id}"),
            timeout,
            |s| s.finishes.iter().find(|f| f.task_id == task_id).cloned(),
        )
        .await
    }

    /// Waits until at least `n` GetTask calls were answered.
    ///
    /// # Errors
    /// [`FakeError::Timeout`] when fewer arrive within `timeout`.
    pub async fn wait_for_polls(&self, n: usize, timeout: Duration) -> Result<(), FakeError> {
        self.wait_until(
            || format!("{n} polls"),
            timeout,
            |s| (s.polls.len() >= n).then_some(()),
        )
        .await
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
        self.wait_until(
            || format!("{n} heartbeats of {task_id}"),
            timeout,
            |s| (s.heartbeats.iter().filter(|h| h.task_id == task_id).count() >= n).then_some(()),
        )
        .await
    }

    /// Every finish, in arrival order (a task finished twice appears twice).
    pub fn finishes(&self) -> Vec<FinishRecord> {
        self.shared().with(|s| s.finishes.clone())
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
        self.shared().with(|s| {
            s.uploads
                .iter()
                .filter(|u| u.task_id == task_id)
                .cloned()
                .collect()
        })
    }

    /// Every Hello.
    pub fn hellos(&self) -> Vec<HelloRecord> {
        self.shared().with(|s| s.hellos.clone())
    }

    /// Every GetTask call.
    pub fn polls(&self) -> Vec<PollRecord> {
        self.shared().with(|s| s.polls.clone())
    }

    /// Every heartbeat for `task_id`.
    pub fn heartbeats(&self, task_id: &str) -> Vec<HeartbeatRecord> {
        self.shared().with(|s| {
            s.heartbeats
                .iter()
                .filter(|h| h.task_id == task_id)
                .cloned()
                .collect()
        })
    }

    /// Every token request.
    pub fn token_requests(&self) -> Vec<TokenRequestRecord> {
        self.shared().with(|s| s.token_requests.clone())
    }

    /// Every gRPC call (method, user agent, whether it was authorised).
    pub fn rpcs(&self) -> Vec<RpcRecord> {
        self.shared().with(|s| s.rpcs.clone())
    }

    /// The most tasks that were handed out and not yet finished at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared().with(|s| s.max_in_flight)
    }

    /// Sets `next_poll` of GetTask answers.
    pub fn set_next_poll(&self, d: Duration) {
        self.shared().with(|s| s.next_poll = d);
    }

    /// Sets `next_heartbeat` of GetTask and Heartbeat answers.
    pub fn set_next_heartbeat(&self, d: Duration) {
        self.shared().with(|s| s.next_heartbeat = d);
    }

    /// Sets `expires_in` (seconds) of issued tokens.
    pub fn set_expires_in(&self, secs: i64) {
        self.shared().with(|s| s.expires_in = secs);
    }

    /// Sets `token_type` of issued tokens (default `Bearer`).
    pub fn set_token_type(&self, token_type: &str) {
        self.shared()
            .with(|s| s.token_type = token_type.to_string());
    }

    /// Answers `cancelled = true` on the k-th heartbeat of every task (1 = the initial one);
    /// `None` never cancels.
    pub fn set_cancel_after_heartbeats(&self, k: Option<u32>) {
        self.shared().with(|s| s.cancel_after_heartbeats = k);
    }

    /// Fails the next `n` calls of `rpc` with `code` (the token endpoint answers 503). For
    /// `UploadAsset` the stream is read to the end first, then rejected.
    pub fn fail_next(&self, rpc: Rpc, code: Code, n: u32) {
        self.shared().with(|s| {
            s.failures.insert(rpc, (code, n));
        });
    }

    /// Makes the token endpoint misbehave until reset with `None`.
    pub fn set_token_fault(&self, fault: Option<TokenFault>) {
        self.shared().with(|s| s.token_fault = fault);
    }

    /// Delays every answer of `rpc` by `delay` (slow responses); zero removes the delay.
    pub fn set_delay(&self, rpc: Rpc, delay: Duration) {
        self.shared().with(|s| {
            if delay.is_zero() {
                s.delays.remove(&rpc);
            } else {
                s.delays.insert(rpc, delay);
            }
        });
    }

    /// Revokes every token issued so far: later calls with them get `Unauthenticated`.
    pub fn revoke_tokens(&self) {
        self.shared().with(|s| s.issued.clear());
    }
}
