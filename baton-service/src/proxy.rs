//! `HTTPS_PROXY` for the gRPC channel: an HTTP `CONNECT` tunnel through the proxy, with TLS to
//! ConductorOne inside it (docs/service-mode.md, "Transport"). The token POST gets the same
//! behaviour from reqwest.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::Uri;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Largest proxy answer header accepted.
const MAX_ANSWER: usize = 16 * 1024;

/// An HTTP proxy to tunnel through.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    /// `host:port` of the proxy.
    authority: String,
    /// `Basic …` value for `Proxy-Authorization`, from the URL's user info.
    authorization: Option<String>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("authority", &self.authority)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Proxy {
    /// `host:port` of the proxy (never its credentials).
    pub(crate) fn authority(&self) -> &str {
        &self.authority
    }
}

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok())
        .filter(|v| !v.trim().is_empty())
}

/// The proxy for `host` (no port) from `HTTPS_PROXY`/`https_proxy`/`ALL_PROXY`/`all_proxy`,
/// unless `NO_PROXY`/`no_proxy` exempts the host.
pub(crate) fn from_env(host: &str) -> Option<Proxy> {
    let proxy = env(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])?;
    let no_proxy = env(&["NO_PROXY", "no_proxy"]).unwrap_or_default();
    select(&proxy, &no_proxy, host)
}

/// Pure part of [`from_env`].
pub(crate) fn select(proxy: &str, no_proxy: &str, host: &str) -> Option<Proxy> {
    if exempt(no_proxy, host) {
        return None;
    }
    match parse(proxy) {
        Some(p) => Some(p),
        None => {
            tracing::warn!("HTTPS_PROXY is not an http://host[:port] URL; gRPC connects directly");
            None
        }
    }
}

/// `NO_PROXY` rules: `*`, an exact host or IP, or a domain matching itself and its subdomains
/// (with or without a leading dot).
fn exempt(no_proxy: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    no_proxy
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let domain = entry.trim_start_matches('.');
            host == domain || host.ends_with(&format!(".{domain}"))
        })
}

/// `http://[user:pass@]host[:port]` (scheme optional, default port 80). An `https://` proxy
/// (TLS to the proxy itself) is not supported.
fn parse(url: &str) -> Option<Proxy> {
    let url = url.trim();
    let with_scheme = if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    let uri: Uri = with_scheme.parse().ok()?;
    if uri.scheme_str() != Some("http") {
        return None;
    }
    let authority = uri.authority()?.as_str();
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if hostport.is_empty() {
        return None;
    }
    let authority = if uri.port_u16().is_some() {
        hostport.to_string()
    } else {
        format!("{hostport}:80")
    };
    let authorization = userinfo.map(|u| format!("Basic {}", STANDARD.encode(u)));
    Some(Proxy {
        authority,
        authorization,
    })
}

/// The connector tonic uses when a proxy applies: TCP to the proxy, `CONNECT host:port`, then
/// the raw stream (tonic adds TLS on top).
#[derive(Clone, Debug)]
pub(crate) struct ProxyConnector {
    proxy: Proxy,
}

impl ProxyConnector {
    pub(crate) fn new(proxy: Proxy) -> Self {
        ProxyConnector { proxy }
    }
}

/// Why the tunnel could not be opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TunnelError {
    #[error("cannot reach the proxy {proxy}")]
    Connect {
        proxy: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the proxy {proxy} refused the tunnel: {status_line}")]
    Refused { proxy: String, status_line: String },
    #[error("the proxy {proxy} sent no valid answer to CONNECT")]
    BadAnswer { proxy: String },
    #[error("the gRPC target {0} has no host")]
    NoHost(String),
}

async fn tunnel(proxy: Proxy, target: Uri) -> Result<TokioIo<TcpStream>, TunnelError> {
    let host = target
        .host()
        .ok_or_else(|| TunnelError::NoHost(target.to_string()))?;
    let port = target.port_u16().unwrap_or(443);
    let connect_err = |source| TunnelError::Connect {
        proxy: proxy.authority.clone(),
        source,
    };
    let mut stream = TcpStream::connect(&proxy.authority)
        .await
        .map_err(connect_err)?;
    let mut request = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n");
    if let Some(auth) = &proxy.authorization {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(connect_err)?;
    // Read byte by byte up to the blank line so no tunnelled byte is consumed.
    let mut answer = Vec::with_capacity(256);
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_ANSWER {
            return Err(TunnelError::BadAnswer {
                proxy: proxy.authority.clone(),
            });
        }
        let byte = stream.read_u8().await.map_err(|_| TunnelError::BadAnswer {
            proxy: proxy.authority.clone(),
        })?;
        answer.push(byte);
    }
    let text = String::from_utf8_lossy(&answer);
    let status_line = text.lines().next().unwrap_or("").to_string();
    let ok = status_line
        .split_whitespace()
        .nth(1)
        .is_some_and(|code| code.len() == 3 && code.starts_with('2'));
    if !ok {
        return Err(TunnelError::Refused {
            proxy: proxy.authority.clone(),
            status_line,
        });
    }
    Ok(TokioIo::new(stream))
}

impl tower_service::Service<Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = TunnelError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, TunnelError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        Box::pin(tunnel(self.proxy.clone(), target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_parse_with_default_port_and_basic_auth() {
        let p = parse("http://proxy.internal:3128").expect("valid");
        assert_eq!(p.authority(), "proxy.internal:3128");
        assert_eq!(p.authorization, None);
        let p = parse("proxy.internal").expect("valid");
        assert_eq!(p.authority(), "proxy.internal:80");
        let p = parse("http://user:pa%20ss@proxy:8080").expect("valid");
        assert_eq!(p.authority(), "proxy:8080");
        assert_eq!(
            p.authorization.as_deref(),
            Some(format!("Basic {}", STANDARD.encode("user:pa%20ss")).as_str())
        );
        assert!(
            !format!("{p:?}").contains("user:pa"),
            "Debug hides credentials"
        );
        assert_eq!(parse("https://proxy:443"), None);
        assert_eq!(parse("socks5://proxy:1080"), None);
    }

    #[test]
    fn no_proxy_matches_hosts_domains_and_star() {
        assert!(exempt("*", "acme.conductor.one"));
        assert!(exempt("localhost, 127.0.0.1", "127.0.0.1"));
        assert!(exempt(".conductor.one", "acme.conductor.one"));
        assert!(exempt("conductor.one", "acme.conductor.one"));
        assert!(exempt("conductor.one", "conductor.one"));
        assert!(!exempt("conductor.one", "notconductor.one"));
        assert!(!exempt("", "acme.conductor.one"));
        assert_eq!(
            select("http://p:1", "acme.conductor.one", "acme.conductor.one"),
            None
        );
        assert!(select("http://p:1", "", "acme.conductor.one").is_some());
    }
}
