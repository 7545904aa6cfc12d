//! A string that must never be printed: the Workato API key and the client secret.

use std::fmt;

/// A secret string. `Debug` and `Display` print `[REDACTED]`; only [`Secret::expose`] gives the
/// value, so every place that reads it is easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call this only where the value leaves the process (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (or only whitespace), which never authenticates.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

// clap builds flag values through `From<String>`, so the parsed arguments never hold the key in
// a plain `String` that a derived `Debug` would print.
impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("wrk-very-secret");
        assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
        assert_eq!(format!("{s}"), "[REDACTED]");
        assert_eq!(
            format!("{:#?}", Some(s.clone())),
            "Some(\n    Secret([REDACTED]),\n)"
        );
        assert_eq!(s.expose(), "wrk-very-secret");
    }

    #[test]
    fn blank_detection() {
        assert!(Secret::new("  \n").is_blank());
        assert!(!Secret::new("k").is_blank());
    }
}
