//! Which certificate authorities HTTPS trusts: the platform's store, like Go programs.
//!
//! Behind a TLS-inspecting proxy the server certificate is signed by the proxy's CA, which a
//! compiled-in root list never contains; users add it to the platform store or point
//! `SSL_CERT_FILE` / `SSL_CERT_DIR` at it. `rustls-native-certs` reads exactly those: when either
//! variable is set it loads only from there, otherwise from the platform store (the system CA
//! bundle on Linux, the keychain on macOS, the system store on Windows).

use std::fmt;

/// Why the trusted roots could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Nothing usable was found: no CA bundle on this machine, or `SSL_CERT_FILE` /
    /// `SSL_CERT_DIR` name nothing readable.
    #[error(
        "no trusted CA certificates found {place}{problems}: install the system CA bundle (e.g. \
         the ca-certificates package) or set SSL_CERT_FILE to a PEM file of CA certificates",
        problems = Problems(.problems)
    )]
    NoCertificates {
        /// Where they were looked for: `in the platform store`, or the variables that
        /// replaced it (`in SSL_CERT_FILE=/etc/corp.pem`).
        place: String,
        /// What the loader reported (unreadable files, bad PEM), one entry each.
        problems: Vec<String>,
    },
}

struct Problems<'a>(&'a [String]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        write!(f, " ({})", self.0.join("; "))
    }
}

/// Where the loader looks, as `rustls-native-certs` decides: the variables when either is set.
fn place() -> String {
    let set: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .into_iter()
        .filter_map(|name| {
            std::env::var_os(name).map(|v| format!("{name}={}", std::path::Path::new(&v).display()))
        })
        .collect();
    if set.is_empty() {
        "in the platform store".to_owned()
    } else {
        format!("in {}", set.join(" and "))
    }
}

/// The trusted roots, as reqwest certificates.
///
/// Certificates that fail to parse are skipped (system stores carry a few ancient ones); load
/// problems next to usable certificates are logged, not fatal.
///
/// # Errors
/// [`TrustError::NoCertificates`] when not one certificate could be used.
pub(crate) fn platform_roots() -> Result<Vec<reqwest::Certificate>, TrustError> {
    let loaded = rustls_native_certs::load_native_certs();
    let problems: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    let mut roots = Vec::with_capacity(loaded.certs.len());
    let mut unparsable = 0usize;
    for der in &loaded.certs {
        match reqwest::Certificate::from_der(der) {
            Ok(cert) => roots.push(cert),
            Err(_) => unparsable += 1,
        }
    }
    if roots.is_empty() {
        return Err(TrustError::NoCertificates {
            place: place(),
            problems,
        });
    }
    for problem in &problems {
        tracing::warn!(%problem, "some trusted CA certificates could not be loaded");
    }
    tracing::debug!(
        roots = roots.len(),
        unparsable,
        ssl_cert_file = std::env::var_os("SSL_CERT_FILE").is_some(),
        ssl_cert_dir = std::env::var_os("SSL_CERT_DIR").is_some(),
        "trusted CA certificates loaded"
    );
    Ok(roots)
}

/// Whether `error` failed because the server's certificate was not accepted (unknown issuer,
/// expired, wrong name, …).
pub(crate) fn is_certificate_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if is_rustls_certificate_error(e) {
            return true;
        }
        // io::Error hides its payload from `source()`; look inside explicitly.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if is_certificate_error(inner) {
                return true;
            }
        }
        next = e.source();
    }
    false
}

fn is_rustls_certificate_error(e: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        e.downcast_ref::<rustls::Error>(),
        Some(rustls::Error::InvalidCertificate(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_certificates_message_says_what_to_do() {
        let empty = TrustError::NoCertificates {
            place: "in the platform store".into(),
            problems: vec![],
        };
        assert_eq!(
            empty.to_string(),
            "no trusted CA certificates found in the platform store: install the system CA \
             bundle (e.g. the ca-certificates package) or set SSL_CERT_FILE to a PEM file of CA \
             certificates"
        );
        let bad = TrustError::NoCertificates {
            place: "in SSL_CERT_FILE=/nope".into(),
            problems: vec!["could not load certs from file /nope: No such file".into()],
        };
        assert!(bad.to_string().starts_with(
            "no trusted CA certificates found in SSL_CERT_FILE=/nope (could not load certs from \
             file /nope"
        ));
    }

    #[test]
    fn certificate_errors_are_found_through_io_errors() {
        let rustls_error =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls_error);
        assert!(is_certificate_error(&io));
        let other = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(!is_certificate_error(&other));
    }
}
