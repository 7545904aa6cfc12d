//! The token POST and gRPC through an HTTP CONNECT proxy.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{service_connector, start, TestConnector, TestProvisioner, WAIT};

/// A minimal CONNECT proxy recording the request lines it tunnels.
async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read_u8().await {
                        Ok(b) => head.push(b),
                        Err(_) => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let line = text.lines().next().unwrap_or("").to_string();
                record.lock().expect("lock").push(line.clone());
                let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let Ok(mut upstream) = TcpStream::connect(&target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
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
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_and_grpc_go_through_the_proxy() {
    crate::support::init_logs();
    let c1 = baton_service::fake::FakeC1::start().await.expect("fake");
    let (proxy, seen) = connect_proxy().await;
    let config = c1.service_config().expect("config").proxy(Some(proxy));
    let running = start(
        config,
        service_connector(TestConnector::new(0), Arc::new(TestProvisioner::default())),
    );
    c1.wait_for_polls(2, WAIT)
        .await
        .expect("polls through the proxy");
    running.stop().await.expect("stops");
    let lines = seen.lock().expect("lock").clone();
    let expected = format!("CONNECT {} HTTP/1.1", c1.host());
    assert!(
        lines.iter().filter(|l| **l == expected).count() >= 2,
        "one tunnel for the token client and one for gRPC: {lines:?}"
    );
    assert_eq!(c1.hellos().len(), 1);
}
