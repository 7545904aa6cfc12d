//! Builds the Workato API client from the validated [`Config`].

use anyhow::Context;
use workato_api::{ApiToken, Client, DataCenter};

use crate::config::Config;

/// The user agent sent to Workato.
pub const USER_AGENT: &str = concat!("baton-workato-rs/", env!("CARGO_PKG_VERSION"));

/// The API client for `config`: its key, and its base URL override or data center.
pub fn client(config: &Config) -> anyhow::Result<Client> {
    let key = config
        .api_key
        .as_ref()
        .context("internal: no API key for an action that calls Workato")?;
    let mut builder = Client::builder()
        .token(ApiToken::new(key.expose()))
        .user_agent(USER_AGENT);
    builder = match &config.base_url {
        Some(url) => builder.base_url(url.as_str()),
        None => builder.data_center(
            config
                .data_center
                .parse::<DataCenter>()
                .context("internal: data center not validated")?,
        ),
    };
    let client = builder
        .build()
        .context("cannot configure the Workato API client")?;
    tracing::debug!(base_url = %client.base_url(), "Workato API client ready");
    Ok(client)
}

/// A client for `url` with `token` (the demo's fake server).
pub fn client_for(url: &str, token: &str) -> anyhow::Result<Client> {
    Client::builder()
        .token(ApiToken::new(token))
        .base_url(url)
        .user_agent(USER_AGENT)
        .build()
        .context("cannot configure the Workato API client")
}
