//! [`ServiceError`]: why service mode stopped.

use std::path::PathBuf;

use tonic::Code;

/// Why [`crate::run`] returned an error. A shutdown request is not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// `--c1z-temp-dir` does not exist or is not a directory.
    #[error("the c1z temp dir {path} does not exist or is not a directory")]
    TempDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error, when there was one.
        #[source]
        source: Option<std::io::Error>,
    },
    /// No trusted CA certificate was found on this machine.
    #[error(
        "no trusted CA certificates found: install the system CA bundle (e.g. the \
         ca-certificates package) or set SSL_CERT_FILE to a PEM file of CA certificates"
    )]
    NoTrustedRoots,
    /// The HTTPS client for the token endpoint could not be built (TLS roots).
    #[error("cannot set up the HTTPS client for the ConductorOne token endpoint")]
    HttpClient(#[source] reqwest::Error),
    /// The gRPC channel could not be configured (bad host, TLS roots).
    #[error("cannot set up the gRPC channel to {target}")]
    Channel {
        /// The URL.
        target: String,
        /// The transport error.
        #[source]
        source: tonic::transport::Error,
    },
    /// ConductorOne refused the startup Hello with a permanent code (bad credentials,
    /// permission denied, …). The message never contains the secret or a token.
    #[error("ConductorOne refused the connector at startup ({code:?}): {message}")]
    Hello {
        /// The gRPC code.
        code: Code,
        /// The status message (e.g. `failed to get token: 401 Unauthorized`).
        message: String,
    },
}

impl ServiceError {
    /// `true` when the error means the credentials are wrong or lack permission.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ServiceError::Hello {
                code: Code::Unauthenticated | Code::PermissionDenied,
                ..
            }
        )
    }
}
