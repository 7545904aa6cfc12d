//! The TLS listener and the routing between the token endpoint and gRPC.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tonic::body::Body;

use super::{grpc, token, Shared};

pub(super) async fn serve(listener: TcpListener, acceptor: TlsAcceptor, shared: Arc<Shared>) {
    // Connections live in this set so that stopping the server (aborting this task) ends them.
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(route(shared, req).await) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

async fn route(shared: Arc<Shared>, req: http::Request<Incoming>) -> http::Response<Body> {
    let is_grpc = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/grpc"))
        || req
            .uri()
            .path()
            .starts_with("/c1.connectorapi.baton.v1.BatonService/");
    if is_grpc {
        grpc::dispatch(shared, req).await
    } else if req.uri().path() == "/auth/v1/token" {
        token::handle(shared, req).await
    } else {
        plain(http::StatusCode::NOT_FOUND, "not found")
    }
}

/// A plain-text response.
pub(super) fn plain(status: http::StatusCode, text: &str) -> http::Response<Body> {
    let mut response = http::Response::new(Body::new(http_body_util::Full::new(bytes_from(
        text.as_bytes(),
    ))));
    *response.status_mut() = status;
    response
}

pub(super) fn bytes_from(b: &[u8]) -> hyper::body::Bytes {
    hyper::body::Bytes::copy_from_slice(b)
}
