//! A corporate network: Workato reached over HTTPS whose certificate comes from a private CA
//! (as a TLS-inspecting proxy presents), trusted only through `SSL_CERT_FILE` (or
//! `SSL_CERT_DIR`), both directly and through an `HTTPS_PROXY` that tunnels with `CONNECT`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use workato_api::fake::{FakeWorkato, Seed, TlsIdentity};

use crate::support::{error_line, fake_env, run_env, Output};

/// A CA (PEM), and a `127.0.0.1`/`localhost` server certificate and key it signed (PEM).
struct Minted {
    ca: String,
    cert: String,
    key: String,
}

fn mint(name: &str) -> Minted {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().expect("ca key");
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("leaf params");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_cert = leaf
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .expect("leaf cert");
    Minted {
        ca: ca_cert.pem(),
        cert: leaf_cert.pem(),
        key: leaf_key.serialize_pem(),
    }
}

async fn tls_fake(minted: &Minted) -> FakeWorkato {
    FakeWorkato::builder(Seed::default_workspace())
        .tls(TlsIdentity::from_pem(&minted.cert, &minted.key).expect("identity"))
        .start()
        .await
        .expect("start the fake Workato server over TLS")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write PEM");
    path.display().to_string()
}

/// A loopback HTTP proxy that only tunnels: it answers `CONNECT host:port` with 200 and copies
/// bytes both ways; it records every CONNECT target.
struct ConnectProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    async fn start() -> ConnectProxy {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(tunnel(client, Arc::clone(&log)));
            }
        });
        ConnectProxy { url, seen }
    }

    fn connects(&self) -> Vec<String> {
        self.seen.lock().expect("proxy log").clone()
    }
}

async fn tunnel(mut client: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so nothing past the request head (the TLS ClientHello) is consumed.
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
        if head.len() > 8192 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    seen.lock().expect("proxy log").push(target.to_owned());
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

fn assert_synced(out: &Output) {
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("synced sync.c1z:"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_ca_trusted_through_ssl_cert_file_directly_and_through_a_connect_proxy() {
    let minted = mint("corporate inspection CA");
    let fake = tls_fake(&minted).await;
    assert!(fake.url().starts_with("https://"), "{}", fake.url());
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_file = write(dir.path(), "corp-ca.pem", &minted.ca);
    let mut env = fake_env(&fake);
    env.push(("SSL_CERT_FILE".to_owned(), ca_file));

    // Directly.
    let direct = dir.path().join("direct");
    std::fs::create_dir(&direct).expect("dir");
    assert_synced(&run_env(&direct, &[], &env).await);
    let direct_requests = fake.total_requests();
    assert!(direct_requests > 0);

    // Through the proxy: every connection is a CONNECT to the fake's address.
    let proxy = ConnectProxy::start().await;
    env.push(("HTTPS_PROXY".to_owned(), proxy.url.clone()));
    let proxied = dir.path().join("proxied");
    std::fs::create_dir(&proxied).expect("dir");
    assert_synced(&run_env(&proxied, &[], &env).await);
    let connects = proxy.connects();
    assert!(!connects.is_empty(), "the proxy saw no CONNECT");
    let target = fake.url().trim_start_matches("https://").to_owned();
    assert!(
        connects.iter().all(|c| *c == target),
        "{connects:?} vs {target}"
    );
    assert_eq!(fake.total_requests(), 2 * direct_requests);

    // NO_PROXY still bypasses it.
    let seen = connects.len();
    env.push(("NO_PROXY".to_owned(), "127.0.0.1".to_owned()));
    let bypass = dir.path().join("bypass");
    std::fs::create_dir(&bypass).expect("dir");
    assert_synced(&run_env(&bypass, &[], &env).await);
    assert_eq!(proxy.connects().len(), seen, "NO_PROXY ignored");

    // SSL_CERT_DIR alone works too: every PEM file in the directory is trusted.
    let ca_dir = dir.path().join("ca.d");
    std::fs::create_dir(&ca_dir).expect("dir");
    write(&ca_dir, "corp.pem", &minted.ca);
    let mut env = fake_env(&fake);
    env.push(("SSL_CERT_DIR".to_owned(), ca_dir.display().to_string()));
    let from_dir = dir.path().join("from-dir");
    std::fs::create_dir(&from_dir).expect("dir");
    assert_synced(&run_env(&from_dir, &[], &env).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_fails_clearly() {
    let minted = mint("corporate inspection CA");
    let fake = tls_fake(&minted).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let base = fake_env(&fake);

    // Trusting only another CA: the fake's certificate has an unknown issuer. One attempt,
    // no retries (it would fail the same way).
    let other = mint("some other CA");
    let mut env = base.clone();
    env.push((
        "SSL_CERT_FILE".to_owned(),
        write(dir.path(), "other-ca.pem", &other.ca),
    ));
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("the server's TLS certificate is not trusted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("SSL_CERT_FILE"), "{}", out.stderr);
    assert!(out.stderr.contains("UnknownIssuer"), "{}", out.stderr);
    let port = fake.addr().port().to_string();
    insta::assert_snapshot!(error_line(&out).replace(&port, "[PORT]"), @"error: cannot connect to Workato: validating the connection failed (GET /api/projects): GET /api/projects: the server's TLS certificate is not trusted (behind a TLS-inspecting proxy, add the proxy's CA certificate to the system store or point SSL_CERT_FILE at it): error sending request for url (https://127.0.0.1:[PORT]/api/projects?page=1&per_page=1): client error (Connect): invalid peer certificate: UnknownIssuer");
    assert!(!out.stderr.contains(fake.token()));
    assert_eq!(fake.total_requests(), 0, "no request got through");

    // Without SSL_CERT_FILE the platform store does not know the test CA either (or the
    // machine has no CA bundle at all): either way a certificate error, no sync.
    let out = run_env(dir.path(), &[], &base).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("the server's TLS certificate is not trusted")
            || out.stderr.contains("no trusted CA certificates found"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("sync.c1z").exists());

    // SSL_CERT_FILE naming nothing: stop before any request, saying what to do.
    let mut env = base.clone();
    let missing = dir.path().join("no-such-ca.pem").display().to_string();
    env.push(("SSL_CERT_FILE".to_owned(), missing.clone()));
    let out = run_env(dir.path(), &[], &env).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains(&format!(
            "no trusted CA certificates found in SSL_CERT_FILE={missing}"
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("ca-certificates"), "{}", out.stderr);
    assert_eq!(fake.total_requests(), 0);
}
