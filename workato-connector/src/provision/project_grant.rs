//! RBAC v2 project grants: a project role on one project, for a collaborator or a collaborator
//! group (`project_role:<project>-<role>:member`).
//!
//! Grant: check the role exists (`GET /api/project_roles/:id`), list the project's grants, and
//! `PUT /api/projects/:id/project_grants` only when the principal does not already hold the
//! role there. Whether Workato keeps one role per (project, principal) — so the PUT replaces
//! a previous role — is UNCONFIRMED; instead of guessing, the grants are listed again after the
//! PUT and any grant of the principal that disappeared or changed role is reported as
//! superseded.
//!
//! Revoke: find the principal's grant of that role in the project's list and
//! `DELETE /api/project_grants/:id`; none (or no project) ⇒ already revoked.

use baton_model::model::ids::resource_id;
use baton_model::model::GrantBuilder;
use baton_model::proto::{Entitlement, Grant, Resource};
use baton_model::provision::{GrantOutcome, RevokeOutcome};
use futures::TryStreamExt;
use workato_api::project_grants::{GrantSubject, ProjectGrant, ProjectGrantRequest};
use workato_api::{Id, ProjectId};

use super::error::ProvisionError;
use super::lookup::status;
use super::target::{ProjectPrincipal, ProjectRoleTarget};
use super::WorkatoProvisioner;
use crate::ids::{self, PROJECT_ROLE};

impl ProjectPrincipal {
    fn subject(&self) -> GrantSubject {
        match self {
            ProjectPrincipal::Member(id) => GrantSubject::User(*id),
            ProjectPrincipal::Group(id) => GrantSubject::UserGroup(Id::from(id.as_str())),
        }
    }

    /// Whether `grant` goes to this principal (ids compared in text form: the API may send
    /// a group or role id as a string or an integer).
    fn holds(&self, grant: &ProjectGrant) -> bool {
        match (self, grant.subject()) {
            (ProjectPrincipal::Member(id), Some(GrantSubject::User(other))) => *id == other,
            (ProjectPrincipal::Group(id), Some(GrantSubject::UserGroup(other))) => {
                *id == other.to_string()
            }
            _ => false,
        }
    }
}

/// The project role id of a grant, as text.
fn role_of(grant: &ProjectGrant) -> Option<String> {
    grant.project_role.as_ref().map(|r| r.id.to_string())
}

impl WorkatoProvisioner {
    async fn project_grants(
        &self,
        project: ProjectId,
    ) -> Result<Option<Vec<ProjectGrant>>, ProvisionError> {
        match self
            .client
            .project_grants()
            .list_for_project(project)
            .into_stream()
            .try_collect()
            .await
        {
            Ok(grants) => Ok(Some(grants)),
            Err(e) if status(&e) == Some(404) => Ok(None),
            Err(e) => Err(ProvisionError::api("listing the project's grants")(e)),
        }
    }

    pub(super) async fn grant_project_role(
        &self,
        target: &ProjectRoleTarget,
        principal: &ProjectPrincipal,
    ) -> Result<GrantOutcome, ProvisionError> {
        let role_id = target.api_role_id();
        match self.client.project_roles().get(&role_id).await {
            Ok(_) => {}
            Err(e) if status(&e) == Some(404) => {
                return Err(ProvisionError::UnknownRole {
                    kind: "project role",
                    id: target.role.clone(),
                })
            }
            Err(e) => return Err(ProvisionError::api("reading the project role")(e)),
        }
        let _guard = self.locks.lock(project_key(target.project)).await;
        let before = self
            .project_grants(target.project)
            .await?
            .ok_or_else(|| ProvisionError::UnknownProject(target.project.to_string()))?;
        let mine = |grants: &[ProjectGrant]| -> Vec<(String, String)> {
            grants
                .iter()
                .filter(|g| principal.holds(g))
                .filter_map(|g| role_of(g).map(|r| (g.id.to_string(), r)))
                .collect()
        };
        let held_before = mine(&before);
        if held_before.iter().any(|(_, r)| *r == target.role) {
            tracing::info!(project = %target.project, role = %target.role, principal = %principal.resource_id(), "principal already holds the project role; no change");
            return Ok(GrantOutcome::AlreadyExists);
        }
        let request = ProjectGrantRequest {
            subject: principal.subject(),
            project_role_id: role_id,
        };
        self.client
            .project_grants()
            .upsert_for_project(target.project, &[request])
            .await
            .map_err(ProvisionError::api("granting the project role"))?;
        let superseded = match self.project_grants(target.project).await {
            Ok(Some(after)) => {
                let held_after = mine(&after);
                held_before
                    .iter()
                    .filter(|pair| !held_after.contains(pair))
                    .map(|(_, role)| project_grant_id(target.project, role, principal))
                    .collect()
            }
            Ok(None) | Err(_) => {
                tracing::warn!(project = %target.project, "cannot re-read the project's grants after granting; superseded grants not reported");
                Vec::new()
            }
        };
        tracing::info!(project = %target.project, role = %target.role, principal = %principal.resource_id(), superseded = ?superseded, "project role granted");
        Ok(GrantOutcome::Granted {
            grants: vec![project_role_grant(target, principal)?],
            superseded,
        })
    }

    pub(super) async fn revoke_project_role(
        &self,
        target: &ProjectRoleTarget,
        principal: &ProjectPrincipal,
    ) -> Result<RevokeOutcome, ProvisionError> {
        let _guard = self.locks.lock(project_key(target.project)).await;
        let Some(grants) = self.project_grants(target.project).await? else {
            tracing::info!(project = %target.project, "project no longer exists; grant already gone");
            return Ok(RevokeOutcome::AlreadyRevoked);
        };
        let doomed: Vec<&ProjectGrant> = grants
            .iter()
            .filter(|g| principal.holds(g) && role_of(g).as_deref() == Some(target.role.as_str()))
            .collect();
        if doomed.is_empty() {
            return Ok(RevokeOutcome::AlreadyRevoked);
        }
        for grant in doomed {
            self.client
                .project_grants()
                .revoke(&grant.id)
                .await
                .map_err(ProvisionError::api("revoking the project grant"))?;
            tracing::info!(project = %target.project, role = %target.role, grant = %grant.id, "project grant revoked");
        }
        Ok(RevokeOutcome::Revoked)
    }
}

fn project_key(project: ProjectId) -> String {
    format!("project:{project}")
}

/// `project_role:<project>-<role>:member:<principal type>:<principal id>`.
fn project_grant_id(project: ProjectId, role: &str, principal: &ProjectPrincipal) -> String {
    let rid = ids::project_role_resource_id(&project.to_string(), role);
    ids::grant_id(
        &ids::project_role_entitlement_id(&rid),
        principal.resource_type(),
        &principal.resource_id(),
    )
}

fn project_role_grant(
    target: &ProjectRoleTarget,
    principal: &ProjectPrincipal,
) -> Result<Grant, ProvisionError> {
    let rid = ids::project_role_resource_id(&target.project.to_string(), &target.role);
    let entitlement = Entitlement {
        id: ids::project_role_entitlement_id(&rid),
        resource: Some(Resource {
            id: Some(resource_id(PROJECT_ROLE.id, rid)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let principal_id = resource_id(principal.resource_type(), principal.resource_id());
    Ok(GrantBuilder::new(&entitlement, &principal_id).build()?)
}

#[cfg(test)]
mod tests {
    use workato_api::MemberId;

    use super::*;

    #[test]
    fn ids_and_matching() {
        let group = ProjectPrincipal::Group("am-1".into());
        assert_eq!(
            project_grant_id(ProjectId(100), "pr-X", &group),
            "project_role:100-pr-X:member:collaborator_group:am-1"
        );
        let target = ProjectRoleTarget {
            project: ProjectId(101),
            role: "7".into(),
        };
        let grant =
            project_role_grant(&target, &ProjectPrincipal::Member(MemberId(1002))).expect("grant");
        assert_eq!(grant.id, "project_role:101-7:member:collaborator:1002");
        let api: ProjectGrant = serde_json::from_str(
            r#"{"id":"pg-9","project_role":{"id":7,"name":"V"},"user_group":{"id":"am-1"},"user":null}"#,
        )
        .expect("grant");
        assert!(group.holds(&api));
        assert!(!ProjectPrincipal::Member(MemberId(1)).holds(&api));
        assert_eq!(role_of(&api).as_deref(), Some("7"));
        assert_eq!(project_key(ProjectId(5)), "project:5");
    }
}
