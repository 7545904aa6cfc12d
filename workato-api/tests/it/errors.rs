//! Error messages users read, as snapshots: one per body shape plus permission hints.
//! Every error is also checked for the token.

use std::error::Error as _;

use futures::TryStreamExt;
use workato_api::{ApiToken, Client, Error, MemberId, RetryPolicy};

use crate::support::*;

/// Display, Debug and the whole source chain are free of the token.
fn assert_no_token(err: &Error) {
    let mut texts = vec![err.to_string(), format!("{err:?}"), format!("{err:#}")];
    let mut source = err.source();
    while let Some(s) = source {
        texts.push(s.to_string());
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    for text in texts {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("SECRET"), "token leaked: {text}");
    }
}

/// Answers the members list with `status` and `body`, returns the error (no retries).
async fn members_list_error(status: usize, body: &str) -> Error {
    let mut s = server().await;
    let m = once(reply_status(
        no_body(&mut s, "GET", "/api/members"),
        status,
        body,
    ))
    .await;
    let guard = catch_all(&mut s).await;
    let err = client_with(&s, RetryPolicy::none())
        .members()
        .list()
        .send()
        .await
        .expect_err("error status");
    m.assert_async().await;
    guard.verify().await;
    assert_no_token(&err);
    err
}

#[test]
fn jsonapi_errors_title() {
    block_on(async {
        let err = members_list_error(
            400,
            r#"{"errors":[{"title":"Invalid filter","code":"invalid"}]}"#,
        )
        .await;
        insta::assert_snapshot!(err, @"GET /api/members failed with HTTP 400 Bad Request: Invalid filter");
    })
}

#[test]
fn plain_message() {
    block_on(async {
        let err = members_list_error(404, r#"{"message":"Not found"}"#).await;
        insta::assert_snapshot!(err, @"GET /api/members failed with HTTP 404 Not Found: Not found");
    })
}

#[test]
fn validation_message_with_field_errors() {
    block_on(async {
        let err = members_list_error(
        422,
        r#"{"message":"Validation failed","errors":{"email":["is invalid"],"name":["can't be blank"]}}"#,
    )
    .await;
        insta::assert_snapshot!(err);
    })
}

#[test]
fn error_and_error_type() {
    block_on(async {
        let err =
            members_list_error(409, r#"{"error":"Already exists","error_type":"conflict"}"#).await;
        insta::assert_snapshot!(err);
    })
}

#[test]
fn raw_text_body_is_bounded() {
    block_on(async {
        let long = format!("<html>{}</html>", "x".repeat(2000));
        let err = members_list_error(500, &long).await;
        match &err {
            Error::Api {
                body_excerpt,
                message,
                ..
            } => {
                assert!(
                    body_excerpt.len() <= 520,
                    "excerpt {} bytes",
                    body_excerpt.len()
                );
                assert!(message.len() <= 520);
            }
            other => panic!("unexpected {other:?}"),
        }
        let short = members_list_error(502, "Bad Gateway").await;
        insta::assert_snapshot!(short, @"GET /api/members failed with HTTP 502 Bad Gateway: Bad Gateway");
    })
}

#[test]
fn unauthorized_names_the_permission() {
    block_on(async {
        let err = members_list_error(401, r#"{"message":"Unauthorized"}"#).await;
        assert_eq!(
            err.missing_permission(),
            Some("Collaborators › Get collaborators")
        );
        insta::assert_snapshot!(err);
    })
}

#[test]
fn forbidden_names_the_permission() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply_status(
            no_body(
                &mut s,
                "GET",
                "/api/environment_roles?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            403,
            r#"{"errors":[{"title":"Forbidden"}]}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s)
            .environment_roles()
            .list()
            .into_stream()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("403");
        assert_eq!(err.missing_permission(), Some("Environment roles"));
        assert_no_token(&err);
        insta::assert_snapshot!(err);
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn unauthorized_connectivity_check_blames_the_token() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply_status(
            no_body(&mut s, "GET", "/api/projects?page=1&per_page=1"),
            401,
            r#"{"message":"Unauthorized"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s).projects().first().await.expect_err("401");
        assert_eq!(
            err.missing_permission(),
            Some("Projects & folders › List projects")
        );
        assert!(!err.needs_dev_access());
        assert_no_token(&err);
        insta::assert_snapshot!(err, @r#"GET /api/projects failed with HTTP 401 Unauthorized: Unauthorized (the API token is invalid or revoked, or its API client role lacks the "Projects & folders › List projects" permission)"#);
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn workspace_details_refused_names_its_own_permission() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply_status(
            no_body(&mut s, "GET", "/api/users/me"),
            403,
            r#"{"message":"Forbidden"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s).workspace().get().await.expect_err("403");
        assert_eq!(
            err.missing_permission(),
            Some("Workspace details › Get details")
        );
        assert!(err.needs_dev_access());
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn decode_error_names_the_json_path() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            no_body(&mut s, "GET", "/api/members/4"),
            r#"{"data":{"id":4,"roles":[{"role_name":"Admin"}]}}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s)
            .members()
            .get(MemberId(4))
            .await
            .expect_err("missing environment_type");
        assert!(
            matches!(err, Error::Decode { ref json_path, .. } if json_path == "data.roles[0]"),
            "{err:?}"
        );
        assert_no_token(&err);
        insta::assert_snapshot!(format!(
            "{err} / caused by: {}",
            err.source().map(ToString::to_string).unwrap_or_default()
        ));
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn decode_error_in_a_page_names_the_item() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/user_groups?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            r#"{"data":[{"id":"am-1","name":"A"},{"id":true,"name":"B"}]}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s)
            .user_groups()
            .list()
            .into_stream()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("bad id");
        insta::assert_snapshot!(err, @"GET /api/user_groups: unexpected response body at `data[1].id`");
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn transport_error_after_retries() {
    block_on(async {
        // Port 9 on loopback: nothing listens there, the connection is refused.
        let client = Client::builder()
            .token(ApiToken::new(TOKEN))
            .base_url("http://127.0.0.1:9")
            .rate_limit_all(0)
            .retry_policy(fast_retry())
            .build()
            .expect("client");
        let err = client.workspace().get().await.expect_err("refused");
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(err.is_retryable());
        assert_eq!(
            client.stats().retries,
            2,
            "GET transport failures are retried"
        );
        assert_no_token(&err);
        insta::assert_snapshot!(err, @"GET /api/users/me: no response from Workato");
    })
}

#[test]
fn unauthorized_rbac_v2_endpoint_mentions_migration() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply_status(
            no_body(&mut s, "GET", "/api/project_grants/pg-1"),
            401,
            r#"{"message":"Unauthorized"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s)
            .project_grants()
            .get(&"pg-1".into())
            .await
            .expect_err("401");
        assert_eq!(err.missing_permission(), Some("Project grants"));
        assert_no_token(&err);
        insta::assert_snapshot!(err);
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn forbidden_members_names_the_permission_and_dev_access() {
    block_on(async {
        let err = members_list_error(403, r#"{"message":"Forbidden"}"#).await;
        assert_eq!(
            err.missing_permission(),
            Some("Collaborators › Get collaborators")
        );
        assert!(err.needs_dev_access());
        insta::assert_snapshot!(err, @r#"GET /api/members failed with HTTP 403 Forbidden: Forbidden (the API client role lacks the "Collaborators › Get collaborators" permission, or the API client has no access to the DEV environment, which Workato requires for this endpoint)"#);
    })
}

#[test]
fn forbidden_role_update_names_update_collaborators_roles() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply_status(
            s.mock("PUT", "/api/members/1002"),
            403,
            r#"{"message":"Forbidden"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let err = client(&s)
            .members()
            .update_roles(
                MemberId(1002),
                vec![workato_api::EnvRoleAssignment::new(
                    workato_api::EnvironmentType::Dev,
                    "Operator",
                )],
            )
            .await
            .expect_err("403");
        assert_eq!(
            err.missing_permission(),
            Some(workato_api::permissions::UPDATE_COLLABORATOR_ROLES)
        );
        assert!(
            err.to_string().contains("Update collaborators' roles"),
            "{err}"
        );
        assert_no_token(&err);
        // 403 is final: exactly one PUT, no retry.
        m.assert_async().await;
        guard.verify().await;
    })
}
