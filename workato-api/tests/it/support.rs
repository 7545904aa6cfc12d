//! Shared helpers: a client wired to a mock server, request matchers, the catch-all.

use std::future::Future;
use std::time::Duration;

use mockito::{Matcher, Mock, ServerGuard};
use serde_json::Value;
use workato_api::{ApiToken, Client, RetryPolicy};

/// Runs an async test body on a fresh current-thread runtime with I/O and timers enabled; in
/// place of `#[tokio::test]`, so that tokio's `macros` feature stays out of the dependency tree.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime builds")
        .block_on(future)
}

/// A recognisable token: tests assert it never shows up in output.
pub const TOKEN: &str = "wrkatok-SECRET-3f9a1c";
pub const BEARER: &str = "Bearer wrkatok-SECRET-3f9a1c";

/// Tiny backoffs so retry tests run fast; 3 attempts in all.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(4),
        ..RetryPolicy::default()
    }
}

pub async fn server() -> ServerGuard {
    mockito::Server::new_async().await
}

/// A client for `server` with no rate limit and [`fast_retry`].
pub fn client(server: &ServerGuard) -> Client {
    client_with(server, fast_retry())
}

pub fn client_with(server: &ServerGuard, retry: RetryPolicy) -> Client {
    Client::builder()
        .token(ApiToken::new(TOKEN))
        .base_url(server.url())
        .rate_limit_all(0)
        .retry_policy(retry)
        .build()
        .expect("client builds")
}

/// A request without body (GET, DELETE): bearer auth, JSON accepted, no content type, no body.
pub fn no_body(server: &mut ServerGuard, method: &str, path_and_query: &str) -> Mock {
    server
        .mock(method, path_and_query)
        .match_header("authorization", BEARER)
        .match_header("accept", "application/json")
        .match_header("content-type", Matcher::Missing)
        .match_body(Matcher::Exact(String::new()))
}

/// A request with exactly this JSON body.
pub fn with_json(server: &mut ServerGuard, method: &str, path: &str, body: Value) -> Mock {
    server
        .mock(method, path)
        .match_header("authorization", BEARER)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(body))
}

/// Answers 200 with a JSON body.
pub fn reply(mock: Mock, body: impl ToString) -> Mock {
    reply_status(mock, 200, body)
}

pub fn reply_status(mock: Mock, status: usize, body: impl ToString) -> Mock {
    mock.with_status(status)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(body.to_string())
}

/// The lowest-priority mocks (created last, never "missing hits"): anything no other mock
/// expects gets a 500 "unexpected request" and fails [`CatchAll::verify`].
pub struct CatchAll(Vec<Mock>);

pub async fn catch_all(server: &mut ServerGuard) -> CatchAll {
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
        mocks.push(
            server
                .mock(method, Matcher::Any)
                .with_status(500)
                .with_body("unexpected request")
                .expect(0)
                .create_async()
                .await,
        );
    }
    CatchAll(mocks)
}

impl CatchAll {
    pub async fn verify(self) {
        for mock in self.0 {
            mock.assert_async().await;
        }
    }
}

/// A JSON:API-style page body.
pub fn jsonapi_page(items: &[Value], number: u32, total: usize) -> Value {
    serde_json::json!({"data": items, "total": total, "page": {"number": number, "size": 100}})
}

/// Registers `mock` to be hit exactly once (checked by `assert_async`).
pub async fn once(mock: Mock) -> Mock {
    mock.expect(1).create_async().await
}
