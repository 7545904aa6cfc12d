//! The token source: a signed Ed25519 client assertion exchanged for an access token at
//! `POST /auth/v1/token`, cached and refreshed early (docs/service-mode.md, "Token").

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::ServiceConfig;
use crate::credentials::{ClientId, ClientSecret};
use crate::error::ServiceError;

/// A token is refreshed this long before it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
/// Lifetime of the assertion around "now" (both directions).
const ASSERTION_SKEW: u64 = 120;
/// The token POST's timeout, as baton-sdk's HTTP client.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(300);

/// Why no token could be had. Its `Display` is the status message the RPC fails with; it never
/// contains the secret or a token.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    #[error("failed to get token: {status}")]
    Status { code: u16, status: String },
    #[error("failed to get token: empty access token")]
    Empty,
    #[error("failed to get token: {0}")]
    Http(#[source] reqwest::Error),
    #[error("failed to get token: the response is not the expected JSON")]
    Decode(#[source] serde_json::Error),
    #[error("failed to get token: the system random generator failed")]
    Random,
}

impl TokenError {
    /// The gRPC code an RPC fails with when its token cannot be had. baton-sdk says
    /// `Unauthenticated` for everything; a server or network failure is `Unavailable` here so
    /// that the startup Hello retries it instead of exiting (docs/service-mode.md).
    pub(crate) fn code(&self) -> tonic::Code {
        match self {
            TokenError::Status { code, .. } if *code == 429 || *code >= 500 => {
                tonic::Code::Unavailable
            }
            TokenError::Status { .. } | TokenError::Empty => tonic::Code::Unauthenticated,
            TokenError::Http(_) | TokenError::Decode(_) => tonic::Code::Unavailable,
            TokenError::Random => tonic::Code::Internal,
        }
    }
}

/// An access token with its normalised type. `Debug` hides the token.
#[derive(Clone)]
pub(crate) struct AccessToken {
    token_type: String,
    token: String,
    expires_at: Instant,
}

impl AccessToken {
    /// The `authorization` header value, e.g. `Bearer tok-1`.
    pub(crate) fn header_value(&self) -> String {
        format!("{} {}", self.token_type, self.token)
    }

    fn fresh(&self, now: Instant) -> bool {
        now + EXPIRY_MARGIN < self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token_type", &self.token_type)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// `bearer` (any case) or empty → `Bearer`, `mac` → `MAC`, `basic` → `Basic`, like Go's
/// `oauth2.Token.Type()`.
fn normalise_type(t: &str) -> String {
    if t.is_empty() || t.eq_ignore_ascii_case("bearer") {
        "Bearer".into()
    } else if t.eq_ignore_ascii_case("mac") {
        "MAC".into()
    } else if t.eq_ignore_ascii_case("basic") {
        "Basic".into()
    } else {
        t.into()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: i64,
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    nonce: &'a str,
}

/// Claims in baton-sdk's order.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    nbf: u64,
    iat: u64,
}

/// Builds the compact JWS client assertion for `client_id` at Unix time `now`.
pub(crate) fn assertion(
    client_id: &ClientId,
    secret: &ClientSecret,
    now: u64,
) -> Result<String, TokenError> {
    let rng = ring::rand::SystemRandom::new();
    let nonce: [u8; 16] = ring::rand::generate(&rng)
        .map_err(|_| TokenError::Random)?
        .expose();
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let header = serde_json::to_vec(&Header {
        alg: "EdDSA",
        nonce: &nonce,
    })
    .map_err(TokenError::Decode)?;
    let claims = serde_json::to_vec(&Claims {
        iss: client_id.as_str(),
        sub: client_id.as_str(),
        aud: client_id.audience(),
        exp: now + ASSERTION_SKEW,
        nbf: now.saturating_sub(ASSERTION_SKEW),
        iat: now,
    })
    .map_err(TokenError::Decode)?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = secret.sign(signing_input.as_bytes());
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// Fetches and caches access tokens; shared by every RPC.
pub(crate) struct TokenSource {
    http: reqwest::Client,
    url: String,
    client_id: ClientId,
    secret: ClientSecret,
    cache: Mutex<Option<AccessToken>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The platform's trusted roots (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set), as reqwest
/// certificates; unparsable ones are skipped. Reads files: call it off the async workers.
pub(crate) fn platform_roots() -> Vec<reqwest::Certificate> {
    let loaded = rustls_native_certs::load_native_certs();
    for problem in &loaded.errors {
        tracing::warn!(%problem, "some trusted CA certificates could not be loaded");
    }
    loaded
        .certs
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok())
        .collect()
}

impl TokenSource {
    /// A token source trusting `roots` plus the configured extra roots.
    pub(crate) fn new(
        config: &ServiceConfig,
        roots: Vec<reqwest::Certificate>,
    ) -> Result<Self, ServiceError> {
        if roots.is_empty() && config.extra_root_certificates.is_empty() {
            return Err(ServiceError::NoTrustedRoots);
        }
        let mut builder = reqwest::Client::builder()
            .timeout(TOKEN_TIMEOUT)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .https_only(true)
            .user_agent(format!(
                "baton-c1-credential-provider {}/{}",
                config.build_info.package, config.build_info.package_version
            ));
        if let Some(url) = &config.proxy {
            let proxy = reqwest::Proxy::all(url.as_str()).map_err(ServiceError::HttpClient)?;
            builder = builder.proxy(proxy);
        }
        for cert in roots {
            builder = builder.add_root_certificate(cert);
        }
        for pem in &config.extra_root_certificates {
            let cert = reqwest::Certificate::from_pem(pem).map_err(ServiceError::HttpClient)?;
            builder = builder.add_root_certificate(cert);
        }
        Ok(TokenSource {
            http: builder.build().map_err(ServiceError::HttpClient)?,
            url: config.token_url(),
            client_id: config.client_id.clone(),
            secret: config.client_secret.clone(),
            cache: Mutex::new(None),
        })
    }

    /// A valid token: the cached one while it has more than 10 s left, else a new one. Callers
    /// wait for one fetch at a time, so concurrent RPCs share it.
    pub(crate) async fn token(&self) -> Result<AccessToken, TokenError> {
        let mut cache = self.cache.lock().await;
        if let Some(token) = cache.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(token.clone());
        }
        let token = self.fetch().await?;
        *cache = Some(token.clone());
        Ok(token)
    }

    /// Drops `used` from the cache (after an `Unauthenticated` answer), unless another call
    /// already replaced it.
    pub(crate) async fn invalidate(&self, used: &AccessToken) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|t| t.token == used.token) {
            *cache = None;
        }
    }

    async fn fetch(&self) -> Result<AccessToken, TokenError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let assertion = assertion(&self.client_id, &self.secret, now)?;
        // Keys in Go's sorted order.
        let form = [
            ("client_assertion", assertion.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_id", self.client_id.as_str()),
            ("grant_type", "client_credentials"),
        ];
        let response = self
            .http
            .post(&self.url)
            .form(&form)
            .send()
            .await
            .map_err(|e| TokenError::Http(e.without_url()))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(TokenError::Status {
                code: status.as_u16(),
                status: format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
            });
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| TokenError::Http(e.without_url()))?;
        let arrived = Instant::now();
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(TokenError::Decode)?;
        if parsed.access_token.is_empty() {
            return Err(TokenError::Empty);
        }
        let lifetime = Duration::from_secs(u64::try_from(parsed.expires_in).unwrap_or(0));
        tracing::debug!(
            expires_in = parsed.expires_in,
            "fetched a ConductorOne access token"
        );
        Ok(AccessToken {
            token_type: normalise_type(&parsed.token_type),
            token: parsed.access_token,
            expires_at: arrived + lifetime,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_types_are_normalised_like_go() {
        assert_eq!(normalise_type("bearer"), "Bearer");
        assert_eq!(normalise_type("BEARER"), "Bearer");
        assert_eq!(normalise_type(""), "Bearer");
        assert_eq!(normalise_type("mac"), "MAC");
        assert_eq!(normalise_type("basic"), "Basic");
        assert_eq!(normalise_type("DPoP"), "DPoP");
    }

    #[test]
    fn assertion_has_the_expected_header_claims_and_a_valid_signature() {
        let (secret, x) = crate::credentials::mint_client_secret().expect("mint");
        let secret: ClientSecret = secret.parse().expect("secret");
        let id: ClientId = "c@tenant.example.test:8443/pcc".parse().expect("id");
        let jws = assertion(&id, &secret, 1_000_000).expect("sign");
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
        assert_eq!(header["alg"], "EdDSA");
        let nonce = header["nonce"].as_str().expect("nonce");
        assert_eq!(nonce.len(), 32);
        assert!(nonce
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let claims_raw = URL_SAFE_NO_PAD.decode(parts[1]).expect("b64");
        let claims_text = String::from_utf8(claims_raw).expect("utf8");
        assert_eq!(
            claims_text,
            r#"{"iss":"c@tenant.example.test:8443/pcc","sub":"c@tenant.example.test:8443/pcc","aud":"tenant.example.test","exp":1000120,"nbf":999880,"iat":1000000}"#
        );
        let public = URL_SAFE_NO_PAD.decode(x).expect("x");
        let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public);
        key.verify(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &URL_SAFE_NO_PAD.decode(parts[2]).expect("sig"),
        )
        .expect("signature verifies");
        let again = assertion(&id, &secret, 1_000_000).expect("sign");
        assert_ne!(jws, again, "a fresh nonce every time");
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = AccessToken {
            token_type: "Bearer".into(),
            token: "tok-secret".into(),
            expires_at: Instant::now(),
        };
        assert!(!format!("{t:?}").contains("tok-secret"));
    }
}
