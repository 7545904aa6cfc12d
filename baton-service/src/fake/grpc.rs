//! The fake `BatonService`: tonic's generic server-side `Grpc` with the prost codec, one
//! handler per method.

use std::future::Future;
use std::sync::Arc;

use hyper::body::Incoming;
use tokio::time::Instant;
use tonic::body::Body;
use tonic::server::{ClientStreamingService, Grpc, UnaryService};
use tonic::{Code, Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

use super::records::{
    FinishRecord, HeartbeatRecord, HelloRecord, PollRecord, RpcRecord, UploadRecord,
};
use super::{Rpc, Shared};
use crate::proto::baton::{
    FinalState, FinishTaskRequest, FinishTaskResponse, GetTaskRequest, HeartbeatRequest,
    HeartbeatResponse, HelloRequest, HelloResponse, UploadAssetRequest, UploadAssetResponse,
    UploadMsg,
};

/// Largest data message the fake accepts (1 MiB).
const MAX_CHUNK: usize = 1024 * 1024;

/// `GetTaskResponse` with the task as raw bytes (wire-identical to the embedded message), so
/// scripted tasks can carry fields the typed `Task` cannot express.
#[derive(Clone, PartialEq, prost::Message)]
struct RawGetTaskResponse {
    #[prost(bytes = "vec", optional, tag = "1")]
    task: Option<Vec<u8>>,
    #[prost(message, optional, tag = "2")]
    next_poll: Option<prost_types::Duration>,
    #[prost(message, optional, tag = "3")]
    next_heartbeat: Option<prost_types::Duration>,
}

struct Unary<F>(F);

impl<Req, Resp, F, Fut> UnaryService<Req> for Unary<F>
where
    F: FnMut(Request<Req>) -> Fut,
    Fut: Future<Output = Result<Response<Resp>, Status>>,
{
    type Response = Resp;
    type Future = Fut;
    fn call(&mut self, request: Request<Req>) -> Fut {
        (self.0)(request)
    }
}

struct ClientStreaming<F>(F);

impl<Req, Resp, F, Fut> ClientStreamingService<Req> for ClientStreaming<F>
where
    F: FnMut(Request<Streaming<Req>>) -> Fut,
    Fut: Future<Output = Result<Response<Resp>, Status>>,
{
    type Response = Resp;
    type Future = Fut;
    fn call(&mut self, request: Request<Streaming<Req>>) -> Fut {
        (self.0)(request)
    }
}

fn duration(d: std::time::Duration) -> prost_types::Duration {
    prost_types::Duration {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    }
}

fn is_task_id(id: &str) -> bool {
    id.len() == 27 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn valid_host_id(host_id: &str) -> Result<(), Status> {
    let n = host_id.chars().count();
    if (1..=256).contains(&n) {
        Ok(())
    } else {
        Err(Status::invalid_argument(
            "host_id must be 1 to 256 characters",
        ))
    }
}

pub(super) async fn dispatch(
    shared: Arc<Shared>,
    req: http::Request<Incoming>,
) -> http::Response<Body> {
    let method = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let user_agent = header("user-agent").unwrap_or_default();
    let timeout = header("grpc-timeout");
    let authorization = header("authorization").unwrap_or_default();
    let authorized = shared.with(|s| {
        authorization
            .strip_prefix("Bearer ")
            .is_some_and(|t| s.issued.contains(t))
    });
    shared.record(|s| {
        s.rpcs.push(RpcRecord {
            at: Instant::now(),
            method: method.clone(),
            user_agent,
            authorized,
            timeout,
        });
    });
    let auth = move || -> Result<(), Status> {
        if authorized {
            Ok(())
        } else {
            Err(Status::unauthenticated("missing or unknown bearer token"))
        }
    };
    macro_rules! unary {
        ($req:ty, $resp:ty, $handler:ident) => {{
            let shared = Arc::clone(&shared);
            Grpc::new(ProstCodec::<$resp, $req>::default())
                .unary(
                    Unary(move |r: Request<$req>| {
                        let shared = Arc::clone(&shared);
                        async move {
                            auth()?;
                            $handler(shared, r.into_inner()).await.map(Response::new)
                        }
                    }),
                    req,
                )
                .await
        }};
    }
    match method.as_str() {
        "Hello" => unary!(HelloRequest, HelloResponse, hello),
        "GetTask" => unary!(GetTaskRequest, RawGetTaskResponse, get_task),
        "Heartbeat" => unary!(HeartbeatRequest, HeartbeatResponse, heartbeat),
        "FinishTask" => unary!(FinishTaskRequest, FinishTaskResponse, finish_task),
        "UploadAsset" => {
            let shared = Arc::clone(&shared);
            Grpc::new(ProstCodec::<UploadAssetResponse, UploadAssetRequest>::default())
                .client_streaming(
                    ClientStreaming(move |r: Request<Streaming<UploadAssetRequest>>| {
                        let shared = Arc::clone(&shared);
                        async move {
                            auth()?;
                            upload(shared, r.into_inner()).await.map(Response::new)
                        }
                    }),
                    req,
                )
                .await
        }
        _ => Status::unimplemented(format!("{method} is not implemented by the fake")).into_http(),
    }
}

/// Applies the delay and injected failure configured for `rpc`.
async fn gate(shared: &Shared, rpc: Rpc) -> Result<(), Status> {
    shared.delay(rpc).await;
    match shared.take_fault(rpc) {
        Some(code) => Err(Status::new(code, format!("injected {code:?}"))),
        None => Ok(()),
    }
}

fn hello_problems(r: &HelloRequest) -> Vec<String> {
    let mut problems = Vec::new();
    if r.connector_metadata.is_none() {
        problems.push("connector_metadata is missing".to_string());
    }
    if !(r.task_id.is_empty() || is_task_id(&r.task_id)) {
        problems.push("task_id is neither empty nor 27 alphanumerics".to_string());
    }
    let check = |problems: &mut Vec<String>, name: &str, v: &str| {
        if v.is_empty() || v.chars().count() > 256 {
            problems.push(format!("{name} must be 1 to 256 characters"));
        }
    };
    match &r.build_info {
        None => problems.push("build_info is missing".to_string()),
        Some(b) => {
            check(&mut problems, "build_info.lang_version", &b.lang_version);
            check(&mut problems, "build_info.package", &b.package);
            check(
                &mut problems,
                "build_info.package_version",
                &b.package_version,
            );
        }
    }
    match &r.os_info {
        None => problems.push("os_info is missing".to_string()),
        Some(o) => {
            for (name, v) in [
                ("hostname", &o.hostname),
                ("os", &o.os),
                ("platform", &o.platform),
                ("platform_version", &o.platform_version),
                ("platform_family", &o.platform_family),
                ("kernel_version", &o.kernel_version),
                ("kernel_arch", &o.kernel_arch),
                ("virtualization_system", &o.virtualization_system),
            ] {
                check(&mut problems, &format!("os_info.{name}"), v);
            }
        }
    }
    problems
}

async fn hello(shared: Arc<Shared>, r: HelloRequest) -> Result<HelloResponse, Status> {
    gate(&shared, Rpc::Hello).await?;
    valid_host_id(&r.host_id)?;
    let problems = hello_problems(&r);
    shared.record(|s| {
        s.hellos.push(HelloRecord {
            at: Instant::now(),
            request: r.clone(),
            problems: problems.clone(),
        });
    });
    if problems.is_empty() {
        Ok(HelloResponse::default())
    } else {
        Err(Status::invalid_argument(problems.join("; ")))
    }
}

async fn get_task(shared: Arc<Shared>, r: GetTaskRequest) -> Result<RawGetTaskResponse, Status> {
    shared.delay(Rpc::GetTask).await;
    valid_host_id(&r.host_id)?;
    if let Some(code) = shared.take_fault(Rpc::GetTask) {
        shared.record(|s| {
            let in_flight = s.in_flight();
            s.polls.push(PollRecord {
                at: Instant::now(),
                host_id: r.host_id.clone(),
                in_flight,
                task_id: None,
                failed: true,
            });
        });
        return Err(Status::new(code, format!("injected {code:?}")));
    }
    let response = shared.record(|s| {
        let in_flight = s.in_flight();
        let next = s.queue.pop_front();
        let task_id = next.as_ref().map(|(id, _)| id.clone());
        if let Some(id) = &task_id {
            if let Some(t) = s.tasks.get_mut(id) {
                t.handed_out = true;
            }
            let now = s.in_flight();
            s.max_in_flight = s.max_in_flight.max(now);
        }
        s.polls.push(PollRecord {
            at: Instant::now(),
            host_id: r.host_id.clone(),
            in_flight,
            task_id,
            failed: false,
        });
        RawGetTaskResponse {
            task: next.map(|(_, bytes)| bytes),
            next_poll: Some(duration(s.next_poll)),
            next_heartbeat: Some(duration(s.next_heartbeat)),
        }
    });
    Ok(response)
}

async fn heartbeat(shared: Arc<Shared>, r: HeartbeatRequest) -> Result<HeartbeatResponse, Status> {
    gate(&shared, Rpc::Heartbeat).await?;
    valid_host_id(&r.host_id)?;
    shared.record(|s| {
        let running = s
            .tasks
            .get(&r.task_id)
            .is_some_and(|t| t.handed_out && !t.finished);
        if !running {
            return Err(Status::not_found(format!(
                "task {:?} is not known or not running",
                r.task_id
            )));
        }
        let count = s.heartbeat_counts.entry(r.task_id.clone()).or_insert(0);
        *count += 1;
        let cancelled = s.cancel_after_heartbeats == Some(*count);
        s.heartbeats.push(HeartbeatRecord {
            at: Instant::now(),
            task_id: r.task_id.clone(),
            cancelled,
        });
        Ok(HeartbeatResponse {
            next_heartbeat: Some(duration(s.next_heartbeat)),
            cancelled,
            annotations: Vec::new(),
        })
    })
}

async fn finish_task(
    shared: Arc<Shared>,
    r: FinishTaskRequest,
) -> Result<FinishTaskResponse, Status> {
    gate(&shared, Rpc::FinishTask).await?;
    valid_host_id(&r.host_id)?;
    let Some(state) = r.final_state else {
        return Err(Status::invalid_argument("final_state is required"));
    };
    shared.record(|s| {
        let Some(task) = s.tasks.get_mut(&r.task_id) else {
            return Err(Status::not_found(format!(
                "task {:?} is not known",
                r.task_id
            )));
        };
        task.finished = true;
        let (code, message) = r
            .status
            .as_ref()
            .map(|st| (st.code, st.message.clone()))
            .unwrap_or((0, String::new()));
        let (success, non_retryable, annotations, response) = match state {
            FinalState::Success(ok) => (true, false, ok.annotations, ok.response),
            FinalState::Error(err) => (false, err.non_retryable, err.annotations, err.response),
        };
        s.finishes.push(FinishRecord {
            task_id: r.task_id.clone(),
            host_id: r.host_id.clone(),
            at: Instant::now(),
            success,
            code,
            message,
            non_retryable,
            annotations,
            response,
        });
        Ok(FinishTaskResponse::default())
    })
}

/// Reads the whole stream, enforcing metadata → data* → eof; records the attempt either way.
async fn upload(
    shared: Arc<Shared>,
    mut stream: Streaming<UploadAssetRequest>,
) -> Result<UploadAssetResponse, Status> {
    shared.delay(Rpc::UploadAsset).await;
    let mut record = UploadRecord {
        task_id: String::new(),
        host_id: String::new(),
        at: Instant::now(),
        chunk_sizes: Vec::new(),
        bytes: Vec::new(),
        digest_ok: false,
        accepted: false,
        error: None,
    };
    let result = read_upload(&shared, &mut stream, &mut record).await;
    let result = result.and_then(|()| match shared.take_fault(Rpc::UploadAsset) {
        Some(code) => Err(Status::new(code, format!("injected {code:?}"))),
        None => Ok(()),
    });
    record.at = Instant::now();
    record.accepted = result.is_ok();
    record.error = result.as_ref().err().map(|e| e.message().to_string());
    shared.record(|s| s.uploads.push(record));
    result.map(|()| UploadAssetResponse::default())
}

async fn read_upload(
    shared: &Shared,
    stream: &mut Streaming<UploadAssetRequest>,
    record: &mut UploadRecord,
) -> Result<(), Status> {
    let bad = |m: &str| Status::invalid_argument(m.to_string());
    let first = stream
        .message()
        .await?
        .ok_or_else(|| bad("empty upload stream"))?;
    let Some(UploadMsg::Metadata(meta)) = first.msg else {
        return Err(bad("the first message must be metadata"));
    };
    valid_host_id(&meta.host_id)?;
    record.task_id = meta.task_id.clone();
    record.host_id = meta.host_id.clone();
    if !shared.with(|s| s.tasks.contains_key(&meta.task_id)) {
        return Err(bad("metadata names an unknown task"));
    }
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    loop {
        let msg = stream
            .message()
            .await?
            .ok_or_else(|| bad("the stream ended before eof"))?;
        match msg.msg {
            Some(UploadMsg::Data(data)) => {
                if data.data.is_empty() || data.data.len() > MAX_CHUNK {
                    return Err(bad("a data message must hold 1 byte to 1 MiB"));
                }
                record.chunk_sizes.push(data.data.len());
                digest.update(&data.data);
                record.bytes.extend_from_slice(&data.data);
            }
            Some(UploadMsg::Eof(eof)) => {
                if eof.sha256_checksum.len() != 32 {
                    return Err(bad("the eof digest must be 32 bytes"));
                }
                if stream.message().await?.is_some() {
                    return Err(bad("a message followed eof"));
                }
                record.digest_ok = digest.finish().as_ref() == eof.sha256_checksum.as_slice();
                if !record.digest_ok {
                    return Err(Status::new(Code::DataLoss, "SHA-256 mismatch"));
                }
                return Ok(());
            }
            Some(UploadMsg::Metadata(_)) => return Err(bad("metadata sent twice")),
            None => return Err(bad("a message without msg")),
        }
    }
}
