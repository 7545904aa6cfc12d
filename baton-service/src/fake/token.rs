//! `POST /auth/v1/token`: checks the client assertion and issues `tok-<n>` tokens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use tokio::time::Instant;
use tonic::body::Body;

use super::records::TokenRequestRecord;
use super::server::{bytes_from, plain};
use super::{Rpc, Shared, TokenFault, FAKE_AUDIENCE, FAKE_CLIENT_ID};

fn json(status: http::StatusCode, value: &serde_json::Value) -> http::Response<Body> {
    let mut response = http::Response::new(Body::new(http_body_util::Full::new(bytes_from(
        value.to_string().as_bytes(),
    ))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn decode_part(part: &str) -> Option<serde_json::Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// Checks the form and the JWS; returns the decoded header, claims and the problems found.
fn check(
    form: &HashMap<String, String>,
    keys: &[Vec<u8>],
) -> (serde_json::Value, serde_json::Value, Vec<String>) {
    let mut problems = Vec::new();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        problems.push("grant_type is not client_credentials".to_string());
    }
    if field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
        problems.push("client_assertion_type is not jwt-bearer".to_string());
    }
    if field("client_id") != FAKE_CLIENT_ID {
        problems.push(format!("client_id is not {FAKE_CLIENT_ID}"));
    }
    let jws = field("client_assertion");
    let parts: Vec<&str> = jws.split('.').collect();
    if parts.len() != 3 {
        problems.push("the assertion is not a 3-part compact JWS".to_string());
        return (serde_json::Value::Null, serde_json::Value::Null, problems);
    }
    let header = decode_part(parts[0]).unwrap_or(serde_json::Value::Null);
    let claims = decode_part(parts[1]).unwrap_or(serde_json::Value::Null);
    if header["alg"] != "EdDSA" {
        problems.push("alg is not EdDSA".to_string());
    }
    if header["nonce"].as_str().is_none_or(str::is_empty) {
        problems.push("nonce is missing".to_string());
    }
    let signed = format!("{}.{}", parts[0], parts[1]);
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap_or_default();
    let verified = keys.iter().any(|x| {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, x)
            .verify(signed.as_bytes(), &signature)
            .is_ok()
    });
    if !verified {
        problems.push("the signature does not verify with a registered key".to_string());
    }
    if claims["iss"] != field("client_id") || claims["sub"] != field("client_id") {
        problems.push("iss and sub are not the client id".to_string());
    }
    let aud_ok = match &claims["aud"] {
        serde_json::Value::String(s) => s == FAKE_AUDIENCE,
        serde_json::Value::Array(a) => a.iter().any(|v| v == FAKE_AUDIENCE),
        _ => false,
    };
    if !aud_ok {
        problems.push(format!("aud is not {FAKE_AUDIENCE}"));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (nbf, exp, iat) = (
        claims["nbf"].as_i64().unwrap_or(i64::MAX),
        claims["exp"].as_i64().unwrap_or(i64::MIN),
        claims["iat"].as_i64().unwrap_or(i64::MIN),
    );
    // A few seconds of slack for the clock moving between signing and checking.
    if !(nbf <= now + 5 && now <= exp + 5) {
        problems.push("now is not within nbf..exp".to_string());
    }
    if exp - iat > 300 {
        problems.push("exp - iat is more than 300 s".to_string());
    }
    (header, claims, problems)
}

pub(super) async fn handle(
    shared: Arc<Shared>,
    req: http::Request<Incoming>,
) -> http::Response<Body> {
    if req.method() != http::Method::POST {
        return plain(http::StatusCode::METHOD_NOT_ALLOWED, "POST only");
    }
    let header = |name: http::header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let content_type = header(http::header::CONTENT_TYPE);
    let user_agent = header(http::header::USER_AGENT);
    let version = format!("{:?}", req.version());
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return plain(http::StatusCode::BAD_REQUEST, "unreadable body"),
    };
    shared.delay(Rpc::Token).await;
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let keys = shared.with(|s| s.keys.clone());
    let (jws_header, claims, mut problems) = check(&form, &keys);
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        problems.push("content type is not application/x-www-form-urlencoded".to_string());
    }
    let injected = shared.take_fault(Rpc::Token);
    let fault = shared.with(|s| s.token_fault);
    let (status, response) = if injected.is_some() {
        (
            http::StatusCode::SERVICE_UNAVAILABLE,
            json(
                http::StatusCode::SERVICE_UNAVAILABLE,
                &serde_json::json!({"error": "injected failure"}),
            ),
        )
    } else if fault == Some(TokenFault::Unauthorized) || !problems.is_empty() {
        (
            http::StatusCode::UNAUTHORIZED,
            json(
                http::StatusCode::UNAUTHORIZED,
                &serde_json::json!({"error": "invalid_client", "problems": problems}),
            ),
        )
    } else if fault == Some(TokenFault::ServerError) {
        (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            json(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                &serde_json::json!({"error": "server_error"}),
            ),
        )
    } else {
        let (token, token_type, expires_in) = shared.with(|s| {
            s.token_counter += 1;
            let token = if s.token_fault == Some(TokenFault::EmptyToken) {
                String::new()
            } else {
                format!("tok-{}", s.token_counter)
            };
            if !token.is_empty() {
                s.issued.insert(token.clone());
            }
            (token, s.token_type.clone(), s.expires_in)
        });
        (
            http::StatusCode::OK,
            json(
                http::StatusCode::OK,
                &serde_json::json!({
                    "access_token": token,
                    "token_type": token_type,
                    "expires_in": expires_in,
                }),
            ),
        )
    };
    shared.record(|s| {
        s.token_requests.push(TokenRequestRecord {
            at: Instant::now(),
            version,
            content_type,
            user_agent,
            client_id: form.get("client_id").cloned().unwrap_or_default(),
            header: jws_header,
            claims,
            problems,
            status: status.as_u16(),
        });
    });
    response
}
