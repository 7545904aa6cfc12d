//! The API token, kept out of every `Debug`, `Display`, error and log line.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A Workato API-client token (sent as `Authorization: Bearer <token>`).
///
/// `Debug` and `Display` print `ApiToken(***)`; the value is zeroized on drop.
#[derive(Clone)]
pub struct ApiToken(SecretString);

impl ApiToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }

    /// The raw token. Only for building the `Authorization` header; never log or display it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the token is empty (after trimming whitespace).
    pub fn is_empty(&self) -> bool {
        self.expose().trim().is_empty()
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

// clap builds flag values through `From<String>`, so parsed arguments can hold an `ApiToken`
// and never the key in a plain `String` that a derived `Debug` would print.
impl From<String> for ApiToken {
    fn from(token: String) -> Self {
        Self::new(token)
    }
}

impl From<&str> for ApiToken {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

// By value, so configurations holding a token can be compared in tests; never printed.
impl PartialEq for ApiToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for ApiToken {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_token() {
        let token = ApiToken::new("s3cr3t-token");
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
        assert_eq!(token.to_string(), "ApiToken(***)");
        assert_eq!(token.expose(), "s3cr3t-token");
        assert!(!token.is_empty());
        assert!(ApiToken::new("  ").is_empty());
    }

    #[test]
    fn compares_by_value() {
        assert_eq!(ApiToken::from("a"), ApiToken::from(String::from("a")));
        assert_ne!(ApiToken::from("a"), ApiToken::from("b"));
    }
}
