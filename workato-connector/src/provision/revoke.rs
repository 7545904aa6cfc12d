//! Revoking a legacy role or an environment role (upstream cannot revoke:
//! docs/decisions.md#d10-revoke-works).
//!
//! Workato has no "remove this role" call: a collaborator holds one role per environment, and
//! a revoke sets that environment to the configured baseline (`NoAccess` by default) — but only
//! if the collaborator still holds the revoked role there. If it holds another role (granted
//! since) or none, the grant is already gone and nothing is sent: resetting the environment
//! would take away access the revoke never named. Other environments are never listed in the
//! PUT, so they cannot change.

use baton_model::provision::RevokeOutcome;
use workato_api::MemberId;

use super::error::ProvisionError;
use super::grant::member_key;
use super::lookup;
use super::plan::{plan_revoke, BaselineConflict, RevokePlan};
use super::target::RoleTarget;
use super::WorkatoProvisioner;

impl WorkatoProvisioner {
    pub(super) async fn revoke_role(
        &self,
        member: MemberId,
        target: &RoleTarget,
    ) -> Result<RevokeOutcome, ProvisionError> {
        let name = lookup::role_name(&self.client, target.role).await?;
        let _guard = self.locks.lock(member_key(member)).await;
        let Some(current) = lookup::member(&self.client, member).await? else {
            // A deleted collaborator holds nothing.
            tracing::info!(member = %member, "collaborator no longer exists; grant already gone");
            return Ok(RevokeOutcome::AlreadyRevoked);
        };
        let plan = plan_revoke(
            &current,
            target.env,
            &name,
            target.role.family(),
            &self.config,
        )
        .map_err(|BaselineConflict| ProvisionError::BaselineIsRevokedRole { role: name.clone() })?;
        match plan {
            RevokePlan::NotHeld => {
                tracing::info!(member = %member, role = %name, env = %target.env, "collaborator does not hold the role; no change");
                Ok(RevokeOutcome::AlreadyRevoked)
            }
            RevokePlan::Put(baseline) => {
                let baseline_name = baseline.name.clone();
                self.client
                    .members()
                    .update_roles(member, vec![baseline])
                    .await
                    .map_err(ProvisionError::api(
                        "resetting the environment to the baseline role",
                    ))?;
                tracing::info!(member = %member, role = %name, env = %target.env, baseline = %baseline_name, "role revoked");
                Ok(RevokeOutcome::Revoked)
            }
        }
    }
}
