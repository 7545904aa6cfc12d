//! The client, its builder, and the request loop (rate limit → send → classify → retry).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::debug;
use url::Url;

use crate::data_center::DataCenter;
use crate::error::{excerpt, parse_error_message, EncodeError, Error, Result};
use crate::family::Family;
use crate::rate_limit::{Limiters, DEFAULT_PER_MINUTE};
use crate::retry::{classify, jitter, AttemptFailure, RetryDecision, RetryPolicy};
use crate::route::Route;
use crate::stats::{ClientStats, Counters};
use crate::token::ApiToken;
use crate::transport::transport_allowed;

/// Default per-attempt timeout: a little above Workato's 40 s server timeout
/// (docs/workato-api.md#authentication-and-transport).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(45);

/// A Workato Developer API client.
///
/// Cheap to clone: clones share one connection pool, one set of rate-limit buckets and one
/// set of [`ClientStats`] counters (the state sits behind an `Arc`). `Debug` never shows the
/// token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    token: ApiToken,
    retry: RetryPolicy,
    limiters: Limiters,
    counters: Counters,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("token", &self.inner.token)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No token was given, or it is blank.
    #[error("an API token is required (Workato › Workspace admin › API clients)")]
    MissingToken,
    /// The base URL does not parse.
    #[error("invalid base URL")]
    InvalidBaseUrl(#[source] url::ParseError),
    /// The base URL is neither `https` nor `http`, or cannot carry a path.
    #[error("unsupported base URL scheme {scheme:?}; use https")]
    UnsupportedScheme {
        /// The scheme given.
        scheme: String,
    },
    /// Plain `http` to a non-loopback host without [`ClientBuilder::allow_insecure_http`].
    #[error(
        "refusing plain http to {host}: the token would travel unencrypted; use https \
         (http is allowed for loopback hosts, or with allow_insecure_http)"
    )]
    InsecureHttp {
        /// The host of the refused URL.
        host: String,
    },
    /// The base URL carries a user name or password.
    #[error("the base URL must not contain credentials")]
    CredentialsInUrl,
    /// The user agent is not a valid header value.
    #[error("invalid user agent")]
    InvalidUserAgent(#[source] reqwest::header::InvalidHeaderValue),
    /// The HTTP stack could not be initialised (e.g. TLS backend).
    #[error("cannot initialise the HTTP client")]
    Http(#[source] reqwest::Error),
    /// An https base URL, but no trusted CA certificate could be loaded.
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
}

/// Configures and builds a [`Client`]; see [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    token: Option<ApiToken>,
    data_center: DataCenter,
    base_url: Option<String>,
    allow_insecure_http: bool,
    timeout: Duration,
    per_minute: [u32; Family::ALL.len()],
    retry: RetryPolicy,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            data_center: DataCenter::default(),
            base_url: None,
            allow_insecure_http: false,
            timeout: DEFAULT_TIMEOUT,
            per_minute: [DEFAULT_PER_MINUTE; Family::ALL.len()],
            retry: RetryPolicy::default(),
            user_agent: concat!("baton-workato-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientBuilder {
    /// The API-client token (required).
    pub fn token(mut self, token: ApiToken) -> Self {
        self.token = Some(token);
        self
    }

    /// The data center whose host to call (default [`DataCenter::Us`]).
    pub fn data_center(mut self, data_center: DataCenter) -> Self {
        self.data_center = data_center;
        self
    }

    /// A base URL overriding the data center (private hosts, tests). Accepts `&str`, `String`
    /// or [`Url`]; validated by [`build`](Self::build).
    pub fn base_url(mut self, base_url: impl AsRef<str>) -> Self {
        self.base_url = Some(base_url.as_ref().to_owned());
        self
    }

    /// Allows plain `http` to non-loopback hosts (default `false`; loopback is always allowed).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Timeout of each attempt (default [`DEFAULT_TIMEOUT`], 45 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Requests per minute for one family (default 60; 0 = unlimited).
    pub fn rate_limit(mut self, family: Family, per_minute: u32) -> Self {
        self.per_minute[family.index()] = per_minute;
        self
    }

    /// Requests per minute for every family (0 = unlimited).
    pub fn rate_limit_all(mut self, per_minute: u32) -> Self {
        self.per_minute = [per_minute; Family::ALL.len()];
        self
    }

    /// How failed attempts are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let token = self
            .token
            .filter(|t| !t.is_empty())
            .ok_or(BuildError::MissingToken)?;
        let raw = self
            .base_url
            .as_deref()
            .unwrap_or(self.data_center.base_url());
        let base_url = Url::parse(raw).map_err(BuildError::InvalidBaseUrl)?;
        check_base_url(&base_url, self.allow_insecure_http)?;
        let user_agent = reqwest::header::HeaderValue::from_str(&self.user_agent)
            .map_err(BuildError::InvalidUserAgent)?;
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(user_agent);
        // Plain http (loopback, the fake) needs no roots; skipping the load keeps the demo
        // working on a machine without a CA bundle.
        if base_url.scheme() == "https" {
            for root in crate::trust::platform_roots()? {
                http = http.add_root_certificate(root);
            }
        }
        let http = http.build().map_err(BuildError::Http)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                token,
                retry: self.retry,
                limiters: Limiters::new(&self.per_minute),
                counters: Counters::default(),
            }),
        })
    }
}

/// The rule every base URL must pass, so that the token is never sent where it could leak:
/// no credentials in the URL, and `https`, or plain `http` only to a loopback host (`localhost`,
/// `127.0.0.0/8`, `::1`) unless `allow_insecure_http`. [`ClientBuilder::build`] applies it;
/// callers that validate a URL earlier (a command line) call it too, so the rule has one owner.
pub fn check_base_url(url: &Url, allow_insecure_http: bool) -> Result<(), BuildError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BuildError::CredentialsInUrl);
    }
    if url.cannot_be_a_base() {
        return Err(BuildError::UnsupportedScheme {
            scheme: url.scheme().to_owned(),
        });
    }
    match url.scheme() {
        "https" | "http" if transport_allowed(url, allow_insecure_http) => Ok(()),
        "http" => Err(BuildError::InsecureHttp {
            host: url.host_str().unwrap_or_default().to_owned(),
        }),
        other => Err(BuildError::UnsupportedScheme {
            scheme: other.to_owned(),
        }),
    }
}

impl Client {
    /// Starts configuring a client.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use workato_api::{ApiToken, Client, DataCenter};
    /// let client = Client::builder()
    ///     .token(ApiToken::new("wrkaus-…"))
    ///     .data_center(DataCenter::Eu)
    ///     .build()?;
    /// let members = client.members().list().send().await?;
    /// println!("{} collaborators", members.data.len());
    /// # Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests are joined onto.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// A snapshot of the request counters (shared by all clones).
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot()
    }

    /// GETs a route and decodes the JSON body.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, route: &Route) -> Result<T> {
        let body = self.execute(Method::GET, route, None).await?;
        decode(&Method::GET, &route.path(), &body)
    }

    /// GETs a route whose body is either `{"data": {...}}` or the bare object.
    pub(crate) async fn get_data_or_bare<T: DeserializeOwned>(&self, route: &Route) -> Result<T> {
        let body = self.execute(Method::GET, route, None).await?;
        let path = route.path();
        let mut value: serde_json::Value = decode(&Method::GET, &path, &body)?;
        let (unwrapped, prefix) = match value.get_mut("data") {
            Some(data) if data.is_object() => (data.take(), "data"),
            _ => (value, ""),
        };
        decode_value(&Method::GET, &path, unwrapped, prefix)
    }

    /// Sends a request with an optional JSON body and ignores the response body (its shape is
    /// unconfirmed for every write endpoint: U5 in docs/workato-api.md#unconfirmed-points).
    pub(crate) async fn send_ignoring_body<B: Serialize + ?Sized>(
        &self,
        method: Method,
        route: &Route,
        body: Option<&B>,
    ) -> Result<()> {
        let body = body
            .map(|b| {
                serde_json::to_vec(b).map_err(|source| Error::Encode {
                    path: route.path(),
                    source: EncodeError::Json(source),
                })
            })
            .transpose()?;
        self.execute(method, route, body.map(Bytes::from)).await?;
        Ok(())
    }

    /// `DELETE`s a route; a 404 counts as success (the thing is already gone), which makes
    /// deletes safe to repeat.
    pub(crate) async fn delete_if_present(&self, route: &Route) -> Result<()> {
        match self
            .send_ignoring_body::<()>(Method::DELETE, route, None)
            .await
        {
            Err(Error::Api {
                status: StatusCode::NOT_FOUND,
                ..
            }) => Ok(()),
            other => other,
        }
    }

    /// Sends one request through the family's rate limiter, retrying per the policy.
    pub(crate) async fn execute(
        &self,
        method: Method,
        route: &Route,
        body: Option<Bytes>,
    ) -> Result<Bytes> {
        let inner = &*self.inner;
        let path = route.path();
        let family = route.family();
        let url = route.url(&inner.base_url).map_err(|source| Error::Url {
            path: path.clone(),
            source,
        })?;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            inner.limiters.acquire(family).await;
            inner.counters.request(family);
            debug!(%method, %path, attempt, %family, "workato request");
            let outcome = self.attempt(&method, &url, body.clone()).await;
            let (error, decision) = match outcome {
                Ok(Attempt::Success(bytes)) => return Ok(bytes),
                Ok(Attempt::Status {
                    status,
                    retry_after,
                    body: response,
                }) => {
                    debug!(%method, %path, attempt, status = status.as_u16(), "workato error status");
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        inner.counters.rate_limited();
                    }
                    let failure = AttemptFailure::Status {
                        status,
                        retry_after: retry_after.as_deref(),
                    };
                    let decision =
                        classify(&inner.retry, attempt, &method, failure, SystemTime::now());
                    let error = Error::Api {
                        method: method.clone(),
                        path: path.clone(),
                        status,
                        message: parse_error_message(&response),
                        body_excerpt: excerpt(&response),
                    };
                    (error, decision)
                }
                Err(source) => {
                    debug!(%method, %path, attempt, timeout = source.is_timeout(), "workato transport error");
                    // An untrusted certificate fails the same way every time: no retry.
                    let failure = if crate::trust::is_certificate_error(&source) {
                        AttemptFailure::Other
                    } else if source.is_timeout()
                        || source.is_connect()
                        || source.is_request()
                        || source.is_body()
                    {
                        AttemptFailure::Transport
                    } else {
                        AttemptFailure::Other
                    };
                    let decision =
                        classify(&inner.retry, attempt, &method, failure, SystemTime::now());
                    let error = Error::Transport {
                        method: method.clone(),
                        path: path.clone(),
                        source,
                    };
                    (error, decision)
                }
            };
            let delay = match decision {
                RetryDecision::Retry(backoff) => jitter(backoff),
                RetryDecision::RetryAfter(delay) => delay,
                _ => return Err(error),
            };
            inner.counters.retry();
            debug!(%method, %path, attempt, delay_ms = delay.as_millis() as u64, "workato retry");
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<Bytes>,
    ) -> Result<Attempt, reqwest::Error> {
        let inner = &*self.inner;
        // bearer_auth marks the header sensitive, so reqwest/hyper never print it either.
        let mut request = inner
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(inner.token.expose())
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await?;
        if status.is_success() {
            Ok(Attempt::Success(bytes))
        } else {
            Ok(Attempt::Status {
                status,
                retry_after,
                body: bytes,
            })
        }
    }
}

enum Attempt {
    Success(Bytes),
    Status {
        status: StatusCode,
        retry_after: Option<String>,
        body: Bytes,
    },
}

/// Decodes a JSON body, naming the JSON path of the first mismatch.
pub(crate) fn decode<T: DeserializeOwned>(method: &Method, path: &str, body: &[u8]) -> Result<T> {
    // Tracking the path costs on every body and is only needed for the error: a body that
    // does not decode is decoded again, with the tracking, to name where it breaks.
    if let Ok(decoded) = serde_json::from_slice(body) {
        return Ok(decoded);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| Error::Decode {
        method: method.clone(),
        path: path.to_owned(),
        json_path: e.path().to_string(),
        source: e.into_inner(),
    })
}

/// Decodes an already-parsed JSON value; `prefix` (e.g. `data[3]`) is put before the error path.
pub(crate) fn decode_value<T: DeserializeOwned>(
    method: &Method,
    path: &str,
    value: serde_json::Value,
    prefix: &str,
) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner_path = e.path().to_string();
        let json_path = match (prefix.is_empty(), inner_path.as_str()) {
            (true, _) => inner_path,
            (false, ".") => prefix.to_owned(),
            (false, rest) if rest.starts_with('[') => format!("{prefix}{rest}"),
            (false, rest) => format!("{prefix}.{rest}"),
        };
        Error::Decode {
            method: method.clone(),
            path: path.to_owned(),
            json_path,
            source: e.into_inner(),
        }
    })
}

/// A client for unit tests that build requests but never send them (nothing listens on the
/// discard port).
#[cfg(test)]
pub(crate) fn offline_client() -> Client {
    Client::builder()
        .token(crate::token::ApiToken::new("t"))
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("client")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> ClientBuilder {
        Client::builder().token(ApiToken::new("tok-secret-123"))
    }

    #[test]
    fn http_refused_off_loopback() {
        let err = builder()
            .base_url("http://workato.example.com")
            .build()
            .expect_err("refused");
        assert!(
            matches!(err, BuildError::InsecureHttp { ref host } if host == "workato.example.com")
        );
        assert!(builder()
            .base_url("http://workato.example.com")
            .allow_insecure_http(true)
            .build()
            .is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://[::1]:9000",
            "http://localhost:1234",
            "https://www.workato.com",
        ] {
            assert!(builder().base_url(ok).build().is_ok(), "{ok}");
        }
    }

    #[test]
    fn other_build_errors() {
        assert!(matches!(
            Client::builder().build(),
            Err(BuildError::MissingToken)
        ));
        assert!(matches!(
            Client::builder().token(ApiToken::new(" ")).build(),
            Err(BuildError::MissingToken)
        ));
        assert!(matches!(
            builder().base_url("not a url").build(),
            Err(BuildError::InvalidBaseUrl(_))
        ));
        assert!(matches!(
            builder().base_url("ftp://x.example").build(),
            Err(BuildError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            builder().base_url("https://u:p@x.example").build(),
            Err(BuildError::CredentialsInUrl)
        ));
    }

    #[test]
    fn data_center_sets_base_and_override_wins() {
        let eu = builder().data_center(DataCenter::Eu).build().expect("eu");
        assert_eq!(eu.base_url().as_str(), "https://app.eu.workato.com/");
        let custom = builder()
            .data_center(DataCenter::Eu)
            .base_url(Url::parse("http://127.0.0.1:9").expect("url"))
            .build()
            .expect("custom");
        assert_eq!(custom.base_url().as_str(), "http://127.0.0.1:9/");
    }

    #[test]
    fn shared_types_are_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Client>();
        check::<Error>();
        check::<BuildError>();
        fn check_send<T: Send + 'static>() {}
        check_send::<crate::ItemStream<crate::Member>>();
    }

    #[test]
    fn debug_hides_token() {
        let client = builder().build().expect("client");
        let debug = format!("{client:?}");
        assert!(!debug.contains("tok-secret-123"), "{debug}");
        assert!(debug.contains("ApiToken(***)"), "{debug}");
    }

    #[test]
    fn decode_names_json_path() {
        #[derive(Debug, serde::Deserialize)]
        struct Row {
            #[allow(dead_code)] // only decoded
            id: i64,
        }
        let err = decode::<Vec<Row>>(&Method::GET, "/api/x", br#"[{"id":1},{"id":true}]"#)
            .expect_err("bad");
        assert!(
            matches!(err, Error::Decode { ref json_path, .. } if json_path == "[1].id"),
            "{err:?}"
        );
        let value = serde_json::json!({"id": "x"});
        let err = decode_value::<Row>(&Method::GET, "/api/x", value, "data[4]").expect_err("bad");
        assert!(
            matches!(err, Error::Decode { ref json_path, .. } if json_path == "data[4].id"),
            "{err:?}"
        );
    }
}
