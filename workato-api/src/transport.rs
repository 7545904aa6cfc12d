//! Where the API token may travel: the scheme and host part of the base-URL rule that
//! [`check_base_url`](crate::check_base_url) applies (for the client and for callers that
//! validate a URL earlier, such as the CLI's `--workato-base-url`).

use std::net::IpAddr;

use url::{Host, Url};

/// Whether a request carrying the API token may go to `url`: always over `https`; over plain
/// `http` only to a loopback host (`localhost`, `127.0.0.0/8`, `::1`: tests, local proxies)
/// or when `allow_insecure_http` is set. Any other scheme is refused.
pub(crate) fn transport_allowed(url: &Url, allow_insecure_http: bool) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => allow_insecure_http || is_loopback(url),
        _ => false,
    }
}

/// Whether `url`'s host is the local machine: `localhost` (any case), an IPv4 address in
/// `127.0.0.0/8` or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("valid URL")
    }

    #[test]
    fn https_anywhere_http_on_loopback_only() {
        for ok in [
            "https://www.workato.com",
            "https://10.0.0.1",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://[::1]:9000",
            "http://localhost:1234",
            "http://LocalHost",
        ] {
            assert!(transport_allowed(&url(ok), false), "{ok}");
        }
        for refused in [
            "http://workato.example.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
        ] {
            assert!(!transport_allowed(&url(refused), false), "{refused}");
        }
    }

    #[test]
    fn insecure_opt_in_allows_http_but_no_other_scheme() {
        assert!(transport_allowed(&url("http://workato.example.com"), true));
        assert!(!transport_allowed(&url("ftp://workato.example.com"), true));
    }
}
