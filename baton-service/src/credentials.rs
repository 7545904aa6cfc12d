//! ConductorOne client credentials: [`ClientId`] and [`ClientSecret`] (docs/service-mode.md,
//! "Credentials").
//!
//! Neither type ever shows the secret: `ClientSecret`'s `Debug` is redacted, it has no
//! `Display`, and [`CredentialError`] names what is wrong without quoting the input.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde::Deserialize;

/// Prefix of a ConductorOne client secret before the encoded key.
pub const CLIENT_SECRET_PREFIX: &str = "secret-token:conductorone.com:v1:";

/// Why a client id or secret was rejected. The message never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The client id is not `<name>@<host>/<suffix>`.
    #[error("invalid client id: {reason} (expected <name>@<host>/<suffix>, e.g. my-connector@acme.conductor.one/pcc)")]
    InvalidClientId {
        /// What is wrong.
        reason: &'static str,
    },
    /// The client secret is not a ConductorOne v1 Ed25519 secret.
    #[error("invalid client secret: {reason} (expected secret-token:conductorone.com:v1:<key>)")]
    InvalidClientSecret {
        /// What is wrong (never the secret itself).
        reason: &'static str,
    },
}

/// A ConductorOne client id: `<client-name>@<token-host>/<suffix>`.
///
/// The whole string is the OAuth `client_id` and the JWT issuer and subject; the token host is
/// the tenant (it may carry a `:port`); the suffix is not interpreted.
///
/// ```
/// use baton_service::ClientId;
/// let id: ClientId = "strange-hydra-68836@acme.conductor.one/pcc".parse()?;
/// assert_eq!(id.client_name(), "strange-hydra-68836");
/// assert_eq!(id.token_host(), "acme.conductor.one");
/// assert_eq!(id.audience(), "acme.conductor.one");
/// # Ok::<(), baton_service::CredentialError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientId {
    raw: String,
    name_len: usize,
    host: String,
}

impl ClientId {
    /// The whole client id, as given.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The part before `@` (used in the gRPC user agent).
    pub fn client_name(&self) -> &str {
        &self.raw[..self.name_len]
    }

    /// The tenant host between `@` and `/`, possibly with a `:port`.
    pub fn token_host(&self) -> &str {
        &self.host
    }

    /// The JWT audience: the token host without any `:port`.
    pub fn audience(&self) -> &str {
        strip_port(&self.host)
    }
}

/// `host` without a trailing `:port` (IPv6 literals in brackets keep their colons).
pub(crate) fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.find(']') {
            Some(end) => &host[..end + 2],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

impl FromStr for ClientId {
    type Err = CredentialError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| CredentialError::InvalidClientId { reason };
        let (name, rest) = s.split_once('@').ok_or(invalid("no '@'"))?;
        let (host, _suffix) = rest
            .split_once('/')
            .ok_or(invalid("no '/' after the host"))?;
        if host.is_empty() {
            return Err(invalid("the host is empty"));
        }
        if host.chars().any(|c| c.is_whitespace() || c == '@') {
            return Err(invalid("the host contains a space or '@'"));
        }
        Ok(ClientId {
            raw: s.to_string(),
            name_len: name.len(),
            host: host.to_string(),
        })
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientId").field(&self.raw).finish()
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A ConductorOne client secret: an Ed25519 private key.
///
/// Format `secret-token:conductorone.com:v1:<base64url JWK>` where the JWK is
/// `{"kty":"OKP","crv":"Ed25519","x":…,"d":…}`. The key derived from `d` must match `x`
/// (stricter than baton-sdk, which does not check). Cheap to clone; `Debug` prints
/// `ClientSecret(<redacted>)` and there is no `Display`.
#[derive(Clone)]
pub struct ClientSecret {
    key: Arc<Ed25519KeyPair>,
}

impl ClientSecret {
    /// Signs `message` with the secret key (Ed25519).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).as_ref().to_vec()
    }

    /// The public key `x` (32 bytes), base64url without padding. Not secret.
    pub fn public_key_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.public_key().as_ref())
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    d: Option<String>,
}

impl FromStr for ClientSecret {
    type Err = CredentialError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| CredentialError::InvalidClientSecret { reason };
        let parts: Vec<&str> = s.splitn(4, ':').collect();
        if parts.len() != 4 {
            return Err(invalid("it does not have four ':'-separated parts"));
        }
        if parts[2] != "v1" {
            return Err(invalid("the version part is not v1"));
        }
        let json = URL_SAFE_NO_PAD
            .decode(parts[3].trim_end())
            .map_err(|_| invalid("the key is not unpadded base64url"))?;
        let jwk: Jwk =
            serde_json::from_slice(&json).map_err(|_| invalid("the key is not a JSON JWK"))?;
        if jwk.kty.as_deref() != Some("OKP") || jwk.crv.as_deref() != Some("Ed25519") {
            return Err(invalid("the key is not an Ed25519 (OKP) key"));
        }
        let d = jwk.d.ok_or(invalid("the key has no private part (d)"))?;
        let x = jwk.x.ok_or(invalid("the key has no public part (x)"))?;
        let seed = URL_SAFE_NO_PAD
            .decode(d)
            .map_err(|_| invalid("the private part is not base64url"))?;
        let public = URL_SAFE_NO_PAD
            .decode(x)
            .map_err(|_| invalid("the public part is not base64url"))?;
        if seed.len() != 32 || public.len() != 32 {
            return Err(invalid("the key parts are not 32 bytes"));
        }
        let key = Ed25519KeyPair::from_seed_and_public_key(&seed, &public)
            .map_err(|_| invalid("the public part does not match the private part"))?;
        Ok(ClientSecret { key: Arc::new(key) })
    }
}

/// Mints a new random client secret and its public key `x` (base64url), for fakes and tests.
///
/// # Errors
/// Only if the system random generator fails.
pub fn mint_client_secret() -> Result<(String, String), CredentialError> {
    let failed = || CredentialError::InvalidClientSecret {
        reason: "the random generator failed",
    };
    let rng = ring::rand::SystemRandom::new();
    let seed: [u8; 32] = ring::rand::generate(&rng).map_err(|_| failed())?.expose();
    let key = Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|_| failed())?;
    let x = URL_SAFE_NO_PAD.encode(key.public_key().as_ref());
    let jwk = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "d": URL_SAFE_NO_PAD.encode(seed),
    });
    let secret = format!(
        "{CLIENT_SECRET_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(jwk.to_string())
    );
    Ok((secret, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_splits_at_first_at_and_first_slash() {
        let id: ClientId = "fake-client@127.0.0.1:8443/pcc/x".parse().expect("valid");
        assert_eq!(id.client_name(), "fake-client");
        assert_eq!(id.token_host(), "127.0.0.1:8443");
        assert_eq!(id.audience(), "127.0.0.1");
        assert_eq!(id.as_str(), "fake-client@127.0.0.1:8443/pcc/x");
        let empty_suffix: ClientId = "a@tenant.example.test/".parse().expect("valid");
        assert_eq!(empty_suffix.token_host(), "tenant.example.test");
    }

    #[test]
    fn bad_client_ids_are_rejected() {
        for bad in ["", "no-at/pcc", "name@host-without-slash", "name@/pcc"] {
            let err = bad.parse::<ClientId>().expect_err(bad);
            assert!(err.to_string().starts_with("invalid client id"), "{err}");
        }
    }

    #[test]
    fn strip_port_handles_hosts_and_ipv6() {
        assert_eq!(strip_port("acme.conductor.one"), "acme.conductor.one");
        assert_eq!(strip_port("acme.conductor.one:443"), "acme.conductor.one");
        assert_eq!(strip_port("[::1]:8443"), "[::1]");
    }

    #[test]
    fn minted_secrets_parse_and_keep_their_public_key() {
        let (secret, x) = mint_client_secret().expect("mint");
        assert!(secret.starts_with(CLIENT_SECRET_PREFIX));
        let parsed: ClientSecret = secret.parse().expect("valid");
        assert_eq!(parsed.public_key_base64url(), x);
    }

    #[test]
    fn debug_and_errors_never_show_the_secret() {
        let (secret, _) = mint_client_secret().expect("mint");
        let parsed: ClientSecret = secret.parse().expect("valid");
        let debug = format!("{parsed:?}");
        assert_eq!(debug, "ClientSecret(<redacted>)");
        let key_part = &secret[CLIENT_SECRET_PREFIX.len()..];
        // Corrupt the key and check the error does not echo any of it.
        let bad = format!("{CLIENT_SECRET_PREFIX}{}!", key_part);
        let err = bad.parse::<ClientSecret>().expect_err("corrupt");
        assert!(!err.to_string().contains(&key_part[..16]), "{err}");
        assert!(!format!("{err:?}").contains(&key_part[..16]));
    }

    #[test]
    fn secret_with_mismatched_public_key_is_rejected() {
        let (a, _) = mint_client_secret().expect("mint");
        let (_, other_x) = mint_client_secret().expect("mint");
        let json = URL_SAFE_NO_PAD
            .decode(&a[CLIENT_SECRET_PREFIX.len()..])
            .expect("b64");
        let mut jwk: serde_json::Value = serde_json::from_slice(&json).expect("json");
        jwk["x"] = other_x.into();
        let tampered = format!(
            "{CLIENT_SECRET_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(jwk.to_string())
        );
        let err = tampered.parse::<ClientSecret>().expect_err("mismatch");
        assert_eq!(
            err,
            CredentialError::InvalidClientSecret {
                reason: "the public part does not match the private part"
            }
        );
    }

    #[test]
    fn secret_shape_errors() {
        let cases = [
            ("secret-token:conductorone.com", "four"),
            ("secret-token:conductorone.com:v2:abc", "v1"),
            ("secret-token:conductorone.com:v1:@@@", "base64url"),
            (
                &format!("{CLIENT_SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode("{}")),
                "Ed25519",
            ),
        ];
        for (input, needle) in cases {
            let err = input.parse::<ClientSecret>().expect_err(input);
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
    }
}
