//! Granting a legacy role or an environment role to a collaborator in one environment.
//!
//! Order of work: resolve the role's current name (unknown id ⇒ error, nothing written), then,
//! holding the member's lock, read the member, and PUT only when the member does not already hold
//! that role in that environment (docs/decisions.md#d11-a-grant-checks-the-current-role-first).
//! Workato keeps one role per environment, so the PUT replaces the previous role; its grant id is
//! reported as superseded.

use baton_model::model::ids::resource_id;
use baton_model::model::{GrantBuilder, Profile};
use baton_model::proto::{Entitlement, Grant, Resource};
use baton_model::provision::GrantOutcome;
use workato_api::MemberId;

use super::error::ProvisionError;
use super::lookup;
use super::plan::{plan_grant, GrantPlan};
use super::target::RoleTarget;
use super::WorkatoProvisioner;
use crate::ids::EntitlementRef;
use crate::ids::{COLLABORATOR, ENVIRONMENT_TYPE_KEY};

impl WorkatoProvisioner {
    pub(super) async fn grant_role(
        &self,
        member: MemberId,
        ent: &EntitlementRef<'_>,
        target: &RoleTarget,
    ) -> Result<GrantOutcome, ProvisionError> {
        let name = lookup::role_name(&self.client, target.role).await?;
        let family = target.role.family();
        let _guard = self.locks.lock(member_key(member)).await;
        let current = lookup::member(&self.client, member)
            .await?
            .ok_or(ProvisionError::MemberNotFound(member.get()))?;
        match plan_grant(&current, target.env, &name, family) {
            GrantPlan::AlreadyHeld => {
                tracing::info!(member = %member, role = %name, env = %target.env, "collaborator already holds the role; no change");
                Ok(GrantOutcome::AlreadyExists)
            }
            GrantPlan::Put {
                assignment,
                previous,
            } => {
                self.client
                    .members()
                    .update_roles(member, vec![assignment])
                    .await
                    .map_err(ProvisionError::api("assigning the role"))?;
                let superseded = match &previous {
                    Some(held) => {
                        lookup::superseded_grant_id(
                            &self.client,
                            held,
                            target.env,
                            self.config.env,
                            member,
                        )
                        .await
                    }
                    None => None,
                };
                tracing::info!(
                    member = %member,
                    role = %name,
                    env = %target.env,
                    replaced_role = previous.as_ref().map(|p| p.name.as_str()),
                    superseded_grant_id = superseded.as_deref(),
                    "role granted"
                );
                let grant = role_grant(ent, member, target)?;
                Ok(GrantOutcome::Granted {
                    grants: vec![grant],
                    superseded: superseded.into_iter().collect(),
                })
            }
        }
    }
}

/// The lock key of a collaborator.
pub(super) fn member_key(member: MemberId) -> String {
    format!("member:{member}")
}

/// The grant a role grant creates, shaped as sync emits it: entitlement stub whose resource is
/// the role, principal stub `collaborator:<id>`, `GrantMetadata{environment_type}`.
pub(super) fn role_grant(
    ent: &EntitlementRef<'_>,
    member: MemberId,
    target: &RoleTarget,
) -> Result<Grant, ProvisionError> {
    let entitlement = Entitlement {
        id: crate::ids::entitlement_id(ent.resource_type, ent.resource_id, ent.slug),
        resource: Some(Resource {
            id: Some(resource_id(ent.resource_type, ent.resource_id)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let principal = resource_id(COLLABORATOR.id, member.to_string());
    Ok(GrantBuilder::new(&entitlement, &principal)
        .metadata(Profile::new().with(ENVIRONMENT_TYPE_KEY, target.env.as_str()))
        .build()?)
}

#[cfg(test)]
mod tests {
    use baton_model::model::AnnotationsExt;
    use baton_model::proto::GrantMetadata;
    use workato_api::EnvRoleId;

    use super::*;
    use crate::env::Environment;
    use crate::ids::parse_entitlement_id;
    use crate::provision::target::RoleKey;

    #[test]
    fn role_grant_shape() {
        let ent = parse_entitlement_id("environment_role:50-prod:collaborator-has").expect("ok");
        let target = RoleTarget {
            role: RoleKey::Environment(EnvRoleId(50)),
            env: Environment::Prod,
        };
        let grant = role_grant(&ent, MemberId(1001), &target).expect("grant");
        assert_eq!(
            grant.id,
            "environment_role:50-prod:collaborator-has:collaborator:1001"
        );
        let ent_stub = grant.entitlement.as_ref().expect("entitlement");
        assert_eq!(ent_stub.id, "environment_role:50-prod:collaborator-has");
        assert_eq!(
            ent_stub.resource.as_ref().and_then(|r| r.id.clone()),
            Some(resource_id("environment_role", "50-prod"))
        );
        let meta = grant
            .annotations
            .annotation::<GrantMetadata>()
            .expect("decodes")
            .and_then(|m| m.metadata)
            .expect("metadata");
        assert_eq!(
            baton_model::json::struct_to_value(&meta),
            serde_json::json!({"environment_type": "prod"})
        );
        assert_eq!(member_key(MemberId(7)), "member:7");
    }
}
