//! Task constructors for scripting the fake.

use baton_model::proto::{Entitlement, Grant, Resource, ResourceId};

use crate::proto::baton::{
    AnnotationsOnly, CreateAccountTask, DeleteResourceTask, EventFeedTask, GrantTask, RevokeTask,
    SyncFullTask, Task, TaskType,
};
use crate::proto::connector::AccountInfo;

/// A task of `task_type` with no id (the fake assigns one).
pub fn with_type(task_type: TaskType) -> Task {
    Task {
        id: String::new(),
        status: 1,
        debug: false,
        task_type: Some(task_type),
    }
}

/// `sync_full` with no options.
pub fn sync_full() -> Task {
    with_type(TaskType::SyncFull(SyncFullTask::default()))
}

/// `grant` of `entitlement` to `principal`.
pub fn grant(entitlement: Entitlement, principal: Resource) -> Task {
    with_type(TaskType::Grant(GrantTask {
        entitlement: Some(entitlement),
        principal: Some(principal),
        ..Default::default()
    }))
}

/// `revoke` of `grant`.
pub fn revoke(grant: Grant) -> Task {
    with_type(TaskType::Revoke(RevokeTask {
        grant: Some(grant),
        annotations: Vec::new(),
    }))
}

/// `create_account` for `info` with no credential options.
pub fn create_account(info: AccountInfo) -> Task {
    with_type(TaskType::CreateAccount(CreateAccountTask {
        account_info: Some(info),
        ..Default::default()
    }))
}

/// `delete_resource` of `id`.
pub fn delete_resource(id: ResourceId) -> Task {
    with_type(TaskType::DeleteResource(DeleteResourceTask {
        resource_id: Some(id),
        parent_resource_id: None,
    }))
}

/// A server-scheduled `hello`.
pub fn hello() -> Task {
    with_type(TaskType::Hello(AnnotationsOnly::default()))
}

/// `event_feed` (unsupported by the runtime).
pub fn event_feed() -> Task {
    with_type(TaskType::EventFeed(EventFeedTask::default()))
}

/// Encoded `Task` fields holding an empty message in oneof field `field_number` (e.g. 999, a
/// task type no version knows), for [`super::FakeC1::enqueue_raw`].
pub fn unknown_type_bytes(field_number: u32) -> Vec<u8> {
    let mut out = Vec::new();
    prost::encoding::encode_key(
        field_number,
        prost::encoding::WireType::LengthDelimited,
        &mut out,
    );
    prost::encoding::encode_varint(0, &mut out);
    out
}
