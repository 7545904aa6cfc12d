//! Wire checks of the hand-written messages against known encodings.

use prost::Message;

use super::baton::{
    FinalState, FinishSuccess, FinishTaskRequest, GetTaskResponse, Task, TaskType,
    UploadAssetRequest, UploadEof, UploadMsg,
};
use super::connector::GrantManagerServiceGrantResponse;
use super::Name;

#[test]
fn type_urls_use_the_canonical_prefix() {
    assert_eq!(
        GrantManagerServiceGrantResponse::type_url(),
        "type.googleapis.com/c1.connector.v2.GrantManagerServiceGrantResponse"
    );
    assert_eq!(
        super::rpc::Status::type_url(),
        "type.googleapis.com/google.rpc.Status"
    );
}

#[test]
fn task_oneof_tags_match_the_proto() {
    // Field 102 (sync_full), length-delimited, empty: key = 102 << 3 | 2 = 818 = 0xb2 0x06.
    let task = Task {
        id: "a".into(),
        task_type: Some(TaskType::SyncFull(Default::default())),
        ..Default::default()
    };
    assert_eq!(
        task.encode_to_vec(),
        vec![0x0a, 0x01, b'a', 0xb2, 0x06, 0x00]
    );
    // An unknown oneof number decodes as "no type" with the id kept.
    let mut raw = Task {
        id: "b".into(),
        ..Default::default()
    }
    .encode_to_vec();
    raw.extend(crate::fake::tasks::unknown_type_bytes(999));
    let decoded = Task::decode(raw.as_slice()).expect("decodes");
    assert_eq!(decoded.id, "b");
    assert!(decoded.task_type.is_none());
    assert_eq!(decoded.type_name(), "unknown");
}

#[test]
fn upload_and_finish_oneofs_use_their_tags() {
    let eof = UploadAssetRequest {
        msg: Some(UploadMsg::Eof(UploadEof {
            sha256_checksum: vec![7; 32],
            annotations: vec![],
        })),
    };
    let bytes = eof.encode_to_vec();
    // Field 102, length-delimited: 0xb2 0x06, then 34 bytes (inner field 1 + 32 bytes).
    assert_eq!(&bytes[..3], &[0xb2, 0x06, 34]);
    let finish = FinishTaskRequest {
        task_id: "t".into(),
        final_state: Some(FinalState::Success(FinishSuccess::default())),
        ..Default::default()
    };
    let bytes = finish.encode_to_vec();
    // Field 101, length-delimited: 0xaa 0x06, empty message.
    assert!(bytes.ends_with(&[0xaa, 0x06, 0x00]));
}

#[test]
fn get_task_response_durations() {
    let r = GetTaskResponse {
        next_poll: Some(prost_types::Duration {
            seconds: 1,
            nanos: 0,
        }),
        ..Default::default()
    };
    let back = GetTaskResponse::decode(r.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(back.next_poll.map(|d| d.seconds), Some(1));
    assert!(back.task.is_none());
}
