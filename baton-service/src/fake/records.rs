//! What the fake records.

use prost::Name;
use prost_types::Any;
use tokio::time::Instant;
use tonic::Code;

use crate::proto::baton::HelloRequest;

/// One `FinishTask`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FinishRecord {
    /// The task.
    pub task_id: String,
    /// `host_id` of the request.
    pub host_id: String,
    /// When it arrived.
    pub at: Instant,
    /// `final_state` was `success`.
    pub success: bool,
    /// `status.code` (0 when unset).
    pub code: i32,
    /// `status.message`.
    pub message: String,
    /// `error.non_retryable`.
    pub non_retryable: bool,
    /// `success.annotations` or `error.annotations`.
    pub annotations: Vec<Any>,
    /// `success.response`.
    pub response: Option<Any>,
}

impl FinishRecord {
    /// `true` for a success.
    pub fn is_success(&self) -> bool {
        self.success
    }

    /// The status code as a [`Code`].
    pub fn code(&self) -> Code {
        Code::from_i32(self.code)
    }

    /// The response's message name (text after the last `/` of its type URL).
    pub fn response_type(&self) -> Option<&str> {
        self.response
            .as_ref()
            .map(|a| a.type_url.rsplit('/').next().unwrap_or(&a.type_url))
    }

    /// Decodes the response as `M` (`None` when absent or of another type).
    pub fn response_as<M: Name + Default>(&self) -> Option<M> {
        let any = self.response.as_ref()?;
        (self.response_type() == Some(M::full_name().as_str()))
            .then(|| M::decode(any.value.as_slice()).ok())
            .flatten()
    }

    /// `true` when an annotation of type `M` is present.
    pub fn has_annotation<M: Name>(&self) -> bool {
        let name = M::full_name();
        self.annotations
            .iter()
            .any(|a| a.type_url.rsplit('/').next() == Some(name.as_str()))
    }
}

/// One `UploadAsset` stream.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UploadRecord {
    /// The task from the metadata message.
    pub task_id: String,
    /// `host_id` from the metadata message.
    pub host_id: String,
    /// When the stream ended.
    pub at: Instant,
    /// Sizes of the data messages, in order.
    pub chunk_sizes: Vec<usize>,
    /// All data bytes.
    pub bytes: Vec<u8>,
    /// The eof digest matched the bytes.
    pub digest_ok: bool,
    /// The upload was accepted (`false` for an injected failure or a protocol error).
    pub accepted: bool,
    /// Why it was rejected.
    pub error: Option<String>,
}

/// One `Hello`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HelloRecord {
    /// When it arrived.
    pub at: Instant,
    /// The request.
    pub request: HelloRequest,
    /// Validation problems found (empty when the request passes the strict checks).
    pub problems: Vec<String>,
}

/// One `GetTask`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PollRecord {
    /// When it arrived.
    pub at: Instant,
    /// `host_id` of the request.
    pub host_id: String,
    /// Tasks handed out and not finished at that moment.
    pub in_flight: usize,
    /// The id of the task handed out, if any.
    pub task_id: Option<String>,
    /// The call was answered with an injected error.
    pub failed: bool,
}

/// One `Heartbeat`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HeartbeatRecord {
    /// When it arrived.
    pub at: Instant,
    /// The task.
    pub task_id: String,
    /// The answer said `cancelled = true`.
    pub cancelled: bool,
}

/// One token request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenRequestRecord {
    /// When it arrived.
    pub at: Instant,
    /// HTTP version (`HTTP/1.1`, `HTTP/2.0`).
    pub version: String,
    /// `content-type`.
    pub content_type: String,
    /// `user-agent`.
    pub user_agent: String,
    /// `client_id` form field.
    pub client_id: String,
    /// The decoded JWS header.
    pub header: serde_json::Value,
    /// The decoded JWS claims.
    pub claims: serde_json::Value,
    /// Validation problems (empty when the assertion is valid).
    pub problems: Vec<String>,
    /// HTTP status answered.
    pub status: u16,
}

/// One gRPC call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RpcRecord {
    /// When it arrived.
    pub at: Instant,
    /// The method name (`Hello`, `GetTask`, …).
    pub method: String,
    /// `user-agent`.
    pub user_agent: String,
    /// The `authorization` header named a valid token.
    pub authorized: bool,
    /// The `grpc-timeout` the client sent, if any.
    pub timeout: Option<String>,
}
