//! Retry behaviour against a server: scripted failures, then success; exact call counts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use serde_json::json;
use workato_api::{
    ApiToken, Client, EnvRoleAssignment, EnvironmentType, Family, Invitation, MemberId, RetryPolicy,
};

use crate::support::*;

#[test]
fn retries_429_without_retry_after_then_succeeds() {
    block_on(async {
        let mut s = server().await;
        let limited = reply_status(
            no_body(&mut s, "GET", "/api/users/me"),
            429,
            r#"{"message":"Too many"}"#,
        )
        .expect(2)
        .create_async()
        .await;
        let ok = once(reply(
            no_body(&mut s, "GET", "/api/users/me"),
            r#"{"id":1}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        client
            .workspace()
            .get()
            .await
            .expect("third attempt succeeds");
        let stats = client.stats();
        assert_eq!(
            (
                stats.requests_for(Family::Workspace),
                stats.rate_limited,
                stats.retries
            ),
            (3, 2, 2)
        );
        limited.assert_async().await;
        ok.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn retries_429_with_retry_after() {
    block_on(async {
        let mut s = server().await;
        let limited = once(
            reply_status(
                no_body(&mut s, "GET", "/api/roles?page=1&per_page=100"),
                429,
                "{}",
            )
            .with_header("retry-after", "0"),
        )
        .await;
        let ok = once(reply(
            no_body(&mut s, "GET", "/api/roles?page=1&per_page=100"),
            "[]",
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let roles: Vec<_> = client
            .roles()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("retried page");
        assert!(roles.is_empty());
        assert_eq!(
            (client.stats().rate_limited, client.stats().retries),
            (1, 1)
        );
        limited.assert_async().await;
        ok.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn retries_503_then_succeeds_for_put() {
    block_on(async {
        let mut s = server().await;
        let body = json!({"env_roles": [{"environment_type": "dev", "name": "Admin"}]});
        let down = once(reply_status(
            with_json(&mut s, "PUT", "/api/members/3", body.clone()),
            503,
            "unavailable",
        ))
        .await;
        let ok = once(reply(
            with_json(&mut s, "PUT", "/api/members/3", body),
            "{}",
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        client
            .members()
            .update_roles(
                MemberId(3),
                vec![EnvRoleAssignment::new(EnvironmentType::Dev, "Admin")],
            )
            .await
            .expect("retried");
        assert_eq!(
            (client.stats().retries, client.stats().rate_limited),
            (1, 0)
        );
        down.assert_async().await;
        ok.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn gives_up_after_max_attempts() {
    block_on(async {
        let mut s = server().await;
        let down = reply_status(no_body(&mut s, "GET", "/api/members"), 502, "bad gateway")
            .expect(3)
            .create_async()
            .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let err = client
            .members()
            .list()
            .send()
            .await
            .expect_err("still failing");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
        assert!(err.is_retryable());
        assert_eq!(client.stats().retries, 2);
        down.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn no_retry_on_client_errors() {
    block_on(async {
        for status in [400, 401, 403, 404, 409, 422, 501] {
            let mut s = server().await;
            let m = once(reply_status(
                no_body(&mut s, "GET", "/api/project_roles/9"),
                status,
                r#"{"message":"no"}"#,
            ))
            .await;
            let guard = catch_all(&mut s).await;
            let client = client(&s);

            let err = client
                .project_roles()
                .get(&9.into())
                .await
                .expect_err("fails");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status as u16));
            assert_eq!(client.stats().retries, 0, "status {status}");
            m.assert_async().await;
            guard.verify().await;
        }
    })
}

fn invitation() -> (Invitation, serde_json::Value) {
    let invitation = Invitation {
        name: "Bob".into(),
        email: "bob@example.com".into(),
        env_roles: vec![EnvRoleAssignment::new(EnvironmentType::Dev, "Analyst")],
        user_group_ids: vec![],
    };
    let body = json!({"name": "Bob", "email": "bob@example.com",
                      "env_roles": [{"environment_type": "dev", "name": "Analyst"}]});
    (invitation, body)
}

#[test]
fn post_invite_not_retried_on_503() {
    block_on(async {
        let mut s = server().await;
        let (invitation, body) = invitation();
        let down = once(reply_status(
            with_json(&mut s, "POST", "/api/member_invitations", body),
            503,
            "unavailable",
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let err = client
            .members()
            .invite(&invitation)
            .await
            .expect_err("not retried");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(client.stats().retries, 0);
        down.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn post_invite_retried_on_429() {
    block_on(async {
        let mut s = server().await;
        let (invitation, body) = invitation();
        let limited = once(reply_status(
            with_json(&mut s, "POST", "/api/member_invitations", body.clone()),
            429,
            "{}",
        ))
        .await;
        let ok = once(reply(
            with_json(&mut s, "POST", "/api/member_invitations", body),
            r#"{"result":"ok"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        client
            .members()
            .invite(&invitation)
            .await
            .expect("retried after 429");
        assert_eq!(
            (client.stats().rate_limited, client.stats().retries),
            (1, 1)
        );
        limited.assert_async().await;
        ok.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn policy_none_does_not_retry_429() {
    block_on(async {
        let mut s = server().await;
        let limited = once(reply_status(
            no_body(&mut s, "GET", "/api/users/me"),
            429,
            "{}",
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client_with(&s, RetryPolicy::none());

        let err = client.workspace().get().await.expect_err("429");
        assert!(err.is_rate_limited());
        limited.assert_async().await;
        guard.verify().await;
    })
}

/// A loopback server that accepts connections and never answers; counts connections (each
/// timed-out attempt drops its connection, so the next attempt opens a new one).
/// Not mockito: a blocking mock body would stall mockito's shared server pool.
async fn black_hole() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (format!("http://{addr}"), accepted)
}

fn timeout_client(base_url: &str) -> Client {
    Client::builder()
        .token(ApiToken::new(TOKEN))
        .base_url(base_url)
        .rate_limit_all(0)
        .timeout(Duration::from_millis(50))
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            ..fast_retry()
        })
        .build()
        .expect("client")
}

#[test]
fn get_timeout_is_retried_then_reported() {
    block_on(async {
        let (url, accepted) = black_hole().await;
        let client = timeout_client(&url);

        let err = client.workspace().get().await.expect_err("times out");
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(client.stats().retries, 1);
        assert_eq!(client.stats().requests_for(Family::Workspace), 2);
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    })
}

#[test]
fn post_timeout_is_not_retried() {
    block_on(async {
        let (url, accepted) = black_hole().await;
        let client = timeout_client(&url);

        let err = client
            .members()
            .add_existing("x@example.com")
            .await
            .expect_err("times out");
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(client.stats().retries, 0);
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    })
}
