//! Service mode: the Workato connector and provisioner handed to `baton-service`, which keeps
//! the connection to ConductorOne, runs its tasks and uploads the syncs (docs/service-mode.md).
//!
//! The Workato side is checked before the first connection to ConductorOne (key, data center,
//! `--sync-resource-types`), so a bad configuration exits at start instead of failing every
//! sync task later.

use std::error::Error as StdError;
use std::sync::Arc;

use anyhow::Context;
use baton_model::proto::ConnectorMetadata;
use baton_service::{Code, ServiceConfig, ServiceConnector};
use workato_api::Client;
use workato_connector::config::ConnectorConfig;
use workato_connector::provision::{ProvisionError, WorkatoProvisioner};
use workato_connector::WorkatoConnector;

use crate::config::Config;
use crate::connect;

/// Package path the Hello reports as the build (ConductorOne shows it beside the version).
pub const PACKAGE: &str = "github.com/example/baton-workato-rs";

/// The Hello metadata: display name, description and capabilities of the connector.
///
/// # Errors
/// The capabilities could not be built (not expected).
pub fn metadata(connector: &WorkatoConnector) -> anyhow::Result<ConnectorMetadata> {
    let info = connector.metadata();
    let capabilities = connector
        .capabilities()
        .context("cannot derive the capabilities")?;
    Ok(ConnectorMetadata {
        display_name: info.display_name.to_string(),
        description: info.description.to_string(),
        capabilities: Some(capabilities),
        ..ConnectorMetadata::default()
    })
}

/// The connector side of service mode for `client` and `settings`: a fresh
/// [`WorkatoConnector`] per sync task (each sync reads the workspace again), and one
/// [`WorkatoProvisioner`] for grants, revokes, account creation and deletion.
///
/// # Errors
/// As [`metadata`].
pub fn connector(client: Client, settings: ConnectorConfig) -> anyhow::Result<ServiceConnector> {
    let metadata = metadata(&WorkatoConnector::new(client.clone(), settings.clone()))?;
    let provisioner = Arc::new(WorkatoProvisioner::new(client.clone(), settings.clone()));
    let factory = move || {
        let client = client.clone();
        let settings = settings.clone();
        async move { Ok(WorkatoConnector::new(client, settings)) }
    };
    Ok(ServiceConnector::new(metadata, factory)
        .provisioner(Arc::clone(&provisioner))
        .account_manager(Arc::clone(&provisioner))
        .resource_deleter(provisioner)
        .error_code(error_code))
}

/// The gRPC code ConductorOne sees for a Workato error, as the Go connector reports them: the
/// API's status keeps its meaning (401 Unauthenticated, 403 PermissionDenied, 404 NotFound,
/// 429/5xx and timeouts Unavailable); a request the connector refuses before any call is
/// InvalidArgument. `None` leaves it to the runtime's default (Unknown).
pub fn error_code(err: &(dyn StdError + 'static)) -> Option<Code> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(api) = e.downcast_ref::<workato_api::Error>() {
            return api_code(api);
        }
        if let Some(p) = e.downcast_ref::<ProvisionError>() {
            if p.is_input_error() {
                return Some(match p {
                    ProvisionError::MemberNotFound(_)
                    | ProvisionError::UnknownRole { .. }
                    | ProvisionError::UnknownProject(_) => Code::NotFound,
                    ProvisionError::UnsupportedCredential(_) => Code::Unimplemented,
                    _ => Code::InvalidArgument,
                });
            }
        }
        cur = e.source();
    }
    None
}

fn api_code(err: &workato_api::Error) -> Option<Code> {
    if err.is_timeout() || err.is_rate_limited() {
        return Some(Code::Unavailable);
    }
    let status = err.status()?.as_u16();
    Some(match status {
        400 | 422 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 | 410 => Code::NotFound,
        409 => Code::AlreadyExists,
        429 | 500..=599 => Code::Unavailable,
        _ => Code::Unknown,
    })
}

/// Runs service mode with the Workato settings of `config` until SIGTERM or SIGINT.
///
/// The Workato key and base URL are checked with one call before ConductorOne is contacted.
///
/// # Errors
/// A bad Workato configuration, a startup failure of the runtime (temp dir, TLS, credentials
/// refused by ConductorOne), or a failure to install the signal handlers.
pub async fn run(config: &Config, service: ServiceConfig) -> anyhow::Result<()> {
    let client = connect::client(config)?;
    let settings = connect::connector_config(config);
    connect::check_resource_types(&client, config, &settings).await?;
    WorkatoConnector::new(client.clone(), settings.clone())
        .validate()
        .await
        .context("cannot connect to Workato")?;
    let connector = connector(client, settings)?;
    serve(service, connector).await
}

/// Runs `connector` under ConductorOne until SIGTERM or SIGINT.
///
/// # Errors
/// As [`baton_service::run`], or the signal handlers could not be installed.
pub async fn serve(service: ServiceConfig, connector: ServiceConnector) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    tracing::info!(
        client_id = %service.client_id.as_str(),
        target = %service.target_host(),
        provisioning = service.provisioning,
        task_concurrency = %service.task_concurrency,
        "service mode: connecting to ConductorOne"
    );
    baton_service::run(service, connector, shutdown)
        .await
        .context("service mode stopped")?;
    tracing::info!("service mode stopped");
    Ok(())
}

/// Resolves on the first SIGTERM or SIGINT. The handlers are installed before this returns, so
/// a signal that arrives while the connection is being set up is not lost (and does not kill
/// the process with the default action).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term =
            signal(SignalKind::terminate()).context("cannot install the SIGTERM handler")?;
        let mut int =
            signal(SignalKind::interrupt()).context("cannot install the SIGINT handler")?;
        Ok(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!(
                signal = name,
                "shutting down: no new tasks; running grants and revokes finish, a running sync is cancelled"
            );
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down on Ctrl-C");
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_input_and_missing_objects_have_their_codes() {
        let e = ProvisionError::MemberNotFound(7);
        assert_eq!(error_code(&e), Some(Code::NotFound));
        let e = ProvisionError::UnsupportedEntitlement("privilege:x:assigned".into());
        assert_eq!(error_code(&e), Some(Code::InvalidArgument));
        let e = ProvisionError::UnsupportedCredential(1);
        assert_eq!(error_code(&e), Some(Code::Unimplemented));
    }

    #[test]
    fn errors_without_a_known_cause_are_left_to_the_runtime() {
        let e = std::io::Error::other("disk full");
        assert_eq!(error_code(&e), None);
    }

    #[test]
    fn metadata_carries_the_capabilities() {
        let client = Client::builder()
            .token(workato_api::ApiToken::new("unused"))
            .build()
            .expect("client");
        let m =
            metadata(&WorkatoConnector::new(client, ConnectorConfig::default())).expect("metadata");
        assert_eq!(m.display_name, "Workato");
        assert!(!m.description.is_empty());
        let caps = m.capabilities.expect("capabilities");
        assert!(!caps.resource_type_capabilities.is_empty());
    }
}
