//! Rendering tests against what the Go `baton` CLI (v0.7.27) printed for the Go connector's
//! fixture c1z (entries copied from /work/shared/fixtures into `testdata/`).

use super::*;
use crate::model::ids::resource_id;
use crate::model::{
    AppTraitBuilder, EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder,
    ResourceTypeBuilder, UserTraitBuilder,
};
use crate::proto::{
    pack, Any, Capability, CapabilityPermission, CapabilityPermissions, ConnectorCapabilities,
    CreationSource, CredentialDetails, ETag, Purpose, RateLimitDescription, RateLimitStatus,
    Resource, ResourceType, ResourceTypeCapability, Timestamp, Trait,
};

fn fixture(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("fixture parses")
}

const GO_TIME: &str = "2024-01-02 03:04:05 +0000 UTC";
/// 2024-01-02T03:04:05Z
const CREATED: Timestamp = Timestamp {
    seconds: 1_704_164_645,
    nanos: 0,
};

fn role_type() -> ResourceType {
    ResourceTypeBuilder::new("role", "Roles")
        .trait_(Trait::Role)
        .build()
        .expect("valid")
}

fn collaborator_type() -> ResourceType {
    ResourceTypeBuilder::new("collaborator", "Collaborator")
        .trait_(Trait::User)
        .skip_entitlements_and_grants()
        .build()
        .expect("valid")
}

fn collaborator(n: u32) -> Resource {
    let email = format!("user{n}@example.com");
    ResourceBuilder::new("collaborator", n.to_string(), format!("User {n}"))
        .user_trait(
            UserTraitBuilder::new()
                .email(&email, true)
                .profile(
                    Profile::new()
                        .with("createdAt", GO_TIME)
                        .with("email", email.as_str())
                        .with("externalId", format!("ext-{n}"))
                        .with("grantType", "team")
                        .with("id", n)
                        .with("name", format!("User {n}"))
                        .with("timeZone", "UTC"),
                )
                .login(&email)
                .created_at(CREATED),
        )
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid")
}

fn operator_role() -> Resource {
    ResourceBuilder::new("role", "Operator", "Operator")
        .role_trait(
            Profile::new()
                .with("id", "Operator")
                .with("name", "Operator"),
        )
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid")
}

#[test]
fn first_resource_matches_go_cli() {
    let role = ResourceBuilder::new("role", "1001", "Custom Role 1")
        .role_trait(
            Profile::new()
                .with("create_at", GO_TIME)
                .with("id", 1001)
                .with("inheritable", true)
                .with("name", "Custom Role 1")
                .with("updated_at", GO_TIME),
        )
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid");
    let doc = resources_output(&[ResourceRow {
        resource: role,
        resource_type: Some(role_type()),
        parent: None,
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value()["resources"][0],
        fixture(include_str!("testdata/resource_role_1001.json"))
    );
}

#[test]
fn user_resource_matches_go_cli() {
    let doc = resources_output(&[ResourceRow {
        resource: collaborator(1),
        resource_type: Some(collaborator_type()),
        parent: None,
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value()["resources"][0],
        fixture(include_str!("testdata/resource_collaborator_1.json"))
    );
}

#[test]
fn resource_with_parent_matches_go_cli() {
    let root = ResourceBuilder::new("folder", "100001", "ROOT PROJECT: Project 1")
        .parent(resource_id("project", "502"))
        .child_type("folder")
        .app_trait(
            Profile::new()
                .with("id", 501)
                .with("name", "ROOT PROJECT: Project 1")
                .null("parent_id"),
        )
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid");
    let project = ResourceBuilder::new("project", "502", "Project 2")
        .child_type("folder")
        .app_trait(AppTraitBuilder::from(
            Profile::new()
                .with("description", "mock project 2")
                .with("folder_id", 100004)
                .with("id", 502)
                .with("name", "Project 2"),
        ))
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid");
    let folder_type = ResourceTypeBuilder::new("folder", "Folder")
        .build()
        .expect("valid");
    let doc = resources_output(&[ResourceRow {
        resource: root,
        resource_type: Some(folder_type),
        parent: Some(project),
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value()["resources"][0],
        fixture(include_str!("testdata/resource_root_folder.json"))
    );
}

fn folder_f01() -> Resource {
    ResourceBuilder::new("folder", "100003", "Project 1/F0.1")
        .parent(resource_id("folder", "100001"))
        .child_type("folder")
        .app_trait(
            Profile::new()
                .with("create_at", GO_TIME)
                .with("id", 100003)
                .with("name", "Project 1/F0.1")
                .with("parent_id", 100001)
                .with("updated_at", GO_TIME),
        )
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid")
}

fn folder_role_access() -> crate::proto::Entitlement {
    EntitlementBuilder::new(&folder_f01(), "role-access")
        .display_name("Roles acess Project 1/F0.1")
        .description("Roles can acess Project 1/F0.1")
        .purpose(Purpose::Permission)
        .grantable_to(&[role_type()])
        .build()
        .expect("valid")
}

#[test]
fn first_entitlement_matches_go_cli() {
    let folder_type = ResourceTypeBuilder::new("folder", "Folder")
        .build()
        .expect("valid");
    let doc = entitlements_output(&[EntitlementRow {
        entitlement: folder_role_access(),
        resource: Some(folder_f01()),
        resource_type: Some(folder_type),
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value()["entitlements"][0],
        fixture(include_str!("testdata/entitlement_first.json"))
    );
}

/// The Go connector embedded the entitlement's full resource in `grant.entitlement`, with the
/// deprecated (empty) `ETag` annotation the old SDK added.
fn with_etag_resource(mut grant: crate::proto::Grant, resource: &Resource) -> crate::proto::Grant {
    let mut full = resource.clone();
    full.annotations.push(pack(&ETag::default()));
    if let Some(ent) = grant.entitlement.as_mut() {
        ent.resource = Some(full);
    }
    grant
}

#[test]
fn first_grant_matches_go_cli() {
    let entitlement = folder_role_access();
    let grant = GrantBuilder::new(&entitlement, &resource_id("role", "1002"))
        .build()
        .expect("valid");
    let grant = with_etag_resource(grant, &folder_f01());
    let principal = ResourceBuilder::new("role", "1002", "Custom Role 2")
        .role_trait(
            Profile::new()
                .with("create_at", GO_TIME)
                .with("id", 1002)
                .with("inheritable", true)
                .with("name", "Custom Role 2")
                .with("updated_at", GO_TIME),
        )
        .creation_source(CreationSource::ConnectorListResources)
        .build()
        .expect("valid");
    let doc = grants_output(&[GrantRow {
        grant,
        entitlement: Some(entitlement),
        resource: Some(folder_f01()),
        resource_type: Some(
            ResourceTypeBuilder::new("folder", "Folder")
                .build()
                .expect("valid"),
        ),
        principal: Some(principal),
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value()["grants"][0],
        fixture(include_str!("testdata/grant_first.json"))
    );
}

#[test]
fn grant_with_metadata_matches_go_cli() {
    let operator = operator_role();
    let entitlement = EntitlementBuilder::new(&operator, "collaborator-has")
        .display_name("Operator has Collaborator")
        .description("Operator has Collaborator")
        .purpose(Purpose::Assignment)
        .grantable_to(&[collaborator_type()])
        .build()
        .expect("valid");
    let grant = GrantBuilder::new(&entitlement, &resource_id("collaborator", "5"))
        .metadata(Profile::new().with("environment_type", "dev"))
        .build()
        .expect("valid");
    let grant = with_etag_resource(grant, &operator);
    let doc = grants_output(&[GrantRow {
        grant,
        entitlement: Some(entitlement),
        resource: Some(operator),
        resource_type: Some(role_type()),
        principal: Some(collaborator(5)),
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value()["grants"][0],
        fixture(include_str!("testdata/grant_metadata.json"))
    );
}

#[test]
fn missing_references_render_as_placeholders() {
    let entitlement = folder_role_access();
    let grant = GrantBuilder::new(&entitlement, &resource_id("role", "9"))
        .build()
        .expect("valid");
    let value = grants_output(&[GrantRow {
        grant,
        ..Default::default()
    }])
    .expect("renders")
    .to_value();
    let row = &value["grants"][0];
    assert_eq!(
        row["entitlement"],
        serde_json::json!({"id": "folder:100003:role-access",
            "displayName": "MISSING ENTITLEMENT (folder:100003:role-access)"})
    );
    assert_eq!(
        row["resource"]["displayName"],
        "MISSING RESOURCE (folder:100003)"
    );
    assert_eq!(row["principal"]["displayName"], "MISSING RESOURCE (role:9)");
    assert_eq!(
        row["principal"]["id"],
        serde_json::json!({"resourceType": "role", "resource": "9"})
    );
    assert_eq!(row["resourceType"]["id"], "folder");

    let orphan = ResourceBuilder::new("folder", "7", "F")
        .parent(resource_id("folder", "6"))
        .build()
        .expect("valid");
    let value = resources_output(&[ResourceRow {
        resource: orphan,
        ..Default::default()
    }])
    .expect("renders")
    .to_value();
    assert_eq!(
        value["resources"][0]["parent"]["displayName"],
        "MISSING RESOURCE (folder:6)"
    );
}

#[test]
fn unknown_any_fails_like_go() {
    let mut r = operator_role();
    r.annotations.push(Any {
        type_url: "type.googleapis.com/c1.connector.v2.GrantReplaced".into(),
        value: vec![],
    });
    let err = to_value(&r).expect_err("unresolvable");
    assert!(matches!(
        &err,
        JsonError::UnresolvableAny { type_url } if type_url.ends_with("GrantReplaced")
    ));
    assert_eq!(
        err.to_string(),
        "unable to resolve \"type.googleapis.com/c1.connector.v2.GrantReplaced\": message type not known"
    );
    let private = Any {
        type_url: "type.googleapis.com/workato.Private".into(),
        value: vec![],
    };
    assert!(any_to_value(&private).is_err());
}

#[test]
fn scalars_follow_protojson() {
    let rl = RateLimitDescription {
        status: RateLimitStatus::Overlimit as i32,
        limit: 60,
        remaining: 0,
        reset_at: Some(Timestamp {
            seconds: 1_704_164_645,
            nanos: 120_000_000,
        }),
    };
    assert_eq!(
        any_to_value(&pack(&rl)).expect("renders"),
        serde_json::json!({
            "@type": "type.googleapis.com/c1.connector.v2.RateLimitDescription",
            "status": "STATUS_OVERLIMIT",
            "limit": "60",
            "resetAt": "2024-01-02T03:04:05.120Z"
        })
    );
    assert!(timestamp_to_string(&Timestamp {
        seconds: i64::MAX,
        nanos: 0
    })
    .is_err());
    assert_eq!(
        timestamp_to_string(&Timestamp {
            seconds: 0,
            nanos: 1
        })
        .expect("valid"),
        "1970-01-01T00:00:00.000000001Z"
    );
}

#[test]
fn compact_string_keeps_declaration_order() {
    let doc = resource_types_output(&[role_type()]).expect("renders");
    assert_eq!(
        doc.to_compact_string(),
        r#"{"resourceTypes":[{"resourceType":{"id":"role","displayName":"Roles","traits":["TRAIT_ROLE"]}}]}"#
    );
    assert_eq!(
        resource_types_output(&[])
            .expect("renders")
            .to_compact_string(),
        "{}"
    );
}

#[test]
fn syncs_output_shape() {
    let doc = syncs_output(&[SyncRow {
        id: "3ARefY5G8eOytquwYgm41Nq07IZ".into(),
        started_at: Some(CREATED),
        ended_at: Some(Timestamp {
            seconds: CREATED.seconds + 2,
            nanos: 0,
        }),
        sync_type: "full".into(),
        ..Default::default()
    }])
    .expect("renders");
    assert_eq!(
        doc.to_value(),
        serde_json::json!({"syncs": [{
            "id": "3ARefY5G8eOytquwYgm41Nq07IZ",
            "startedAt": "2024-01-02T03:04:05Z",
            "endedAt": "2024-01-02T03:04:07Z",
            "syncType": "full"
        }]})
    );
}

#[test]
fn capabilities_snapshot() {
    let perms = CapabilityPermissions {
        permissions: vec![CapabilityPermission {
            permission: "collaborators:write".into(),
        }],
    };
    let caps = ConnectorCapabilities {
        resource_type_capabilities: vec![
            ResourceTypeCapability {
                resource_type: Some(collaborator_type()),
                capabilities: vec![
                    Capability::Sync as i32,
                    Capability::AccountProvisioning as i32,
                    Capability::ResourceDelete as i32,
                ],
                permissions: Some(perms),
            },
            ResourceTypeCapability {
                resource_type: Some(role_type()),
                capabilities: vec![Capability::Sync as i32, Capability::Provision as i32],
                permissions: Some(CapabilityPermissions::default()),
            },
        ],
        connector_capabilities: vec![
            Capability::Provision as i32,
            Capability::Sync as i32,
            Capability::AccountProvisioning as i32,
            Capability::ResourceDelete as i32,
        ],
        credential_details: Some(CredentialDetails::default()),
    };
    let text = capabilities_json(&caps).expect("renders");
    assert!(!text.ends_with('\n'));
    insta::assert_snapshot!(text);
}
