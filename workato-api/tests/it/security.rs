//! The token stays secret and never travels over plain http off loopback.

use workato_api::{ApiToken, BuildError, Client, DataCenter};

use crate::support::TOKEN;

#[test]
fn plain_http_refused_for_remote_hosts() {
    for url in [
        "http://www.workato.com",
        "http://10.0.0.8:8080",
        "http://[2001:db8::1]/",
    ] {
        let err = Client::builder()
            .token(ApiToken::new(TOKEN))
            .base_url(url)
            .build()
            .expect_err("insecure");
        assert!(
            matches!(err, BuildError::InsecureHttp { .. }),
            "{url}: {err:?}"
        );
        assert!(!err.to_string().contains(TOKEN));
    }
    let err = Client::builder()
        .token(ApiToken::new(TOKEN))
        .base_url("http://www.workato.com")
        .build()
        .expect_err("insecure");
    insta::assert_snapshot!(err);
}

#[test]
fn loopback_and_opt_in_allowed() {
    for url in [
        "http://127.0.0.1:1234",
        "http://localhost",
        "http://[::1]:80",
    ] {
        Client::builder()
            .token(ApiToken::new(TOKEN))
            .base_url(url)
            .build()
            .expect(url);
    }
    Client::builder()
        .token(ApiToken::new(TOKEN))
        .base_url("http://fake.internal:8080")
        .allow_insecure_http(true)
        .build()
        .expect("opt-in");
}

#[test]
fn client_and_builder_debug_hide_the_token() {
    let builder = Client::builder()
        .token(ApiToken::new(TOKEN))
        .data_center(DataCenter::Jp);
    let builder_debug = format!("{builder:?}");
    assert!(!builder_debug.contains(TOKEN), "{builder_debug}");
    let client = builder.build().expect("client");
    let debug = format!("{client:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("https://app.jp.workato.com/"), "{debug}");
}
