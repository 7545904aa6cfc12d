//! Wire-format tests: round trips, golden bytes (computed independently from the protobuf
//! encoding rules, not by prost), deterministic `Struct` encoding and `Any` matching.

use std::collections::BTreeMap;

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rid(rt: &str, r: &str) -> ResourceId {
    ResourceId {
        resource_type: rt.into(),
        resource: r.into(),
        baton_resource: false,
    }
}

fn string_value(s: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(s.into())),
    }
}

fn profile() -> Struct {
    let mut fields = BTreeMap::new();
    fields.insert("name".to_string(), string_value("Ada"));
    fields.insert(
        "id".to_string(),
        Value {
            kind: Some(Kind::NumberValue(1001.0)),
        },
    );
    Struct { fields }
}

fn ts() -> Timestamp {
    Timestamp {
        seconds: 1_704_164_645,
        nanos: 5,
    }
}

/// Encodes, decodes and compares; also checks the `Any` round trip and type URL.
fn round_trip<M: Name + Default + PartialEq + std::fmt::Debug>(message: M, name: &str) {
    let bytes = message.encode_to_vec();
    let back = M::decode(bytes.as_slice()).expect("decode");
    assert_eq!(back, message, "{name}");
    let any = pack(&message);
    assert_eq!(
        any.type_url,
        format!("type.googleapis.com/c1.connector.v2.{name}")
    );
    assert_eq!(unpack::<M>(&any).expect("unpack"), Some(message), "{name}");
}

#[test]
fn round_trip_core_messages() {
    let rt = ResourceType {
        id: "role".into(),
        display_name: "Roles".into(),
        traits: vec![Trait::Role as i32, Trait::User as i32],
        annotations: vec![pack(&SkipGrants {})],
        description: "d".into(),
        sourced_externally: true,
    };
    round_trip(rt.clone(), "ResourceType");
    round_trip(rid("role", "1"), "ResourceId");
    let resource = Resource {
        id: Some(rid("role", "1")),
        parent_resource_id: Some(rid("project", "2")),
        display_name: "Role 1".into(),
        annotations: vec![pack(&RoleTrait {
            profile: Some(profile()),
            role_scope_conditions: None,
        })],
        description: "desc".into(),
        baton_resource: false,
        external_id: Some(ExternalId {
            id: "x".into(),
            link: "https://x".into(),
            description: "e".into(),
        }),
        creation_source: CreationSource::ConnectorListResources as i32,
    };
    round_trip(resource.clone(), "Resource");
    round_trip(
        ExternalId {
            id: "x".into(),
            link: "l".into(),
            description: "d".into(),
        },
        "ExternalId",
    );
    round_trip(AssetRef { id: "icon".into() }, "AssetRef");
    let ent = Entitlement {
        resource: Some(resource.clone()),
        id: "role:1:assigned".into(),
        display_name: "Assigned".into(),
        description: "d".into(),
        grantable_to: vec![rt],
        annotations: vec![pack(&EntitlementImmutable::default())],
        purpose: Purpose::Assignment as i32,
        slug: "assigned".into(),
    };
    round_trip(ent.clone(), "Entitlement");
    let mut sources = BTreeMap::new();
    sources.insert("a".to_string(), GrantSource { is_direct: true });
    sources.insert("b".to_string(), GrantSource { is_direct: false });
    round_trip(
        Grant {
            entitlement: Some(ent),
            principal: Some(resource),
            id: "g".into(),
            annotations: vec![pack(&GrantImmutable::default())],
            sources: Some(GrantSources {
                sources: sources.clone(),
            }),
        },
        "Grant",
    );
    round_trip(GrantSources { sources }, "GrantSources");
    round_trip(GrantSource { is_direct: true }, "GrantSources.GrantSource");
}

#[test]
fn round_trip_traits() {
    round_trip(
        UserTrait {
            emails: vec![Email {
                address: "a@b.c".into(),
                is_primary: true,
            }],
            status: Some(UserStatus {
                status: Status::Disabled as i32,
                details: "gone".into(),
            }),
            profile: Some(profile()),
            icon: Some(AssetRef { id: "i".into() }),
            account_type: AccountType::Service as i32,
            login: "a".into(),
            login_aliases: vec!["b".into()],
            created_at: Some(ts()),
            last_login: Some(ts()),
            mfa_status: Some(MfaStatus { mfa_enabled: true }),
            sso_status: Some(SsoStatus { sso_enabled: true }),
            structured_name: Some(StructuredName {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                middle_names: vec!["King".into()],
                prefix: "Lady".into(),
                suffix: "I".into(),
            }),
            employee_ids: vec!["7".into()],
        },
        "UserTrait",
    );
    round_trip(
        Email {
            address: "a".into(),
            is_primary: true,
        },
        "UserTrait.Email",
    );
    round_trip(
        UserStatus {
            status: 1,
            details: String::new(),
        },
        "UserTrait.Status",
    );
    round_trip(MfaStatus { mfa_enabled: true }, "UserTrait.MFAStatus");
    round_trip(SsoStatus { sso_enabled: true }, "UserTrait.SSOStatus");
    round_trip(
        StructuredName {
            given_name: "g".into(),
            ..Default::default()
        },
        "UserTrait.StructuredName",
    );
    round_trip(
        GroupTrait {
            icon: Some(AssetRef { id: "i".into() }),
            profile: Some(profile()),
        },
        "GroupTrait",
    );
    let conditions = RoleScopeConditions {
        r#type: "cel".into(),
        conditions: vec![RoleScopeCondition {
            expression: "true".into(),
        }],
    };
    round_trip(
        RoleTrait {
            profile: Some(profile()),
            role_scope_conditions: Some(conditions.clone()),
        },
        "RoleTrait",
    );
    round_trip(conditions, "RoleScopeConditions");
    round_trip(
        RoleScopeCondition {
            expression: "x".into(),
        },
        "RoleScopeCondition",
    );
    round_trip(
        AppTrait {
            help_url: "https://h".into(),
            icon: Some(AssetRef { id: "i".into() }),
            logo: Some(AssetRef { id: "l".into() }),
            profile: Some(profile()),
            flags: vec![AppFlag::Saml as i32, AppFlag::Hidden as i32],
        },
        "AppTrait",
    );
    round_trip(
        SecretTrait {
            profile: Some(profile()),
            created_at: Some(ts()),
            expires_at: Some(ts()),
            last_used_at: Some(ts()),
            created_by_id: Some(rid("user", "1")),
            identity_id: Some(rid("user", "2")),
        },
        "SecretTrait",
    );
    round_trip(
        ScopeBindingTrait {
            role_id: Some(rid("role", "1")),
            scope_resource_id: Some(rid("project", "1")),
        },
        "ScopeBindingTrait",
    );
}

#[test]
fn round_trip_annotations() {
    round_trip(SkipEntitlementsAndGrants {}, "SkipEntitlementsAndGrants");
    round_trip(SkipEntitlements {}, "SkipEntitlements");
    round_trip(SkipGrants {}, "SkipGrants");
    round_trip(GrantAlreadyExists {}, "GrantAlreadyExists");
    round_trip(GrantAlreadyRevoked {}, "GrantAlreadyRevoked");
    round_trip(InsertResourceGrants {}, "InsertResourceGrants");
    round_trip(BatonId {}, "BatonID");
    round_trip(ResourceDoesNotExist {}, "ResourceDoesNotExist");
    round_trip(
        ChildResourceType {
            resource_type_id: "folder".into(),
        },
        "ChildResourceType",
    );
    round_trip(
        GrantExpandable {
            entitlement_ids: vec!["a".into(), "b".into()],
            shallow: true,
            resource_type_ids: vec!["user".into()],
        },
        "GrantExpandable",
    );
    round_trip(
        GrantImmutable {
            source_id: "s".into(),
            metadata: Some(profile()),
        },
        "GrantImmutable",
    );
    round_trip(
        GrantMetadata {
            metadata: Some(profile()),
        },
        "GrantMetadata",
    );
    round_trip(
        GrantReplaced {
            replaced_grant_id: "g".into(),
        },
        "GrantReplaced",
    );
    round_trip(
        EntitlementImmutable {
            source_id: "s".into(),
            metadata: Some(profile()),
        },
        "EntitlementImmutable",
    );
    round_trip(
        ExternalLink {
            url: "https://x".into(),
        },
        "ExternalLink",
    );
    round_trip(V1Identifier { id: "1".into() }, "V1Identifier");
    round_trip(RawId { id: "1".into() }, "RawId");
    round_trip(
        Aliases {
            ids: vec!["a".into(), "b".into()],
        },
        "Aliases",
    );
    round_trip(
        RequestId {
            request_id: "r".into(),
        },
        "RequestId",
    );
    round_trip(
        RateLimitDescription {
            status: RateLimitStatus::Overlimit as i32,
            limit: 60,
            remaining: -1,
            reset_at: Some(ts()),
        },
        "RateLimitDescription",
    );
    round_trip(
        ETag {
            value: "v".into(),
            entitlement_id: "e".into(),
        },
        "ETag",
    );
    round_trip(
        ETagMetadata {
            metadata: Some(profile()),
        },
        "ETagMetadata",
    );
    round_trip(
        ETagMatch {
            entitlement_id: "e".into(),
        },
        "ETagMatch",
    );
    round_trip(
        ExternalResourceMatch {
            resource_type: Trait::User as i32,
            key: "email".into(),
            value: "a@b.c".into(),
        },
        "ExternalResourceMatch",
    );
    round_trip(
        ExternalResourceMatchAll {
            resource_type: Trait::Group as i32,
        },
        "ExternalResourceMatchAll",
    );
    round_trip(
        ExternalResourceMatchId { id: "x".into() },
        "ExternalResourceMatchID",
    );
    round_trip(
        ExternalTicketSettings { enabled: true },
        "ExternalTicketSettings",
    );
    round_trip(
        ExternalTicketRef {
            id: "t".into(),
            external_ticket_provisioner_config_id: "c".into(),
        },
        "ExternalTicketRef",
    );
    let perms = CapabilityPermissions {
        permissions: vec![CapabilityPermission {
            permission: "read".into(),
        }],
    };
    round_trip(perms, "CapabilityPermissions");
    round_trip(
        CapabilityPermission {
            permission: "p".into(),
        },
        "CapabilityPermission",
    );
}

#[test]
fn round_trip_capabilities() {
    let details = CredentialDetails {
        capability_account_provisioning: Some(CredentialDetailsAccountProvisioning {
            supported_credential_options: vec![
                CapabilityDetailCredentialOption::NoPassword as i32,
                CapabilityDetailCredentialOption::Sso as i32,
            ],
            preferred_credential_option: CapabilityDetailCredentialOption::NoPassword as i32,
        }),
        capability_credential_rotation: Some(CredentialDetailsCredentialRotation {
            supported_credential_options: vec![
                CapabilityDetailCredentialOption::RandomPassword as i32,
            ],
            preferred_credential_option: CapabilityDetailCredentialOption::RandomPassword as i32,
        }),
    };
    let caps = ConnectorCapabilities {
        resource_type_capabilities: vec![ResourceTypeCapability {
            resource_type: Some(ResourceType {
                id: "user".into(),
                ..Default::default()
            }),
            capabilities: vec![Capability::Sync as i32, Capability::Provision as i32],
            permissions: Some(CapabilityPermissions::default()),
        }],
        connector_capabilities: vec![
            Capability::Provision as i32,
            Capability::ServiceModeTargetedSync as i32,
        ],
        credential_details: Some(details.clone()),
    };
    round_trip(caps.clone(), "ConnectorCapabilities");
    round_trip(
        ResourceTypeCapability {
            capabilities: vec![2],
            ..Default::default()
        },
        "ResourceTypeCapability",
    );
    round_trip(details.clone(), "CredentialDetails");
    round_trip(
        details.capability_account_provisioning.unwrap_or_default(),
        "CredentialDetailsAccountProvisioning",
    );
    round_trip(
        details.capability_credential_rotation.unwrap_or_default(),
        "CredentialDetailsCredentialRotation",
    );
    round_trip(
        ConnectorMetadata {
            display_name: "Workato".into(),
            help_url: "https://h".into(),
            icon: Some(AssetRef { id: "i".into() }),
            logo: None,
            profile: Some(profile()),
            annotations: vec![pack(&RequestId::default())],
            description: "d".into(),
            capabilities: Some(caps),
        },
        "ConnectorMetadata",
    );
}

#[test]
fn golden_resource_type_with_traits() {
    let rt = ResourceType {
        id: "role".into(),
        display_name: "Roles".into(),
        traits: vec![Trait::Role as i32, Trait::User as i32],
        annotations: vec![pack(&SkipEntitlementsAndGrants {})],
        description: "Workato roles".into(),
        sourced_externally: false,
    };
    assert_eq!(
        hex(&rt.encode_to_vec()),
        "0a04726f6c651205526f6c65731a020301223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e\
         636f6e6e6563746f722e76322e536b6970456e7469746c656d656e7473416e644772616e74732a0d576f726b\
         61746f20726f6c6573"
    );
}

#[test]
fn golden_grant_with_sources() {
    let mut sources = BTreeMap::new();
    sources.insert(
        "group:7:member".to_string(),
        GrantSource { is_direct: true },
    );
    let grant = Grant {
        entitlement: Some(Entitlement {
            resource: Some(Resource {
                id: Some(rid("group", "7")),
                ..Default::default()
            }),
            id: "group:7:member".into(),
            ..Default::default()
        }),
        principal: Some(Resource {
            id: Some(rid("user", "42")),
            ..Default::default()
        }),
        id: "group:7:member:user:42".into(),
        annotations: vec![pack(&GrantImmutable::default())],
        sources: Some(GrantSources { sources }),
    };
    assert_eq!(
        hex(&grant.encode_to_vec()),
        "0a1e0a0c0a0a0a0567726f7570120137120e67726f75703a373a6d656d626572120c0a0a0a04757365721202\
         34321a1667726f75703a373a6d656d6265723a757365723a343222340a32747970652e676f6f676c65617069\
         732e636f6d2f63312e636f6e6e6563746f722e76322e4772616e74496d6d757461626c652a160a140a0e6772\
         6f75703a373a6d656d62657212020801"
    );
}

#[test]
fn golden_any_packed_user_trait() {
    let trait_ = UserTrait {
        emails: vec![Email {
            address: "ada@example.com".into(),
            is_primary: true,
        }],
        status: Some(UserStatus {
            status: Status::Enabled as i32,
            details: String::new(),
        }),
        account_type: AccountType::Human as i32,
        login: "ada".into(),
        ..Default::default()
    };
    assert_eq!(
        hex(&pack(&trait_).encode_to_vec()),
        "0a2d747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e557365725472\
         61697412200a130a0f616461406578616d706c652e636f6d10011202080128013203616461"
    );
}

#[test]
fn struct_encoding_is_deterministic_and_sorted() {
    // Insert in two different orders: the BTreeMap makes the bytes identical, keys ascending.
    let mut a = BTreeMap::new();
    a.insert("zeta".to_string(), string_value("z"));
    a.insert("alpha".to_string(), string_value("a"));
    let mut b = BTreeMap::new();
    b.insert("alpha".to_string(), string_value("a"));
    b.insert("zeta".to_string(), string_value("z"));
    let bytes_a = Struct { fields: a }.encode_to_vec();
    let bytes_b = Struct { fields: b }.encode_to_vec();
    assert_eq!(bytes_a, bytes_b);
    let alpha = bytes_a
        .windows(5)
        .position(|w| w == b"alpha")
        .expect("alpha present");
    let zeta = bytes_a
        .windows(4)
        .position(|w| w == b"zeta")
        .expect("zeta present");
    assert!(alpha < zeta);
}

#[test]
fn unpack_matches_on_text_after_last_slash() {
    let link = ExternalLink {
        url: "https://example.com".into(),
    };
    let mut any = pack(&link);
    any.type_url = "example.org/custom/c1.connector.v2.ExternalLink".into();
    assert_eq!(unpack::<ExternalLink>(&any).expect("unpack"), Some(link));
    assert_eq!(unpack::<RawId>(&any).expect("other type"), None);
    assert!(is::<ExternalLink>(&any));
    assert_eq!(type_name(&any), "c1.connector.v2.ExternalLink");
}

#[test]
fn is_compares_the_whole_full_name() {
    let named = |url: &str| Any {
        type_url: url.into(),
        value: Vec::new(),
    };
    assert!(is::<GrantSource>(&named(
        "type.googleapis.com/c1.connector.v2.GrantSources.GrantSource"
    )));
    assert!(is::<UserTrait>(&named("c1.connector.v2.UserTrait")));
    for miss in [
        "type.googleapis.com/c1.connector.v2.UserTraitX",
        "type.googleapis.com/c1.connector.v2XUserTrait",
        "type.googleapis.com/c1.connector.UserTrait",
        "type.googleapis.com/UserTrait",
        "type.googleapis.com/x.c1.connector.v2.UserTrait",
        "",
    ] {
        assert!(!is::<UserTrait>(&named(miss)), "{miss}");
    }
}

#[test]
fn unpack_reports_corrupt_payload() {
    let any = Any {
        type_url: ExternalLink::type_url(),
        value: vec![0x0a, 0x05, b'h'],
    };
    let err = unpack::<ExternalLink>(&any).expect_err("truncated payload");
    assert_eq!(err.type_url, ExternalLink::type_url());
}

#[test]
fn enum_names_are_protojson_names() {
    assert_eq!(Trait::User.as_str_name(), "TRAIT_USER");
    assert_eq!(
        Purpose::Assignment.as_str_name(),
        "PURPOSE_VALUE_ASSIGNMENT"
    );
    assert_eq!(
        CreationSource::ConnectorListResources.as_str_name(),
        "CREATION_SOURCE_CONNECTOR_LIST_RESOURCES"
    );
    assert_eq!(Status::Enabled.as_str_name(), "STATUS_ENABLED");
    assert_eq!(AccountType::Human.as_str_name(), "ACCOUNT_TYPE_HUMAN");
    assert_eq!(Capability::Sync.as_str_name(), "CAPABILITY_SYNC");
    assert_eq!(Trait::try_from(7), Ok(Trait::ScopeBinding));
    assert!(
        Trait::try_from(8).is_err(),
        "values newer than v0.7.27 are unknown"
    );
}
