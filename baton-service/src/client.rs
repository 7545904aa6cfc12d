//! The `BatonService` client: tonic's generic gRPC client with the prost codec over one
//! long-lived TLS channel; every call carries `authorization: <type> <token>` from the token
//! source (docs/service-mode.md, "Transport").

use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use http::uri::PathAndQuery;
use tonic::client::Grpc;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Status};

use crate::config::ServiceConfig;
use crate::error::ServiceError;
use crate::proto::baton::{
    paths, FinishTaskRequest, GetTaskRequest, GetTaskResponse, HeartbeatRequest, HeartbeatResponse,
    HelloRequest, HelloResponse, UploadAssetRequest,
};
use crate::proxy::ProxyConnector;
use crate::token::TokenSource;

/// How long to wait for a TCP + TLS connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A cheap-to-clone handle on the channel and the token source.
#[derive(Clone, Debug)]
pub(crate) struct BatonClient {
    grpc: Grpc<Channel>,
    tokens: Arc<TokenSource>,
    rpc_timeout: Duration,
    upload_timeout: Duration,
}

fn endpoint(config: &ServiceConfig, native_roots: bool) -> Result<Endpoint, ServiceError> {
    let target = config.grpc_url();
    let channel_err = |source| ServiceError::Channel {
        target: target.clone(),
        source,
    };
    let mut tls = ClientTlsConfig::new().ca_certificates(
        config
            .extra_root_certificates
            .iter()
            .map(Certificate::from_pem),
    );
    if native_roots {
        tls = tls.with_native_roots();
    }
    let user_agent = format!(
        "{} {}/{}",
        config.client_id.client_name(),
        config.build_info.package,
        config.build_info.package_version
    );
    Endpoint::from_shared(target.clone())
        .map_err(channel_err)?
        .user_agent(user_agent)
        .map_err(channel_err)?
        .connect_timeout(CONNECT_TIMEOUT)
        .http2_keep_alive_interval(Duration::from_secs(60))
        .keep_alive_while_idle(false)
        .tls_config(tls)
        .map_err(channel_err)
}

impl BatonClient {
    pub(crate) fn new(
        config: &ServiceConfig,
        tokens: Arc<TokenSource>,
    ) -> Result<Self, ServiceError> {
        let endpoint = match endpoint(config, true) {
            Ok(e) => e,
            // A host without a CA bundle can still trust explicitly given roots.
            Err(err) if !config.extra_root_certificates.is_empty() => {
                tracing::debug!(error = %err, "no platform roots; using the configured roots only");
                endpoint(config, false)?
            }
            Err(err) => return Err(err),
        };
        let host = endpoint.uri().host().unwrap_or_default().to_string();
        let proxy = match &config.proxy {
            Some(url) => crate::proxy::select(url, "", &host),
            None => crate::proxy::from_env(&host),
        };
        let channel = match proxy {
            Some(proxy) => {
                tracing::info!(
                    proxy = proxy.authority(),
                    "gRPC to ConductorOne goes through the proxy"
                );
                endpoint.connect_with_connector_lazy(ProxyConnector::new(proxy))
            }
            None => endpoint.connect_lazy(),
        };
        Ok(BatonClient {
            grpc: Grpc::new(channel),
            tokens,
            rpc_timeout: config.rpc_timeout,
            upload_timeout: config.upload_timeout,
        })
    }

    async fn authorize<T>(
        &self,
        message: T,
        timeout: Duration,
    ) -> Result<(tonic::Request<T>, crate::token::AccessToken), Status> {
        let token = self
            .tokens
            .token()
            .await
            .map_err(|e| Status::new(e.code(), crate::tasks::error_chain(&e)))?;
        let mut request = tonic::Request::new(message);
        request.set_timeout(timeout);
        let value = MetadataValue::try_from(token.header_value())
            .map_err(|_| Status::unauthenticated("the access token is not a valid header value"))?;
        request.metadata_mut().insert("authorization", value);
        Ok((request, token))
    }

    async fn unary<Req, Resp>(&self, path: &'static str, message: Req) -> Result<Resp, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let (request, token) = self.authorize(message, self.rpc_timeout).await?;
        let mut grpc = self.grpc.clone();
        let call = async {
            grpc.ready().await.map_err(|e| {
                Status::unavailable(format!("connection to ConductorOne failed: {e}"))
            })?;
            grpc.unary(
                request,
                PathAndQuery::from_static(path),
                tonic_prost::ProstCodec::<Req, Resp>::default(),
            )
            .await
        };
        let result = match tokio::time::timeout(self.rpc_timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(Status::deadline_exceeded(
                "ConductorOne did not answer in time",
            )),
        };
        if let Err(status) = &result {
            if status.code() == Code::Unauthenticated {
                self.tokens.invalidate(&token).await;
            }
        }
        result.map(tonic::Response::into_inner)
    }

    pub(crate) async fn hello(&self, request: HelloRequest) -> Result<HelloResponse, Status> {
        self.unary(paths::HELLO, request).await
    }

    pub(crate) async fn get_task(&self, host_id: &str) -> Result<GetTaskResponse, Status> {
        self.unary(
            paths::GET_TASK,
            GetTaskRequest {
                host_id: host_id.to_string(),
            },
        )
        .await
    }

    pub(crate) async fn heartbeat(
        &self,
        host_id: &str,
        task_id: &str,
    ) -> Result<HeartbeatResponse, Status> {
        self.unary(
            paths::HEARTBEAT,
            HeartbeatRequest {
                host_id: host_id.to_string(),
                task_id: task_id.to_string(),
                annotations: Vec::new(),
            },
        )
        .await
    }

    pub(crate) async fn finish_task(&self, request: FinishTaskRequest) -> Result<(), Status> {
        self.unary::<_, crate::proto::baton::FinishTaskResponse>(paths::FINISH_TASK, request)
            .await
            .map(|_| ())
    }

    /// Streams `messages` as one `UploadAsset` call.
    pub(crate) async fn upload<S>(&self, messages: S) -> Result<(), Status>
    where
        S: Stream<Item = UploadAssetRequest> + Send + 'static,
    {
        let (request, token) = self.authorize(messages, self.upload_timeout).await?;
        let mut grpc = self.grpc.clone();
        let call = async {
            grpc.ready().await.map_err(|e| {
                Status::unavailable(format!("connection to ConductorOne failed: {e}"))
            })?;
            grpc.client_streaming(
                request,
                PathAndQuery::from_static(paths::UPLOAD_ASSET),
                tonic_prost::ProstCodec::<
                    UploadAssetRequest,
                    crate::proto::baton::UploadAssetResponse,
                >::default(),
            )
            .await
        };
        let result = match tokio::time::timeout(self.upload_timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(Status::deadline_exceeded(
                "the upload did not finish in time",
            )),
        };
        if let Err(status) = &result {
            if status.code() == Code::Unauthenticated {
                self.tokens.invalidate(&token).await;
            }
        }
        result.map(|_| ())
    }
}
