//! [`FakeWorkato`]: the server handle, request pipeline, counters and test controls.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::faults::{Fault, Faults, RateLimiter};
use super::profile::{EnvironmentScope, Profile};
use super::routes::{self, Reply, Req};
use super::seed::{FakeMember, MemberRole, ProjectGrant, Seed};
use super::state::{Invitation, State};
use super::tls::{TlsIdentity, TlsListener};

/// Counters, limiter, faults and latency: everything about *how* the server answers.
#[derive(Debug)]
struct Control {
    requests: BTreeMap<String, u64>,
    families: BTreeMap<String, u64>,
    /// Requests refused with 403 by the profile or the environment scope, by template.
    forbidden: BTreeMap<String, u64>,
    throttled: u64,
    profile: Profile,
    scope: EnvironmentScope,
    limiter: RateLimiter,
    faults: Faults,
    latency: Duration,
}

struct Shared {
    token: String,
    state: Mutex<State>,
    control: Mutex<Control>,
}

impl Shared {
    // A panic while a lock is held can only come from a bug in the fake; keep serving.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn control(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake Workato server on `127.0.0.1:<random port>`.
///
/// The server runs on a task of the runtime that called [`FakeWorkato::start`]; it stops
/// accepting connections when the handle is dropped or [`FakeWorkato::shutdown`] is awaited.
pub struct FakeWorkato {
    addr: SocketAddr,
    tls: bool,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Configures a [`FakeWorkato`] before it starts; see [`FakeWorkato::builder`].
#[derive(Debug)]
pub struct FakeBuilder {
    seed: Seed,
    profile: Profile,
    scope: EnvironmentScope,
    tls: Option<TlsIdentity>,
}

impl FakeBuilder {
    /// The API client's client role (default [`Profile::Full`]).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The API client's environments (default [`EnvironmentScope::All`]).
    pub fn environment_scope(mut self, scope: EnvironmentScope) -> Self {
        self.scope = scope;
        self
    }

    /// Serve HTTPS with `identity` instead of plain HTTP.
    pub fn tls(mut self, identity: TlsIdentity) -> Self {
        self.tls = Some(identity);
        self
    }

    /// Bind `127.0.0.1:0` and serve until the handle is dropped.
    pub async fn start(self) -> io::Result<FakeWorkato> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            token: self.seed.token.clone(),
            state: Mutex::new(State::new(self.seed)),
            control: Mutex::new(Control {
                requests: BTreeMap::new(),
                families: BTreeMap::new(),
                forbidden: BTreeMap::new(),
                throttled: 0,
                profile: self.profile,
                scope: self.scope,
                limiter: RateLimiter::new(),
                faults: Faults::default(),
                latency: Duration::ZERO,
            }),
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        // Either a shutdown request or the handle being dropped ends the server.
        let stopped = async move {
            let _ = stopped.await;
        };
        let tls = self.tls.is_some();
        let task = match self.tls {
            None => tokio::spawn(async move {
                let server = axum::serve(listener, app).with_graceful_shutdown(stopped);
                if let Err(error) = server.await {
                    tracing::warn!(%error, "fake Workato server stopped with an error");
                }
            }),
            Some(identity) => {
                let listener = TlsListener::new(listener, &identity)?;
                tokio::spawn(async move {
                    let server = axum::serve(listener, app).with_graceful_shutdown(stopped);
                    if let Err(error) = server.await {
                        tracing::warn!(%error, "fake Workato server stopped with an error");
                    }
                })
            }
        };
        tracing::debug!(%addr, tls, "fake Workato server listening");
        Ok(FakeWorkato {
            addr,
            tls,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

impl FakeWorkato {
    /// Bind `127.0.0.1:0` and serve `seed` over plain HTTP with every endpoint allowed, until
    /// dropped. [`FakeWorkato::builder`] sets a profile, a scope or TLS.
    pub async fn start(seed: Seed) -> io::Result<FakeWorkato> {
        FakeWorkato::builder(seed).start().await
    }

    /// Configure a fake serving `seed`: API-client [`Profile`], [`EnvironmentScope`], TLS.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use workato_api::fake::{EnvironmentScope, FakeWorkato, Profile, Seed};
    /// let fake = FakeWorkato::builder(Seed::default_workspace())
    ///     .profile(Profile::SetupGuide)
    ///     .environment_scope(EnvironmentScope::All)
    ///     .start()
    ///     .await?;
    /// // ... sync against fake.url() ...
    /// let outside: Vec<String> = fake
    ///     .requests()
    ///     .into_keys()
    ///     .filter(|t| !Profile::SetupGuide.allows(t))
    ///     .collect();
    /// assert!(outside.is_empty(), "{outside:?}");
    /// # Ok(()) }
    /// ```
    pub fn builder(seed: Seed) -> FakeBuilder {
        FakeBuilder {
            seed,
            profile: Profile::Full,
            scope: EnvironmentScope::All,
            tls: None,
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:54321` (`https://` when serving TLS; no trailing
    /// slash).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer token the server accepts (the seed's `token`).
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// Stop accepting connections and wait (up to 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    // ---- counters -------------------------------------------------------------------

    /// Requests received, keyed by route template (`"GET /api/members/:id/privileges"`);
    /// unknown routes count as `"<METHOD> (unmatched)"`. Includes refused requests.
    pub fn requests(&self) -> BTreeMap<String, u64> {
        self.shared.control().requests.clone()
    }

    /// Requests received for one route template (0 if none).
    pub fn request_count(&self, route: &str) -> u64 {
        self.shared
            .control()
            .requests
            .get(route)
            .copied()
            .unwrap_or(0)
    }

    /// Requests per endpoint family: `members`, `roles`, `environment_roles`,
    /// `project_roles`, `project_grants`, `user_groups`, `folders` (projects and folders),
    /// `workspace` (`/api/users/me`).
    pub fn family_counts(&self) -> BTreeMap<String, u64> {
        self.shared.control().families.clone()
    }

    /// Total requests received (all routes).
    pub fn total_requests(&self) -> u64 {
        self.shared.control().requests.values().sum()
    }

    /// Requests answered 403 because the [`Profile`] does not allow them or the
    /// [`EnvironmentScope`] lacks DEV, keyed by route template. Counted in
    /// [`FakeWorkato::requests`] too.
    pub fn forbidden(&self) -> BTreeMap<String, u64> {
        self.shared.control().forbidden.clone()
    }

    /// Route templates requested so far that `profile` does not allow (unmatched requests
    /// included): what a client with that role would have been refused.
    pub fn requests_outside(&self, profile: &Profile) -> BTreeMap<String, u64> {
        self.shared
            .control()
            .requests
            .iter()
            .filter(|(t, _)| !profile.allows(t))
            .map(|(t, n)| (t.clone(), *n))
            .collect()
    }

    /// 429 answers sent by the rate limiter or by [`Fault::RateLimitBurst`].
    pub fn throttled(&self) -> u64 {
        self.shared.control().throttled
    }

    /// Zero every counter (faults, limits and state are kept).
    pub fn reset_counters(&self) {
        let mut c = self.shared.control();
        c.requests.clear();
        c.families.clear();
        c.forbidden.clear();
        c.throttled = 0;
    }

    // ---- behaviour ------------------------------------------------------------------

    /// Per-family rate limit in requests per minute (0 = off, the default). Each family
    /// gets a token bucket holding `per_minute` tokens, refilled at `per_minute / 60` a
    /// second; an empty bucket answers 429 with `Retry-After` (whole seconds).
    pub fn set_rate_limit(&self, per_minute: u32) {
        self.shared.control().limiter.set_rate(per_minute);
    }

    /// Whether rate-limit 429s carry `Retry-After` (default true).
    pub fn set_send_retry_after(&self, send: bool) {
        self.shared.control().limiter.set_send_retry_after(send);
    }

    /// Change the API client's client role at run time.
    pub fn set_profile(&self, profile: Profile) {
        self.shared.control().profile = profile;
    }

    /// The API client's client role.
    pub fn profile(&self) -> Profile {
        self.shared.control().profile.clone()
    }

    /// Change the API client's environment scope at run time.
    pub fn set_environment_scope(&self, scope: EnvironmentScope) {
        self.shared.control().scope = scope;
    }

    /// Delay every response by `latency` (default zero).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.control().latency = latency;
    }

    /// Apply `fault` to the next matching requests, on any route.
    pub fn inject(&self, fault: Fault) {
        self.shared.control().faults.push(fault, None);
    }

    /// Apply `fault` only to requests of `route`: a template such as `"GET /api/roles"`
    /// or just its path (`"/api/members/:id"`, any method).
    pub fn inject_on(&self, route: &str, fault: Fault) {
        self.shared
            .control()
            .faults
            .push(fault, Some(route.to_owned()));
    }

    /// Drop every pending fault.
    pub fn clear_faults(&self) {
        self.shared.control().faults.clear();
    }

    // ---- state ----------------------------------------------------------------------

    /// Switch the legacy-roles generation on or off at run time (see
    /// [`Seed::legacy_roles_enabled`]), e.g. to simulate a migration mid-test.
    pub fn set_legacy_roles_enabled(&self, enabled: bool) {
        self.shared.state().legacy_roles_enabled = enabled;
    }

    /// Switch the RBAC v2 endpoints on or off at run time (see
    /// [`Seed::environment_roles_enabled`]).
    pub fn set_environment_roles_enabled(&self, enabled: bool) {
        self.shared.state().environment_roles_enabled = enabled;
    }

    /// One member as the server currently holds it.
    pub fn member(&self, id: u64) -> Option<FakeMember> {
        self.shared.state().members.get(&id).cloned()
    }

    /// Every member, by id.
    pub fn members(&self) -> Vec<FakeMember> {
        self.shared.state().members.values().cloned().collect()
    }

    /// Replace a member's roles wholesale; false if there is no such member.
    pub fn set_member_roles(&self, id: u64, roles: Vec<MemberRole>) -> bool {
        match self.shared.state().members.get_mut(&id) {
            Some(m) => {
                m.roles = roles;
                true
            }
            None => false,
        }
    }

    /// Add (or replace) a member.
    pub fn add_member(&self, member: FakeMember) {
        self.shared.state().add_member(member);
    }

    /// Remove a member, its group memberships and its direct project grants.
    pub fn remove_member(&self, id: u64) -> bool {
        self.shared.state().remove_member(id)
    }

    /// Pending invitations, oldest first.
    pub fn invitations(&self) -> Vec<Invitation> {
        self.shared.state().invitations.clone()
    }

    /// Accept the pending invitation for `email`: the invitee becomes a member (with the
    /// invited roles and groups). Returns the new member id.
    pub fn accept_invitation(&self, email: &str) -> Option<u64> {
        self.shared.state().accept_invitation(email)
    }

    /// Every project grant.
    pub fn project_grants(&self) -> Vec<ProjectGrant> {
        self.shared.state().project_grants.clone()
    }

    /// The current state as a seed (pending invitations excluded).
    pub fn snapshot(&self) -> Seed {
        self.shared.state().to_seed(&self.shared.token)
    }
}

// Manual: the token must never show up in Debug output, even a fake one.
impl std::fmt::Debug for FakeWorkato {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeWorkato")
            .field("addr", &self.addr)
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Drop for FakeWorkato {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// What the pipeline decided before running the handler.
enum Verdict {
    Reply(Reply, Option<u64>),
    Run(Option<Fault>),
}

async fn handle(
    AxState(shared): AxState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let found = routes::find(method.as_str(), path);
    let template = found
        .as_ref()
        .map_or_else(|| format!("{method} (unmatched)"), |(r, _)| r.template());

    // Count first: refused requests are requests too.
    let latency = {
        let mut c = shared.control();
        *c.requests.entry(template.clone()).or_default() += 1;
        if let Some((route, _)) = &found {
            *c.families.entry(route.family.to_owned()).or_default() += 1;
        }
        c.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    if !authorized(&headers, &shared.token) {
        return respond(Reply::error(401, "Unauthorized"), None);
    }
    let Some((route, params)) = found else {
        return respond(Reply::error(404, "Not found"), None);
    };

    let verdict = {
        let mut c = shared.control();
        if !c.profile.allows(&template) || !c.scope.allows(&template) {
            *c.forbidden.entry(template.clone()).or_default() += 1;
            return respond(Reply::error(403, "Forbidden"), None);
        }
        match c.limiter.check(route.family, Instant::now()) {
            Err(retry_after) => {
                c.throttled += 1;
                Verdict::Reply(Reply::error(429, "Too many requests"), retry_after)
            }
            Ok(()) => match c.faults.take(&template, route.paged) {
                Some(Fault::RateLimitBurst { retry_after, .. }) => {
                    c.throttled += 1;
                    Verdict::Reply(Reply::error(429, "Too many requests"), retry_after)
                }
                Some(Fault::Status { status, body, .. }) => {
                    return raw(status, Body::from(body));
                }
                other => Verdict::Run(other),
            },
        }
    };
    let fault = match verdict {
        Verdict::Reply(reply, retry_after) => return respond(reply, retry_after),
        Verdict::Run(fault) => fault,
    };
    if let Some(Fault::Latency { delay, .. }) = &fault {
        tokio::time::sleep(*delay).await;
    }

    let mut query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if matches!(fault, Some(Fault::RepeatPage { .. })) {
        query.retain(|(k, _)| k != "page" && k != "page[number]");
    }
    let reply = {
        let req = Req {
            params,
            query: &query,
            body: &body,
        };
        let mut state = shared.state();
        route.run(&mut state, &req)
    };

    match fault {
        Some(Fault::MalformedJson { .. }) => raw(200, Body::from("{\"data\": [oops, <html>")),
        Some(Fault::TruncatedJson { .. }) => {
            let full = encode(&reply);
            let cut = (full.len() / 2).max(1).min(full.len().saturating_sub(1));
            let prefix = full.get(..cut).map(<[u8]>::to_vec).unwrap_or_default();
            raw(200, Body::from(prefix))
        }
        Some(Fault::DropConnection { .. }) => {
            let full = encode(&reply);
            let prefix = Bytes::from(
                full.get(..full.len().min(8))
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default(),
            );
            let chunks: Vec<Result<Bytes, io::Error>> = vec![
                Ok(prefix),
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "fault: connection dropped",
                )),
            ];
            raw(
                reply.status,
                Body::from_stream(futures::stream::iter(chunks)),
            )
        }
        _ => respond(reply, None),
    }
}

fn authorized(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == token)
}

fn encode(reply: &Reply) -> Vec<u8> {
    reply
        .body
        .as_ref()
        .map(|b| b.to_string().into_bytes())
        .unwrap_or_default()
}

fn raw(status: u16, body: Body) -> Response {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn respond(reply: Reply, retry_after: Option<u64>) -> Response {
    let body = match &reply.body {
        Some(_) => Body::from(encode(&reply)),
        None => Body::empty(),
    };
    let mut resp = raw(reply.status, body);
    if reply.body.is_none() {
        resp.headers_mut().remove(header::CONTENT_TYPE);
    }
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}
