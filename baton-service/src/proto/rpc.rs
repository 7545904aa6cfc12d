//! `google.rpc.Status`.

use prost_types::Any;

/// `google.rpc.Status`: a gRPC status as a message (sent in `FinishTask` errors).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Status {
    /// The gRPC code (`tonic::Code as i32`).
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// The error text.
    #[prost(string, tag = "2")]
    pub message: String,
    /// Typed details.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

super::impl_name!("google.rpc": Status => "Status");
