//! Deleting a collaborator (`DELETE /api/members/:id`).
//!
//! The member is read first so the outcome says what happened: absent ⇒ `AlreadyGone` without
//! a DELETE; present ⇒ DELETE ⇒ `Deleted` (a 404 from a concurrent deletion also counts as
//! done: the client treats it as success).

use baton_model::proto::ResourceId;
use baton_model::provision::DeleteOutcome;

use super::error::ProvisionError;
use super::grant::member_key;
use super::lookup;
use super::target::member_id;
use super::WorkatoProvisioner;
use crate::ids::COLLABORATOR;

impl WorkatoProvisioner {
    pub(super) async fn delete_collaborator(
        &self,
        id: &ResourceId,
    ) -> Result<DeleteOutcome, ProvisionError> {
        if id.resource_type != COLLABORATOR.id {
            return Err(ProvisionError::WrongPrincipalType {
                operation: "delete",
                expected: "collaborator",
                got: id.resource_type.clone(),
            });
        }
        let member = member_id(&id.resource)?;
        let _guard = self.locks.lock(member_key(member)).await;
        if lookup::member(&self.client, member).await?.is_none() {
            tracing::info!(member = %member, "collaborator already gone");
            return Ok(DeleteOutcome::AlreadyGone);
        }
        self.client
            .members()
            .delete(member)
            .await
            .map_err(ProvisionError::api("deleting the collaborator"))?;
        tracing::info!(member = %member, "collaborator deleted");
        Ok(DeleteOutcome::Deleted)
    }
}
