//! A small in-memory connector and provisioner, and a harness that runs the service in the
//! background against a fake C1.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use baton_model::model::ids::grant_id;
use baton_model::model::{
    EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder, ResourceTypeBuilder,
    UserTraitBuilder,
};
use baton_model::proto::{
    CapabilityDetailCredentialOption, ConnectorMetadata, Entitlement, Grant, Resource, ResourceId,
    ResourceType, Trait,
};
use baton_model::provision::{
    AccountInfo, AccountManager, CreateAccountOutcome, DeleteOutcome, GrantOutcome,
    ResourceDeleter, ResourceProvisioner, RevokeOutcome,
};
use baton_model::sync::{Connector, ConnectorError, Page, PageToken};
use baton_service::fake::FakeC1;
use baton_service::{run, ServiceConfig, ServiceConnector, ServiceError};
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinHandle;

/// Generous bound for waits on the fake (a slow shared machine; never a timing assertion).
pub const WAIT: Duration = Duration::from_secs(30);

/// Users with a role each; `padding` bytes of incompressible description per user make the
/// c1z as large as a test needs.
#[derive(Clone)]
pub struct TestConnector {
    pub users: usize,
    pub padding: usize,
    /// When set, listing resources waits for a permit (a sync that hangs until released).
    pub hold: Option<Arc<Semaphore>>,
    pub calls: Arc<AtomicUsize>,
    /// When set, listing users fails with this message.
    pub fail_users: Option<String>,
}

impl TestConnector {
    pub fn new(users: usize) -> Self {
        TestConnector {
            users,
            padding: 0,
            hold: None,
            calls: Arc::new(AtomicUsize::new(0)),
            fail_users: None,
        }
    }
}

fn user_type() -> ResourceType {
    ResourceTypeBuilder::new("user", "User")
        .trait_(Trait::User)
        .build()
        .expect("valid type")
}

fn role_type() -> ResourceType {
    ResourceTypeBuilder::new("role", "Role")
        .trait_(Trait::Role)
        .build()
        .expect("valid type")
}

pub fn user(id: &str) -> Resource {
    ResourceBuilder::new("user", id, format!("User {id}"))
        .user_trait(UserTraitBuilder::new().email(format!("{id}@example.com"), true))
        .build()
        .expect("valid user")
}

pub fn admin_role() -> Resource {
    ResourceBuilder::new("role", "admin", "Admin")
        .role_trait(Profile::new().with("name", "Admin"))
        .build()
        .expect("valid role")
}

pub fn admin_member() -> Entitlement {
    EntitlementBuilder::new(&admin_role(), "member")
        .grantable_to(&[user_type()])
        .build()
        .expect("valid entitlement")
}

/// Hex text from a simple generator: compresses about 2:1 like real ids, unlike a repeated byte.
fn noise(seed: usize, len: usize) -> String {
    let mut x = (seed as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b"0123456789abcdef"[(x & 15) as usize])
        })
        .collect()
}

#[async_trait]
impl Connector for TestConnector {
    async fn resource_types(
        &self,
        _page: Option<PageToken>,
    ) -> Result<Page<ResourceType>, ConnectorError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Page::last(vec![role_type(), user_type()]))
    }

    async fn resources(
        &self,
        resource_type_id: &str,
        _parent: Option<&ResourceId>,
        _page: Option<PageToken>,
    ) -> Result<Page<Resource>, ConnectorError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(hold) = &self.hold {
            let _permit = hold.acquire().await.map_err(ConnectorError::new)?;
        }
        if let (Some(message), "user") = (&self.fail_users, resource_type_id) {
            return Err(ConnectorError::new(TestError::Refused(message.clone())));
        }
        Ok(match resource_type_id {
            "role" => Page::last(vec![admin_role()]),
            "user" => Page::last(
                (0..self.users)
                    .map(|i| {
                        let mut b =
                            ResourceBuilder::new("user", i.to_string(), format!("User {i}"))
                                .user_trait(
                                    UserTraitBuilder::new()
                                        .email(format!("u{i}@example.com"), true),
                                );
                        if self.padding > 0 {
                            b = b.description(noise(i, self.padding));
                        }
                        b.build().map_err(ConnectorError::new)
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => Page::empty(),
        })
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _page: Option<PageToken>,
    ) -> Result<Page<Entitlement>, ConnectorError> {
        let is_role = resource
            .id
            .as_ref()
            .is_some_and(|id| id.resource_type == "role");
        Ok(if is_role {
            Page::last(vec![admin_member()])
        } else {
            Page::empty()
        })
    }

    async fn grants(
        &self,
        resource: &Resource,
        _page: Option<PageToken>,
    ) -> Result<Page<Grant>, ConnectorError> {
        let is_role = resource
            .id
            .as_ref()
            .is_some_and(|id| id.resource_type == "role");
        if !is_role || self.users == 0 {
            return Ok(Page::empty());
        }
        let ent = admin_member();
        let grant = GrantBuilder::new(&ent, user("0").id.as_ref().expect("id"))
            .build()
            .map_err(ConnectorError::new)?;
        Ok(Page::last(vec![grant]))
    }

    // The encoded fast paths too, as the Workato connector offers them, so that the service's
    // wrappers are tested on them.
    async fn entitlements_encoded(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        Some(self.entitlements(resource, page).await.map(encode_page))
    }

    async fn grants_encoded(
        &self,
        resource: &Resource,
        page: Option<PageToken>,
    ) -> Option<Result<Page<Vec<u8>>, ConnectorError>> {
        Some(self.grants(resource, page).await.map(encode_page))
    }
}

/// A page of messages, each encoded.
fn encode_page<M: prost::Message>(page: Page<M>) -> Page<Vec<u8>> {
    let mut encoded = Page::last(page.items.iter().map(M::encode_to_vec).collect());
    encoded.next = page.next;
    encoded.annotations = page.annotations;
    encoded
}

#[derive(Debug, thiserror::Error)]
pub enum TestError {
    #[error("the test provisioner refused: {0}")]
    Refused(String),
}

/// Grants held as ids; optional gate to make calls wait for the test.
#[derive(Default)]
pub struct TestProvisioner {
    pub held: Mutex<BTreeSet<String>>,
    pub calls: AtomicUsize,
    pub hold: Option<Arc<Semaphore>>,
}

impl TestProvisioner {
    pub fn holding(ids: &[&str]) -> Self {
        TestProvisioner {
            held: Mutex::new(ids.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }
}

#[async_trait]
impl ResourceProvisioner for TestProvisioner {
    type Error = TestError;

    async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<GrantOutcome, TestError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(hold) = &self.hold {
            let _permit = hold
                .acquire()
                .await
                .map_err(|e| TestError::Refused(e.to_string()))?;
        }
        let pid = principal
            .id
            .as_ref()
            .ok_or_else(|| TestError::Refused("no principal id".into()))?;
        if pid.resource == "panic" {
            panic!("the test provisioner panics on purpose");
        }
        let id = grant_id(&entitlement.id, pid);
        let inserted = self.held.lock().expect("lock").insert(id);
        if !inserted {
            return Ok(GrantOutcome::AlreadyExists);
        }
        let grant = GrantBuilder::new(entitlement, pid)
            .build()
            .map_err(|e| TestError::Refused(e.to_string()))?;
        Ok(GrantOutcome::granted(vec![grant]))
    }

    async fn revoke(&self, grant: &Grant) -> Result<RevokeOutcome, TestError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(if self.held.lock().expect("lock").remove(&grant.id) {
            RevokeOutcome::Revoked
        } else {
            RevokeOutcome::AlreadyRevoked
        })
    }
}

#[async_trait]
impl AccountManager for TestProvisioner {
    type Error = TestError;

    async fn create_account(
        &self,
        info: &AccountInfo,
        _credential: CapabilityDetailCredentialOption,
    ) -> Result<CreateAccountOutcome, TestError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if info.email.ends_with("@invite.example") {
            return Ok(CreateAccountOutcome::ActionRequired {
                message: "the invitee must accept the email".into(),
            });
        }
        if info.email.ends_with("@exists.example") {
            return Ok(CreateAccountOutcome::AlreadyExists(user(&info.email)));
        }
        if info.email.ends_with("@refuse.example") {
            return Err(TestError::Refused("address not allowed".into()));
        }
        Ok(CreateAccountOutcome::Created(user(&info.email)))
    }
}

#[async_trait]
impl ResourceDeleter for TestProvisioner {
    type Error = TestError;

    async fn delete(&self, id: &ResourceId) -> Result<DeleteOutcome, TestError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(if id.resource == "0" {
            DeleteOutcome::Deleted
        } else {
            DeleteOutcome::AlreadyGone
        })
    }
}

pub fn metadata() -> ConnectorMetadata {
    ConnectorMetadata {
        display_name: "Test connector".into(),
        description: "in-memory connector for baton-service tests".into(),
        ..Default::default()
    }
}

/// A service connector over `connector` and `provisioner`.
pub fn service_connector(
    connector: TestConnector,
    provisioner: Arc<TestProvisioner>,
) -> ServiceConnector {
    ServiceConnector::new(metadata(), move || {
        let c = connector.clone();
        async move { Ok(c) }
    })
    .provisioner(Arc::clone(&provisioner))
    .account_manager(Arc::clone(&provisioner))
    .resource_deleter(provisioner)
}

/// The service running in the background.
pub struct Running {
    pub shutdown: Option<oneshot::Sender<()>>,
    pub handle: JoinHandle<Result<(), ServiceError>>,
}

impl Running {
    /// Requests shutdown and waits for `run` to return.
    pub async fn stop(mut self) -> Result<(), ServiceError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(WAIT, self.handle)
            .await
            .expect("run returns after shutdown")
            .expect("run does not panic")
    }
}

pub fn start(config: ServiceConfig, connector: ServiceConnector) -> Running {
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(run(config, connector, async move {
        let _ = rx.await;
    }));
    Running {
        shutdown: Some(tx),
        handle,
    }
}

/// A fake C1 and the service running against it with `config_fn` applied to the settings.
pub async fn start_with(
    connector: TestConnector,
    provisioner: Arc<TestProvisioner>,
    config_fn: impl FnOnce(ServiceConfig) -> ServiceConfig,
) -> (FakeC1, Running) {
    init_logs();
    let c1 = FakeC1::start().await.expect("fake starts");
    let config = config_fn(c1.service_config().expect("config"));
    let running = start(config, service_connector(connector, provisioner));
    (c1, running)
}

/// Logs to the test output (shown for failing tests).
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("baton_service=debug")
        .try_init();
}
