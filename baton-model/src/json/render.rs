//! protojson rendering of every `c1.connector.v2` message of [`crate::proto`].

use chrono::{DateTime, SecondsFormat};

use crate::proto::{self, *};

use super::node::{Node, Obj};
use super::{Document, JsonError};

/// A message that renders the way Go's `protojson.Marshal` prints it.
pub trait ProtoJson {
    /// Renders the message (defaults omitted, enums by name, `Any` inlined with `@type`).
    ///
    /// # Errors
    /// [`JsonError::UnresolvableAny`] for an `Any` of a type this crate does not know (as the Go
    /// CLI fails with "unable to resolve"), [`JsonError::InvalidTimestamp`] for a timestamp
    /// protojson cannot print, [`JsonError::Decode`] for a corrupt `Any` payload.
    fn to_document(&self) -> Result<Document, JsonError>;
}

fn node<M: ProtoJson>(message: &M) -> Result<Node, JsonError> {
    Ok(message.to_document()?.0)
}

fn opt<M: ProtoJson>(message: &Option<M>) -> Result<Option<Node>, JsonError> {
    message.as_ref().map(node).transpose()
}

fn list<M: ProtoJson>(messages: &[M]) -> Result<Vec<Node>, JsonError> {
    messages.iter().map(node).collect()
}

fn anys(annotations: &[Any]) -> Result<Vec<Node>, JsonError> {
    annotations.iter().map(any_node).collect()
}

macro_rules! proto_json {
    ($($ty:ty => |$m:ident| $body:expr;)*) => {
        $(
            impl ProtoJson for $ty {
                fn to_document(&self) -> Result<Document, JsonError> {
                    let $m = self;
                    let node: Result<Node, JsonError> = $body;
                    node.map(Document)
                }
            }
        )*
    };
}

fn trait_name(v: i32) -> Option<&'static str> {
    Trait::try_from(v).ok().map(Trait::as_str_name)
}
fn creation_source_name(v: i32) -> Option<&'static str> {
    CreationSource::try_from(v)
        .ok()
        .map(CreationSource::as_str_name)
}
fn purpose_name(v: i32) -> Option<&'static str> {
    Purpose::try_from(v).ok().map(Purpose::as_str_name)
}
fn status_name(v: i32) -> Option<&'static str> {
    Status::try_from(v).ok().map(Status::as_str_name)
}
fn account_type_name(v: i32) -> Option<&'static str> {
    AccountType::try_from(v).ok().map(AccountType::as_str_name)
}
fn app_flag_name(v: i32) -> Option<&'static str> {
    AppFlag::try_from(v).ok().map(AppFlag::as_str_name)
}
fn rate_limit_status_name(v: i32) -> Option<&'static str> {
    RateLimitStatus::try_from(v)
        .ok()
        .map(RateLimitStatus::as_str_name)
}
fn capability_name(v: i32) -> Option<&'static str> {
    Capability::try_from(v).ok().map(Capability::as_str_name)
}
fn credential_option_name(v: i32) -> Option<&'static str> {
    CapabilityDetailCredentialOption::try_from(v)
        .ok()
        .map(CapabilityDetailCredentialOption::as_str_name)
}

/// `google.protobuf.Struct` prints as a plain JSON object (keys sorted, as protojson does).
pub(crate) fn struct_node(s: &Struct) -> Node {
    Node::Object(
        s.fields
            .iter()
            .map(|(k, v)| (k.clone(), value_node(v)))
            .collect(),
    )
}

fn value_node(v: &Value) -> Node {
    match &v.kind {
        // Go refuses to print a Value with no kind; we print null rather than fail a listing.
        None | Some(Kind::NullValue(_)) => Node::Null,
        Some(Kind::NumberValue(n)) => Node::from_f64(*n),
        Some(Kind::StringValue(s)) => Node::String(s.clone()),
        Some(Kind::BoolValue(b)) => Node::Bool(*b),
        Some(Kind::StructValue(s)) => struct_node(s),
        Some(Kind::ListValue(l)) => Node::Array(l.values.iter().map(value_node).collect()),
    }
}

/// RFC 3339 in UTC with `Z` and 0, 3, 6 or 9 fraction digits; years 1–9999 only.
pub(crate) fn timestamp_string(ts: &Timestamp) -> Result<String, JsonError> {
    // Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, protojson's range.
    const MIN: i64 = -62_135_596_800;
    const MAX: i64 = 253_402_300_799;
    let invalid = || JsonError::InvalidTimestamp {
        seconds: ts.seconds,
        nanos: ts.nanos,
    };
    if !(MIN..=MAX).contains(&ts.seconds) || !(0..1_000_000_000).contains(&ts.nanos) {
        return Err(invalid());
    }
    let nanos = u32::try_from(ts.nanos).map_err(|_| invalid())?;
    let dt = DateTime::from_timestamp(ts.seconds, nanos).ok_or_else(invalid)?;
    Ok(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn ts(t: &Option<Timestamp>) -> Result<Option<Node>, JsonError> {
    t.as_ref()
        .map(|t| timestamp_string(t).map(Node::String))
        .transpose()
}

fn st(s: &Option<Struct>) -> Option<Node> {
    s.as_ref().map(struct_node)
}

fn decode_any<M: ProtoJson + Name + Default>(any: &Any) -> Result<Node, JsonError> {
    let message = proto::unpack::<M>(any)?.ok_or_else(|| JsonError::UnresolvableAny {
        type_url: any.type_url.clone(),
    })?;
    node(&message)
}

/// Inlines an `Any` as its message's fields preceded by `"@type"` (the stored type URL).
pub(crate) fn any_node(any: &Any) -> Result<Node, JsonError> {
    let name = proto::type_name(any);
    let Some(short) = name.strip_prefix("c1.connector.v2.") else {
        return Err(JsonError::UnresolvableAny {
            type_url: any.type_url.clone(),
        });
    };
    // The registry: every message type a v0.7.27 `baton` binary resolves that we model.
    let body = match short {
        "ResourceType" => decode_any::<ResourceType>(any),
        "ResourceId" => decode_any::<ResourceId>(any),
        "Resource" => decode_any::<Resource>(any),
        "ExternalId" => decode_any::<ExternalId>(any),
        "AssetRef" => decode_any::<AssetRef>(any),
        "Entitlement" => decode_any::<Entitlement>(any),
        "Grant" => decode_any::<Grant>(any),
        "GrantSources" => decode_any::<GrantSources>(any),
        "UserTrait" => decode_any::<UserTrait>(any),
        "GroupTrait" => decode_any::<GroupTrait>(any),
        "RoleTrait" => decode_any::<RoleTrait>(any),
        "AppTrait" => decode_any::<AppTrait>(any),
        "SecretTrait" => decode_any::<SecretTrait>(any),
        "ScopeBindingTrait" => decode_any::<ScopeBindingTrait>(any),
        "ChildResourceType" => decode_any::<ChildResourceType>(any),
        "SkipEntitlementsAndGrants" => decode_any::<SkipEntitlementsAndGrants>(any),
        "SkipEntitlements" => decode_any::<SkipEntitlements>(any),
        "SkipGrants" => decode_any::<SkipGrants>(any),
        "GrantExpandable" => decode_any::<GrantExpandable>(any),
        "GrantImmutable" => decode_any::<GrantImmutable>(any),
        "GrantMetadata" => decode_any::<GrantMetadata>(any),
        "GrantAlreadyExists" => decode_any::<GrantAlreadyExists>(any),
        "GrantAlreadyRevoked" => decode_any::<GrantAlreadyRevoked>(any),
        "InsertResourceGrants" => decode_any::<InsertResourceGrants>(any),
        "EntitlementImmutable" => decode_any::<EntitlementImmutable>(any),
        "ExternalLink" => decode_any::<ExternalLink>(any),
        "V1Identifier" => decode_any::<V1Identifier>(any),
        "RawId" => decode_any::<RawId>(any),
        "Aliases" => decode_any::<Aliases>(any),
        "RequestId" => decode_any::<RequestId>(any),
        "RateLimitDescription" => decode_any::<RateLimitDescription>(any),
        "ETag" => decode_any::<ETag>(any),
        "ETagMetadata" => decode_any::<ETagMetadata>(any),
        "ETagMatch" => decode_any::<ETagMatch>(any),
        "ExternalResourceMatch" => decode_any::<ExternalResourceMatch>(any),
        "ExternalResourceMatchAll" => decode_any::<ExternalResourceMatchAll>(any),
        "ExternalResourceMatchID" => decode_any::<ExternalResourceMatchId>(any),
        "ExternalTicketSettings" => decode_any::<ExternalTicketSettings>(any),
        "ExternalTicketRef" => decode_any::<ExternalTicketRef>(any),
        "BatonID" => decode_any::<BatonId>(any),
        "ResourceDoesNotExist" => decode_any::<ResourceDoesNotExist>(any),
        "CapabilityPermissions" => decode_any::<CapabilityPermissions>(any),
        "ConnectorCapabilities" => decode_any::<ConnectorCapabilities>(any),
        "ResourceTypeCapability" => decode_any::<ResourceTypeCapability>(any),
        "CredentialDetails" => decode_any::<CredentialDetails>(any),
        "ConnectorMetadata" => decode_any::<ConnectorMetadata>(any),
        // GrantReplaced is deliberately absent: a v0.7.27 `baton` cannot resolve it either.
        _ => Err(JsonError::UnresolvableAny {
            type_url: any.type_url.clone(),
        }),
    }?;
    let Node::Object(fields) = body else {
        return Err(JsonError::UnresolvableAny {
            type_url: any.type_url.clone(),
        });
    };
    let mut out = Vec::with_capacity(fields.len() + 1);
    out.push(("@type".to_string(), Node::String(any.type_url.clone())));
    out.extend(fields);
    Ok(Node::Object(out))
}

/// Wraps a message in an `Any` and renders it with `"@type"` first.
pub(crate) fn packed_node<M: Name>(message: &M) -> Result<Node, JsonError> {
    any_node(&proto::pack(message))
}

proto_json! {
    ResourceType => |m| Ok(Obj::new()
        .string("id", &m.id)
        .string("displayName", &m.display_name)
        .enumerations("traits", &m.traits, trait_name)
        .list("annotations", anys(&m.annotations)?)
        .string("description", &m.description)
        .bool("sourcedExternally", m.sourced_externally)
        .finish());
    ResourceId => |m| Ok(Obj::new()
        .string("resourceType", &m.resource_type)
        .string("resource", &m.resource)
        .bool("batonResource", m.baton_resource)
        .finish());
    Resource => |m| Ok(Obj::new()
        .optional("id", opt(&m.id)?)
        .optional("parentResourceId", opt(&m.parent_resource_id)?)
        .string("displayName", &m.display_name)
        .list("annotations", anys(&m.annotations)?)
        .string("description", &m.description)
        .bool("batonResource", m.baton_resource)
        .optional("externalId", opt(&m.external_id)?)
        .enumeration("creationSource", m.creation_source, creation_source_name)
        .finish());
    ExternalId => |m| Ok(Obj::new()
        .string("id", &m.id)
        .string("link", &m.link)
        .string("description", &m.description)
        .finish());
    AssetRef => |m| Ok(Obj::new().string("id", &m.id).finish());
    Entitlement => |m| Ok(Obj::new()
        .optional("resource", opt(&m.resource)?)
        .string("id", &m.id)
        .string("displayName", &m.display_name)
        .string("description", &m.description)
        .list("grantableTo", list(&m.grantable_to)?)
        .list("annotations", anys(&m.annotations)?)
        .enumeration("purpose", m.purpose, purpose_name)
        .string("slug", &m.slug)
        .finish());
    Grant => |m| Ok(Obj::new()
        .optional("entitlement", opt(&m.entitlement)?)
        .optional("principal", opt(&m.principal)?)
        .string("id", &m.id)
        .list("annotations", anys(&m.annotations)?)
        .optional("sources", opt(&m.sources)?)
        .finish());
    GrantSources => |m| {
        let mut o = Obj::new();
        if !m.sources.is_empty() {
            let entries = m
                .sources
                .iter()
                .map(|(k, v)| Ok((k.clone(), node(v)?)))
                .collect::<Result<Vec<_>, JsonError>>()?;
            o.node("sources", Node::Object(entries));
        }
        Ok(o.finish())
    };
    GrantSource => |m| Ok(Obj::new().bool("isDirect", m.is_direct).finish());
    UserTrait => |m| Ok(Obj::new()
        .list("emails", list(&m.emails)?)
        .optional("status", opt(&m.status)?)
        .optional("profile", st(&m.profile))
        .optional("icon", opt(&m.icon)?)
        .enumeration("accountType", m.account_type, account_type_name)
        .string("login", &m.login)
        .strings("loginAliases", &m.login_aliases)
        .optional("createdAt", ts(&m.created_at)?)
        .optional("lastLogin", ts(&m.last_login)?)
        .optional("mfaStatus", opt(&m.mfa_status)?)
        .optional("ssoStatus", opt(&m.sso_status)?)
        .optional("structuredName", opt(&m.structured_name)?)
        .strings("employeeIds", &m.employee_ids)
        .finish());
    Email => |m| Ok(Obj::new()
        .string("address", &m.address)
        .bool("isPrimary", m.is_primary)
        .finish());
    UserStatus => |m| Ok(Obj::new()
        .enumeration("status", m.status, status_name)
        .string("details", &m.details)
        .finish());
    MfaStatus => |m| Ok(Obj::new().bool("mfaEnabled", m.mfa_enabled).finish());
    SsoStatus => |m| Ok(Obj::new().bool("ssoEnabled", m.sso_enabled).finish());
    StructuredName => |m| Ok(Obj::new()
        .string("givenName", &m.given_name)
        .string("familyName", &m.family_name)
        .strings("middleNames", &m.middle_names)
        .string("prefix", &m.prefix)
        .string("suffix", &m.suffix)
        .finish());
    GroupTrait => |m| Ok(Obj::new()
        .optional("icon", opt(&m.icon)?)
        .optional("profile", st(&m.profile))
        .finish());
    RoleTrait => |m| Ok(Obj::new()
        .optional("profile", st(&m.profile))
        .optional("roleScopeConditions", opt(&m.role_scope_conditions)?)
        .finish());
    RoleScopeConditions => |m| Ok(Obj::new()
        .string("type", &m.r#type)
        .list("conditions", list(&m.conditions)?)
        .finish());
    RoleScopeCondition => |m| Ok(Obj::new().string("expression", &m.expression).finish());
    AppTrait => |m| Ok(Obj::new()
        .string("helpUrl", &m.help_url)
        .optional("icon", opt(&m.icon)?)
        .optional("logo", opt(&m.logo)?)
        .optional("profile", st(&m.profile))
        .enumerations("flags", &m.flags, app_flag_name)
        .finish());
    SecretTrait => |m| Ok(Obj::new()
        .optional("profile", st(&m.profile))
        .optional("createdAt", ts(&m.created_at)?)
        .optional("expiresAt", ts(&m.expires_at)?)
        .optional("lastUsedAt", ts(&m.last_used_at)?)
        .optional("createdById", opt(&m.created_by_id)?)
        .optional("identityId", opt(&m.identity_id)?)
        .finish());
    ScopeBindingTrait => |m| Ok(Obj::new()
        .optional("roleId", opt(&m.role_id)?)
        .optional("scopeResourceId", opt(&m.scope_resource_id)?)
        .finish());
    ChildResourceType => |m| Ok(Obj::new().string("resourceTypeId", &m.resource_type_id).finish());
    SkipEntitlementsAndGrants => |_m| Ok(Obj::new().finish());
    SkipEntitlements => |_m| Ok(Obj::new().finish());
    SkipGrants => |_m| Ok(Obj::new().finish());
    GrantAlreadyExists => |_m| Ok(Obj::new().finish());
    GrantAlreadyRevoked => |_m| Ok(Obj::new().finish());
    InsertResourceGrants => |_m| Ok(Obj::new().finish());
    BatonId => |_m| Ok(Obj::new().finish());
    ResourceDoesNotExist => |_m| Ok(Obj::new().finish());
    GrantExpandable => |m| Ok(Obj::new()
        .strings("entitlementIds", &m.entitlement_ids)
        .bool("shallow", m.shallow)
        .strings("resourceTypeIds", &m.resource_type_ids)
        .finish());
    GrantImmutable => |m| Ok(Obj::new()
        .string("sourceId", &m.source_id)
        .optional("metadata", st(&m.metadata))
        .finish());
    GrantMetadata => |m| Ok(Obj::new().optional("metadata", st(&m.metadata)).finish());
    GrantReplaced => |m| Ok(Obj::new().string("replacedGrantId", &m.replaced_grant_id).finish());
    EntitlementImmutable => |m| Ok(Obj::new()
        .string("sourceId", &m.source_id)
        .optional("metadata", st(&m.metadata))
        .finish());
    ExternalLink => |m| Ok(Obj::new().string("url", &m.url).finish());
    V1Identifier => |m| Ok(Obj::new().string("id", &m.id).finish());
    RawId => |m| Ok(Obj::new().string("id", &m.id).finish());
    Aliases => |m| Ok(Obj::new().strings("ids", &m.ids).finish());
    RequestId => |m| Ok(Obj::new().string("requestId", &m.request_id).finish());
    RateLimitDescription => |m| Ok(Obj::new()
        .enumeration("status", m.status, rate_limit_status_name)
        .int64("limit", m.limit)
        .int64("remaining", m.remaining)
        .optional("resetAt", ts(&m.reset_at)?)
        .finish());
    ETag => |m| Ok(Obj::new()
        .string("value", &m.value)
        .string("entitlementId", &m.entitlement_id)
        .finish());
    ETagMetadata => |m| Ok(Obj::new().optional("metadata", st(&m.metadata)).finish());
    ETagMatch => |m| Ok(Obj::new().string("entitlementId", &m.entitlement_id).finish());
    ExternalResourceMatch => |m| Ok(Obj::new()
        .enumeration("resourceType", m.resource_type, trait_name)
        .string("key", &m.key)
        .string("value", &m.value)
        .finish());
    ExternalResourceMatchAll => |m| Ok(Obj::new()
        .enumeration("resourceType", m.resource_type, trait_name)
        .finish());
    ExternalResourceMatchId => |m| Ok(Obj::new().string("id", &m.id).finish());
    ExternalTicketSettings => |m| Ok(Obj::new().bool("enabled", m.enabled).finish());
    ExternalTicketRef => |m| Ok(Obj::new()
        .string("id", &m.id)
        .string("externalTicketProvisionerConfigId", &m.external_ticket_provisioner_config_id)
        .finish());
    CapabilityPermissions => |m| Ok(Obj::new().list("permissions", list(&m.permissions)?).finish());
    CapabilityPermission => |m| Ok(Obj::new().string("permission", &m.permission).finish());
    ConnectorCapabilities => |m| Ok(Obj::new()
        .list("resourceTypeCapabilities", list(&m.resource_type_capabilities)?)
        .enumerations("connectorCapabilities", &m.connector_capabilities, capability_name)
        .optional("credentialDetails", opt(&m.credential_details)?)
        .finish());
    ResourceTypeCapability => |m| Ok(Obj::new()
        .optional("resourceType", opt(&m.resource_type)?)
        .enumerations("capabilities", &m.capabilities, capability_name)
        .optional("permissions", opt(&m.permissions)?)
        .finish());
    CredentialDetails => |m| Ok(Obj::new()
        .optional("capabilityAccountProvisioning", opt(&m.capability_account_provisioning)?)
        .optional("capabilityCredentialRotation", opt(&m.capability_credential_rotation)?)
        .finish());
    CredentialDetailsAccountProvisioning => |m| Ok(Obj::new()
        .enumerations("supportedCredentialOptions", &m.supported_credential_options, credential_option_name)
        .enumeration("preferredCredentialOption", m.preferred_credential_option, credential_option_name)
        .finish());
    CredentialDetailsCredentialRotation => |m| Ok(Obj::new()
        .enumerations("supportedCredentialOptions", &m.supported_credential_options, credential_option_name)
        .enumeration("preferredCredentialOption", m.preferred_credential_option, credential_option_name)
        .finish());
    ConnectorMetadata => |m| Ok(Obj::new()
        .string("displayName", &m.display_name)
        .string("helpUrl", &m.help_url)
        .optional("icon", opt(&m.icon)?)
        .optional("logo", opt(&m.logo)?)
        .optional("profile", st(&m.profile))
        .list("annotations", anys(&m.annotations)?)
        .string("description", &m.description)
        .optional("capabilities", opt(&m.capabilities)?)
        .finish());
}
