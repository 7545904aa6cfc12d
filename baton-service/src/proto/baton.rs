//! Package `c1.connectorapi.baton.v1`: the `BatonService` messages and the `Task`.

use baton_model::proto::{ConnectorMetadata, Entitlement, Grant, Resource, ResourceId};
use prost_types::{Any, Duration, Struct, Timestamp};

use super::connector::{AccountInfo, CredentialOptions};
use super::rpc::Status;

/// Full gRPC service name.
pub const SERVICE: &str = "c1.connectorapi.baton.v1.BatonService";

/// gRPC method paths (`/<service>/<rpc>`).
pub mod paths {
    /// `Hello`.
    pub const HELLO: &str = "/c1.connectorapi.baton.v1.BatonService/Hello";
    /// `GetTask`.
    pub const GET_TASK: &str = "/c1.connectorapi.baton.v1.BatonService/GetTask";
    /// `GetTasks` (batch polling; never called by this runtime).
    pub const GET_TASKS: &str = "/c1.connectorapi.baton.v1.BatonService/GetTasks";
    /// `Heartbeat`.
    pub const HEARTBEAT: &str = "/c1.connectorapi.baton.v1.BatonService/Heartbeat";
    /// `FinishTask`.
    pub const FINISH_TASK: &str = "/c1.connectorapi.baton.v1.BatonService/FinishTask";
    /// `UploadAsset` (client streaming).
    pub const UPLOAD_ASSET: &str = "/c1.connectorapi.baton.v1.BatonService/UploadAsset";
    /// `StartDebugging` (never called).
    pub const START_DEBUGGING: &str = "/c1.connectorapi.baton.v1.BatonService/StartDebugging";
}

/// `Task`: one unit of work handed out by `GetTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Task {
    /// Task id (27 alphanumerics, a KSUID).
    #[prost(string, tag = "1")]
    pub id: String,
    /// Server-side status (ignored by the runtime).
    #[prost(enumeration = "TaskStatus", tag = "2")]
    pub status: i32,
    /// Debug flag (ignored: no debug-log upload).
    #[prost(bool, tag = "3")]
    pub debug: bool,
    /// What to do. `None` for an unset or unknown variant.
    #[prost(
        oneof = "TaskType",
        tags = "100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123"
    )]
    pub task_type: Option<TaskType>,
}

/// `Task.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum TaskStatus {
    /// `STATUS_UNSPECIFIED`.
    Unspecified = 0,
    /// `STATUS_PENDING`.
    Pending = 1,
    /// `STATUS_SCHEDULED`.
    Scheduled = 2,
    /// `STATUS_RUNNING`.
    Running = 3,
    /// `STATUS_FINISHED`.
    Finished = 4,
}

/// `Task.task_type`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum TaskType {
    /// `none` (100): nothing to do.
    #[prost(message, tag = "100")]
    None(NoneTask),
    /// `hello` (101): say Hello again with this task's id.
    #[prost(message, tag = "101")]
    Hello(HelloTask),
    /// `sync_full` (102).
    #[prost(message, tag = "102")]
    SyncFull(SyncFullTask),
    /// `grant` (103).
    #[prost(message, tag = "103")]
    Grant(GrantTask),
    /// `revoke` (104).
    #[prost(message, tag = "104")]
    Revoke(RevokeTask),
    /// `create_account` (105).
    #[prost(message, tag = "105")]
    CreateAccount(CreateAccountTask),
    /// `create_resource` (106).
    #[prost(message, tag = "106")]
    CreateResource(CreateResourceTask),
    /// `delete_resource` (107).
    #[prost(message, tag = "107")]
    DeleteResource(DeleteResourceTask),
    /// `rotate_credentials` (108).
    #[prost(message, tag = "108")]
    RotateCredentials(RotateCredentialsTask),
    /// `event_feed` (109).
    #[prost(message, tag = "109")]
    EventFeed(EventFeedTask),
    /// `create_ticket_task` (110).
    #[prost(message, tag = "110")]
    CreateTicket(CreateTicketTask),
    /// `list_ticket_schemas` (111).
    #[prost(message, tag = "111")]
    ListTicketSchemas(AnnotationsOnly),
    /// `get_ticket` (112).
    #[prost(message, tag = "112")]
    GetTicket(GetTicketTask),
    /// `bulk_create_tickets` (113).
    #[prost(message, tag = "113")]
    BulkCreateTickets(BulkCreateTicketsTask),
    /// `bulk_get_tickets` (114).
    #[prost(message, tag = "114")]
    BulkGetTickets(BulkGetTicketsTask),
    /// `action_list_schemas` (115).
    #[prost(message, tag = "115")]
    ActionListSchemas(ActionListSchemasTask),
    /// `action_get_schema` (116).
    #[prost(message, tag = "116")]
    ActionGetSchema(ActionGetSchemaTask),
    /// `action_invoke` (117).
    #[prost(message, tag = "117")]
    ActionInvoke(ActionInvokeTask),
    /// `action_status` (118).
    #[prost(message, tag = "118")]
    ActionStatus(ActionStatusTask),
    /// `create_sync_diff` (119).
    #[prost(message, tag = "119")]
    CreateSyncDiff(CreateSyncDiffTask),
    /// `compact_syncs` (120).
    #[prost(message, tag = "120")]
    CompactSyncs(CompactSyncsTask),
    /// `list_event_feeds` (121).
    #[prost(message, tag = "121")]
    ListEventFeeds(AnnotationsOnly),
    /// `list_events` (122).
    #[prost(message, tag = "122")]
    ListEvents(ListEventsTask),
    /// `issue_credential` (123).
    #[prost(message, tag = "123")]
    IssueCredential(IssueCredentialTask),
}

impl TaskType {
    /// The task type's name as baton-sdk logs it (`sync_full`, `grant`, …).
    pub fn name(&self) -> &'static str {
        match self {
            TaskType::None(_) => "none",
            TaskType::Hello(_) => "hello",
            TaskType::SyncFull(_) => "sync_full",
            TaskType::Grant(_) => "grant",
            TaskType::Revoke(_) => "revoke",
            TaskType::CreateAccount(_) => "create_account",
            TaskType::CreateResource(_) => "create_resource",
            TaskType::DeleteResource(_) => "delete_resource",
            TaskType::RotateCredentials(_) => "rotate_credentials",
            TaskType::EventFeed(_) => "event_feed",
            TaskType::CreateTicket(_) => "create_ticket_task",
            TaskType::ListTicketSchemas(_) => "list_ticket_schemas",
            TaskType::GetTicket(_) => "get_ticket",
            TaskType::BulkCreateTickets(_) => "bulk_create_tickets",
            TaskType::BulkGetTickets(_) => "bulk_get_tickets",
            TaskType::ActionListSchemas(_) => "action_list_schemas",
            TaskType::ActionGetSchema(_) => "action_get_schema",
            TaskType::ActionInvoke(_) => "action_invoke",
            TaskType::ActionStatus(_) => "action_status",
            TaskType::CreateSyncDiff(_) => "create_sync_diff",
            TaskType::CompactSyncs(_) => "compact_syncs",
            TaskType::ListEventFeeds(_) => "list_event_feeds",
            TaskType::ListEvents(_) => "list_events",
            TaskType::IssueCredential(_) => "issue_credential",
        }
    }
}

impl Task {
    /// The task type's name, or `unknown` when no (known) variant is set.
    pub fn type_name(&self) -> &'static str {
        self.task_type.as_ref().map_or("unknown", TaskType::name)
    }
}

/// A task payload that carries only annotations (`NoneTask`, `HelloTask`,
/// `ListTicketSchemasTask`, `ListEventFeedsTask`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnnotationsOnly {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `Task.NoneTask`.
pub type NoneTask = AnnotationsOnly;
/// `Task.HelloTask`.
pub type HelloTask = AnnotationsOnly;

/// `Task.SyncFullTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SyncFullTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Write without expanding grants (C1 expands).
    #[prost(bool, tag = "2")]
    pub skip_expand_grants: bool,
    /// Resources only.
    #[prost(bool, tag = "3")]
    pub skip_entitlements_and_grants: bool,
    /// Sync only these resources.
    #[prost(message, repeated, tag = "4")]
    pub targeted_sync_resources: Vec<Resource>,
    /// Sync only these resource types.
    #[prost(string, repeated, tag = "5")]
    pub sync_resource_type_ids: Vec<String>,
    /// Skip grants.
    #[prost(bool, tag = "6")]
    pub skip_grants: bool,
    /// `pebble`, `sqlite` or empty (ignored: the runtime writes c1z v1).
    #[prost(string, tag = "7")]
    pub storage_engine: String,
}

/// `Task.GrantTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantTask {
    /// What to grant.
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// To whom.
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
    /// Annotations (not passed to the connector, as in baton-sdk).
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// Requested duration (not passed to the connector, as in baton-sdk).
    #[prost(message, optional, tag = "4")]
    pub duration: Option<Duration>,
}

/// `Task.RevokeTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RevokeTask {
    /// The grant to remove.
    #[prost(message, optional, tag = "1")]
    pub grant: Option<Grant>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.CreateAccountTask`. `encryption_configs` (tag 3) is not modelled.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateAccountTask {
    /// Who to create an account for.
    #[prost(message, optional, tag = "1")]
    pub account_info: Option<AccountInfo>,
    /// How the account signs in.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialOptions>,
    /// The account resource type.
    #[prost(string, tag = "4")]
    pub resource_type_id: String,
}

/// `Task.CreateResourceTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateResourceTask {
    /// The resource to create.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
}

/// `Task.DeleteResourceTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceTask {
    /// The resource to delete.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// Its parent, when it has one.
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
}

/// `Task.RotateCredentialsTask`. `encryption_configs` (tag 3) is not modelled.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RotateCredentialsTask {
    /// The account whose credentials to rotate.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// The new credential's options.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialOptions>,
}

/// `Task.EventFeedTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EventFeedTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Start of the feed.
    #[prost(message, optional, tag = "2")]
    pub start_at: Option<Timestamp>,
}

/// `Task.CreateTicketTask`. The ticket request and schema (tags 1–2) are not modelled.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateTicketTask {
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `Task.GetTicketTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetTicketTask {
    /// The ticket id.
    #[prost(string, tag = "1")]
    pub ticket_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.BulkCreateTicketsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BulkCreateTicketsTask {
    /// The tickets.
    #[prost(message, repeated, tag = "1")]
    pub ticket_requests: Vec<CreateTicketTask>,
}

/// `Task.BulkGetTicketsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BulkGetTicketsTask {
    /// The tickets.
    #[prost(message, repeated, tag = "1")]
    pub ticket_requests: Vec<GetTicketTask>,
}

/// `Task.ActionListSchemasTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionListSchemasTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Resource type filter.
    #[prost(string, tag = "2")]
    pub resource_type_id: String,
}

/// `Task.ActionGetSchemaTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionGetSchemaTask {
    /// Action name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.ActionInvokeTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionInvokeTask {
    /// Action name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Arguments.
    #[prost(message, optional, tag = "2")]
    pub args: Option<Struct>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// Resource type.
    #[prost(string, tag = "4")]
    pub resource_type_id: String,
}

/// `Task.ActionStatusTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionStatusTask {
    /// Action name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Invocation id.
    #[prost(string, tag = "2")]
    pub id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `Task.CreateSyncDiffTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateSyncDiffTask {
    /// Base sync.
    #[prost(string, tag = "1")]
    pub base_sync_id: String,
    /// New sync.
    #[prost(string, tag = "2")]
    pub new_sync_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `Task.CompactSyncs`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CompactSyncsTask {
    /// Syncs to compact.
    #[prost(message, repeated, tag = "1")]
    pub compactable_syncs: Vec<CompactableSync>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.CompactSyncs.CompactableSync`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CompactableSync {
    /// File path.
    #[prost(string, tag = "1")]
    pub file_path: String,
    /// Sync id.
    #[prost(string, tag = "2")]
    pub sync_id: String,
}

/// `Task.ListEventsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventsTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Cursor.
    #[prost(string, tag = "2")]
    pub cursor: String,
    /// Start time.
    #[prost(message, optional, tag = "3")]
    pub start_at: Option<Timestamp>,
    /// Feed id.
    #[prost(string, tag = "4")]
    pub event_feed_id: String,
    /// Page size.
    #[prost(uint32, tag = "5")]
    pub page_size: u32,
}

/// `Task.IssueCredentialTask`. Options and encryption configs (tags 2–3) are not modelled.
#[derive(Clone, PartialEq, prost::Message)]
pub struct IssueCredentialTask {
    /// The identity.
    #[prost(message, optional, tag = "1")]
    pub identity_id: Option<ResourceId>,
    /// Expiry.
    #[prost(message, optional, tag = "4")]
    pub expires_at: Option<Timestamp>,
}

/// `BatonServiceHelloRequest.BuildInfo`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct BuildInfo {
    /// Compiler version, e.g. `rustc 1.85.0`.
    #[prost(string, tag = "1")]
    pub lang_version: String,
    /// Package path.
    #[prost(string, tag = "2")]
    pub package: String,
    /// Package version.
    #[prost(string, tag = "3")]
    pub package_version: String,
}

/// `BatonServiceHelloRequest.OSInfo`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct OsInfo {
    /// Host name.
    #[prost(string, tag = "1")]
    pub hostname: String,
    /// `linux`, `darwin`, `windows`.
    #[prost(string, tag = "2")]
    pub os: String,
    /// Distribution id, e.g. `ubuntu`.
    #[prost(string, tag = "3")]
    pub platform: String,
    /// Distribution version.
    #[prost(string, tag = "4")]
    pub platform_version: String,
    /// Distribution family, e.g. `debian`.
    #[prost(string, tag = "5")]
    pub platform_family: String,
    /// Kernel release (`uname -r`).
    #[prost(string, tag = "6")]
    pub kernel_version: String,
    /// Machine (`uname -m`).
    #[prost(string, tag = "7")]
    pub kernel_arch: String,
    /// `docker`, or `none`.
    #[prost(string, tag = "8")]
    pub virtualization_system: String,
}

/// `BatonServiceHelloRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    /// Host id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// Empty at startup; the task id for a scheduled `hello` task.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// Build info.
    #[prost(message, optional, tag = "3")]
    pub build_info: Option<BuildInfo>,
    /// OS info.
    #[prost(message, optional, tag = "4")]
    pub os_info: Option<OsInfo>,
    /// The connector's metadata with capabilities (required).
    #[prost(message, optional, tag = "5")]
    pub connector_metadata: Option<ConnectorMetadata>,
    /// Annotations.
    #[prost(message, repeated, tag = "6")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceHelloResponse` (also the shape of the other annotation-only responses).
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloResponse {
    /// Annotations (ignored).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceGetTaskRequest`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct GetTaskRequest {
    /// Host id.
    #[prost(string, tag = "1")]
    pub host_id: String,
}

/// `BatonServiceGetTaskResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetTaskResponse {
    /// The task, if any.
    #[prost(message, optional, tag = "1")]
    pub task: Option<Task>,
    /// When to poll next.
    #[prost(message, optional, tag = "2")]
    pub next_poll: Option<Duration>,
    /// Heartbeat interval (ignored here; Heartbeat responses carry it).
    #[prost(message, optional, tag = "3")]
    pub next_heartbeat: Option<Duration>,
    /// Annotations (ignored).
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceHeartbeatRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HeartbeatRequest {
    /// Host id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// Task id.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceHeartbeatResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HeartbeatResponse {
    /// Interval until the next heartbeat.
    #[prost(message, optional, tag = "1")]
    pub next_heartbeat: Option<Duration>,
    /// C1 cancelled the task.
    #[prost(bool, tag = "2")]
    pub cancelled: bool,
    /// Annotations (ignored).
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceUploadAssetRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadAssetRequest {
    /// The stream message.
    #[prost(oneof = "UploadMsg", tags = "100, 101, 102")]
    pub msg: Option<UploadMsg>,
}

/// `BatonServiceUploadAssetRequest.msg`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum UploadMsg {
    /// First message.
    #[prost(message, tag = "100")]
    Metadata(UploadMetadata),
    /// A chunk (1 byte – 1 MiB).
    #[prost(message, tag = "101")]
    Data(UploadData),
    /// Last message, with the digest.
    #[prost(message, tag = "102")]
    Eof(UploadEof),
}

/// `BatonServiceUploadAssetRequest.UploadMetadata`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadMetadata {
    /// Host id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// Task id.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceUploadAssetRequest.UploadData`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadData {
    /// The bytes.
    #[prost(bytes = "vec", tag = "1")]
    pub data: Vec<u8>,
}

/// `BatonServiceUploadAssetRequest.UploadEOF`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadEof {
    /// SHA-256 of all data bytes (32 raw bytes).
    #[prost(bytes = "vec", tag = "1")]
    pub sha256_checksum: Vec<u8>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceFinishTaskRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishTaskRequest {
    /// Host id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// Task id.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// Error status (unset on success).
    #[prost(message, optional, tag = "3")]
    pub status: Option<Status>,
    /// Success or error (required).
    #[prost(oneof = "FinalState", tags = "100, 101")]
    pub final_state: Option<FinalState>,
}

/// `BatonServiceFinishTaskRequest.final_state`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum FinalState {
    /// The task failed.
    #[prost(message, tag = "100")]
    Error(FinishError),
    /// The task succeeded.
    #[prost(message, tag = "101")]
    Success(FinishSuccess),
}

/// `BatonServiceFinishTaskRequest.Error`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishError {
    /// `true`: C1 must not retry the task.
    #[prost(bool, tag = "1")]
    pub non_retryable: bool,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
    /// Never set by baton-sdk.
    #[prost(message, optional, tag = "3")]
    pub response: Option<Any>,
}

/// `BatonServiceFinishTaskRequest.Success`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishSuccess {
    /// The response's annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// The typed response, packed.
    #[prost(message, optional, tag = "2")]
    pub response: Option<Any>,
}

/// The annotation-only responses: `BatonServiceFinishTaskResponse`,
/// `BatonServiceUploadAssetResponse`.
pub type FinishTaskResponse = HelloResponse;
/// `BatonServiceUploadAssetResponse`.
pub type UploadAssetResponse = HelloResponse;
