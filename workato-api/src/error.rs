//! Errors of API calls, with the method, path, status and Workato's own message.

use std::fmt;

use reqwest::{Method, StatusCode};

use crate::family::Family;
use crate::permissions;

/// Longest body excerpt kept in an [`Error::Api`], in bytes.
pub const BODY_EXCERPT_LIMIT: usize = 512;

/// An error from an API call. The token never appears in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Workato answered with a non-success status.
    #[error("{method} {path} failed with HTTP {status}: {message}{hint}", hint = PermissionHint(*status, method, path))]
    Api {
        /// HTTP method.
        method: Method,
        /// Request path (without query).
        path: String,
        /// Response status.
        status: StatusCode,
        /// Workato's message, parsed from the body (or the body excerpt if it had no known shape).
        message: String,
        /// The start of the raw response body, at most [`BODY_EXCERPT_LIMIT`] bytes.
        body_excerpt: String,
    },
    /// A success response whose body did not match the expected shape.
    #[error("{method} {path}: unexpected response body at `{json_path}`")]
    Decode {
        /// HTTP method.
        method: Method,
        /// Request path (without query).
        path: String,
        /// Where in the JSON document decoding failed (e.g. `data[3].id`).
        json_path: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The request did not get a response: timeout, connection refused or reset, TLS failure.
    #[error("{method} {path}: {}", TransportSummary(source))]
    Transport {
        /// HTTP method.
        method: Method,
        /// Request path (without query).
        path: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// A paginated listing returned the same page twice; stopping so a broken server cannot
    /// loop the client forever.
    #[error("{path}: page {page} repeats page {previous}; stopping the listing")]
    RepeatedPage {
        /// Request path (without query).
        path: String,
        /// The page number that repeated.
        page: u32,
        /// The page it repeated.
        previous: u32,
    },
    /// A URL could not be built from the base URL and the path.
    #[error("cannot build a URL for {path}")]
    Url {
        /// The path that was joined.
        path: String,
        /// The URL error.
        #[source]
        source: url::ParseError,
    },
    /// A request body or query could not be serialized.
    #[error("cannot encode the request for {path}")]
    Encode {
        /// Request path.
        path: String,
        /// The encoding error.
        #[source]
        source: EncodeError,
    },
}

/// Why a request body or query could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// JSON body.
    #[error("JSON body")]
    Json(#[source] serde_json::Error),
    /// Query string.
    #[error("query string")]
    Query(#[source] serde_urlencoded::ser::Error),
}

impl Error {
    /// The HTTP status, for [`Error::Api`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether Workato answered 429 Too Many Requests.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
    }

    /// Whether the answer was 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether trying again later could succeed (429, 5xx other than 501, transport failures).
    ///
    /// The client already retried such errors per its [`RetryPolicy`](crate::RetryPolicy)
    /// before returning them.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS
                    || (status.is_server_error() && *status != StatusCode::NOT_IMPLEMENTED)
            }
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// For a 401/403, the API-client permission that is probably missing: the endpoint's own
    /// client-role permission when it is known (see [`crate::permissions`]), else its family's.
    pub fn missing_permission(&self) -> Option<&'static str> {
        match self {
            Error::Api {
                status,
                method,
                path,
                ..
            } => missing_permission(*status, method, path),
            _ => None,
        }
    }

    /// For a 403 from an endpoint Workato serves only to API clients with DEV access (the
    /// collaborator endpoints): the refusal may mean the client is scoped to TEST or PROD.
    pub fn needs_dev_access(&self) -> bool {
        match self {
            Error::Api {
                status,
                method,
                path,
                ..
            } => *status == StatusCode::FORBIDDEN && is_dev_only(method, path),
            _ => false,
        }
    }
}

fn missing_permission(status: StatusCode, method: &Method, path: &str) -> Option<&'static str> {
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        permissions::endpoint(method, path)
            .map(|e| e.permission)
            .or_else(|| Family::of_path(path).permission())
    } else {
        None
    }
}

fn is_dev_only(method: &Method, path: &str) -> bool {
    permissions::endpoint(method, path).is_some_and(|e| e.dev_only)
}

fn is_rbac_v2(family: Family) -> bool {
    matches!(
        family,
        Family::EnvironmentRoles
            | Family::ProjectRoles
            | Family::ProjectGrants
            | Family::UserGroups
    )
}

/// What a transport failure means for the user; an untrusted certificate says how to fix it.
struct TransportSummary<'a>(&'a reqwest::Error);

impl fmt::Display for TransportSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if crate::trust::is_certificate_error(self.0) {
            f.write_str(
                "the server's TLS certificate is not trusted (behind a TLS-inspecting proxy, add \
                 the proxy's CA certificate to the system store or point SSL_CERT_FILE at it)",
            )
        } else {
            f.write_str("no response from Workato")
        }
    }
}

/// Renders the permission hint of a 401/403 after Workato's message.
struct PermissionHint<'a>(StatusCode, &'a Method, &'a str);

impl fmt::Display for PermissionHint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PermissionHint(status, method, path) = *self;
        match (status, missing_permission(status, method, path)) {
            (StatusCode::UNAUTHORIZED, Some(permission)) => {
                write!(
                    f,
                    " (the API token is invalid or revoked, or its API client role lacks the \
                     \"{permission}\" permission"
                )?;
                if is_rbac_v2(Family::of_path(path)) {
                    // [cx]: RBAC v2 endpoints answer 401 on workspaces that have not migrated.
                    f.write_str("; or the workspace has not migrated to the new roles model")?;
                }
                f.write_str(")")
            }
            (StatusCode::UNAUTHORIZED, None) => {
                f.write_str(" (the API token is invalid or revoked)")
            }
            (StatusCode::FORBIDDEN, Some(permission)) if is_dev_only(method, path) => write!(
                f,
                " (the API client role lacks the \"{permission}\" permission, or the API client \
                 has no access to the DEV environment, which Workato requires for this endpoint)"
            ),
            (StatusCode::FORBIDDEN, Some(permission)) => write!(
                f,
                " (the API client role probably lacks the \"{permission}\" permission, or the \
                 environment or project is outside the client's scope)"
            ),
            _ => Ok(()),
        }
    }
}

/// Extracts Workato's message from an error body, trying the shapes of docs/workato-api.md#errors
/// in order: `{"errors":[{"title"}]}`, `{"message","errors":{field:[..]}}`, `{"message"}`,
/// `{"error"}`, else the raw text (bounded).
pub(crate) fn parse_error_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(message) = message_from_json(&value) {
            return message;
        }
    }
    let text = excerpt(body);
    if text.trim().is_empty() {
        "(empty body)".to_owned()
    } else {
        text.trim().to_owned()
    }
}

fn message_from_json(value: &serde_json::Value) -> Option<String> {
    let object = value.as_object()?;
    if let Some(errors) = object.get("errors").and_then(|e| e.as_array()) {
        let titles: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                let title = e.get("title").and_then(|t| t.as_str())?;
                Some(match e.get("detail").and_then(|d| d.as_str()) {
                    Some(detail) if detail != title => format!("{title}: {detail}"),
                    _ => title.to_owned(),
                })
            })
            .collect();
        if !titles.is_empty() {
            return Some(titles.join("; "));
        }
    }
    if let Some(message) = object.get("message").and_then(|m| m.as_str()) {
        if let Some(fields) = object.get("errors").and_then(|e| e.as_object()) {
            let details: Vec<String> = fields
                .iter()
                .map(|(field, problems)| {
                    let problems = match problems {
                        serde_json::Value::Array(items) => items
                            .iter()
                            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(", "),
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("{field} {problems}")
                })
                .collect();
            if !details.is_empty() {
                return Some(format!("{message} ({})", details.join("; ")));
            }
        }
        return Some(message.to_owned());
    }
    if let Some(error) = object.get("error").and_then(|e| e.as_str()) {
        return Some(match object.get("error_type").and_then(|t| t.as_str()) {
            Some(kind) => format!("{error} ({kind})"),
            None => error.to_owned(),
        });
    }
    None
}

/// The start of a body as text, cut at a char boundary at most [`BODY_EXCERPT_LIMIT`] bytes in.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= BODY_EXCERPT_LIMIT {
        return text.into_owned();
    }
    let mut end = BODY_EXCERPT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shapes_in_spec_order() {
        let cases = [
            (r#"{"errors":[{"title":"Not found"}]}"#, "Not found"),
            (
                r#"{"errors":[{"title":"Invalid","detail":"name taken"},{"title":"Other"}]}"#,
                "Invalid: name taken; Other",
            ),
            (
                r#"{"message":"Role Not existing role not found"}"#,
                "Role Not existing role not found",
            ),
            (
                r#"{"message":"Validation failed","errors":{"email":["is invalid","is taken"]}}"#,
                "Validation failed (email is invalid, is taken)",
            ),
            (
                r#"{"error":"Unauthorized","error_type":"auth"}"#,
                "Unauthorized (auth)",
            ),
            (r#"{"error":"Bad"}"#, "Bad"),
            ("<html>gateway</html>", "<html>gateway</html>"),
            (r#"{"unexpected":1}"#, r#"{"unexpected":1}"#),
            ("", "(empty body)"),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_error_message(body.as_bytes()), expected, "{body}");
        }
    }

    #[test]
    fn excerpt_is_bounded_at_char_boundary() {
        let body = "é".repeat(600);
        let cut = excerpt(body.as_bytes());
        assert!(cut.len() <= BODY_EXCERPT_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(b"short"), "short");
    }

    #[test]
    fn predicates() {
        let api = |code: u16, path: &str| Error::Api {
            method: Method::GET,
            path: path.to_owned(),
            status: StatusCode::from_u16(code).expect("valid"),
            message: "m".into(),
            body_excerpt: String::new(),
        };
        assert!(api(429, "/api/members").is_rate_limited());
        assert!(api(429, "/api/members").is_retryable());
        assert!(api(503, "/api/members").is_retryable());
        assert!(!api(501, "/api/members").is_retryable());
        assert!(!api(404, "/api/members").is_retryable());
        assert!(api(404, "/api/members").is_not_found());
        assert_eq!(
            api(403, "/api/user_groups").missing_permission(),
            Some("Collaborator groups")
        );
        assert_eq!(
            api(401, "/api/roles").missing_permission(),
            Some("Collaborator roles › List non-system roles")
        );
        assert_eq!(
            api(403, "/api/unknown").missing_permission(),
            None,
            "unknown paths fall back to the family, which names none"
        );
        assert!(api(403, "/api/members").needs_dev_access());
        assert!(!api(401, "/api/members").needs_dev_access());
        assert!(!api(403, "/api/roles").needs_dev_access());
        assert_eq!(api(404, "/api/roles").missing_permission(), None);
        assert_eq!(api(403, "/api/roles").status(), Some(StatusCode::FORBIDDEN));
    }
}
