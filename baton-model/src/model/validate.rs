//! Validation rules the Go syncer applies to connector output
//! (docs/c1z.md#messages-and-annotations, docs/architecture.md#the-sync-engine).
//!
//! Builders call these before returning; the sync engine calls [`validate_resource`] on every
//! listed resource against its type.

use std::collections::BTreeSet;

use crate::proto::{
    is, Aliases, Any, AppTrait, BatonId, Entitlement, ExternalLink, Grant, GroupTrait, Name,
    Resource, ResourceId, ResourceType, RoleTrait, SecretTrait, Status, Trait, UserTrait,
};

use super::annotations::AnnotationsExt;
use super::error::ModelError;
use super::ids::resource_key;

/// Longest id or id part, in bytes.
pub const MAX_ID_LEN: usize = 1024;
/// Longest display name, in bytes.
pub const MAX_DISPLAY_NAME_LEN: usize = 1024;
/// Longest resource or entitlement description, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 2048;
/// Longest resource type description, in bytes.
pub const MAX_RESOURCE_TYPE_DESCRIPTION_LEN: usize = 4096;

pub(crate) fn check_id(field: &'static str, value: &str) -> Result<(), ModelError> {
    if value.is_empty() {
        return Err(ModelError::Empty { field });
    }
    check_len(field, value, MAX_ID_LEN)
}

pub(crate) fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), ModelError> {
    if value.len() > max {
        return Err(ModelError::TooLong {
            field,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

/// Empty is allowed (the field is optional); anything else must be `https://…`.
pub(crate) fn check_https(field: &'static str, url: &str) -> Result<(), ModelError> {
    if url.is_empty() || url.starts_with("https://") {
        Ok(())
    } else {
        Err(ModelError::NotHttps {
            field,
            url: url.to_string(),
        })
    }
}

fn check_resource_id(field: &'static str, id: Option<&ResourceId>) -> Result<(), ModelError> {
    let id = id.ok_or(ModelError::MissingId { field })?;
    check_id("resource_id.resource_type", &id.resource_type)?;
    check_id("resource_id.resource", &id.resource)
}

/// Checks a resource type's id, display name and description.
///
/// # Errors
/// [`ModelError`] naming the first broken rule.
pub fn validate_resource_type(rt: &ResourceType) -> Result<(), ModelError> {
    check_id("resource_type.id", &rt.id)?;
    check_len(
        "resource_type.display_name",
        &rt.display_name,
        MAX_DISPLAY_NAME_LEN,
    )?;
    check_len(
        "resource_type.description",
        &rt.description,
        MAX_RESOURCE_TYPE_DESCRIPTION_LEN,
    )?;
    check_common_annotations(&rt.annotations)
}

/// Checks annotations every object may carry: `ExternalLink` URLs and `Aliases`.
fn check_common_annotations(annotations: &[Any]) -> Result<(), ModelError> {
    for any in annotations {
        if is::<ExternalLink>(any) {
            if let Some(link) = crate::proto::unpack::<ExternalLink>(any)? {
                check_https("ExternalLink.url", &link.url)?;
            }
        } else if is::<Aliases>(any) {
            if let Some(aliases) = crate::proto::unpack::<Aliases>(any)? {
                check_aliases(&aliases)?;
            }
        }
    }
    Ok(())
}

fn check_aliases(aliases: &Aliases) -> Result<(), ModelError> {
    if aliases.ids.is_empty() || aliases.ids.len() > 100 {
        return Err(ModelError::InvalidAliases {
            reason: "needs 1 to 100 ids",
        });
    }
    if aliases
        .ids
        .iter()
        .any(|id| id.is_empty() || id.chars().count() > 256)
    {
        return Err(ModelError::InvalidAliases {
            reason: "each id needs 1 to 256 characters",
        });
    }
    let unique: BTreeSet<&String> = aliases.ids.iter().collect();
    if unique.len() != aliases.ids.len() {
        return Err(ModelError::InvalidAliases {
            reason: "ids must be unique",
        });
    }
    Ok(())
}

/// Checks a resource on its own: id, lengths, no `BatonID`, a valid `UserTrait` if present.
///
/// # Errors
/// [`ModelError`] naming the first broken rule.
pub fn validate_resource_fields(resource: &Resource) -> Result<(), ModelError> {
    validate_resource_fields_with(resource, Prechecked::default())
}

/// Traits a caller has already validated as messages: [`validate_resource_fields_with`]
/// does not decode them again.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Prechecked {
    /// The resource's one `UserTrait` annotation was validated.
    pub(crate) user: bool,
    /// The resource's one `AppTrait` annotation was validated.
    pub(crate) app: bool,
}

/// [`validate_resource_fields`], skipping the trait checks `prechecked` says were done.
/// [`ResourceBuilder`](super::ResourceBuilder) validates a trait as it builds it; decoding it
/// back from the annotation was a fifth of building a user resource.
pub(crate) fn validate_resource_fields_with(
    resource: &Resource,
    prechecked: Prechecked,
) -> Result<(), ModelError> {
    check_resource_id("resource.id", resource.id.as_ref())?;
    if resource.parent_resource_id.is_some() {
        check_resource_id(
            "resource.parent_resource_id",
            resource.parent_resource_id.as_ref(),
        )?;
    }
    check_len(
        "resource.display_name",
        &resource.display_name,
        MAX_DISPLAY_NAME_LEN,
    )?;
    check_len(
        "resource.description",
        &resource.description,
        MAX_DESCRIPTION_LEN,
    )?;
    if resource.annotations.has_annotation::<BatonId>() {
        let resource = resource.id.as_ref().map(resource_key).unwrap_or_default();
        return Err(ModelError::ReservedBatonId { resource });
    }
    if !prechecked.user {
        if let Some(user) = resource.annotations.annotation::<UserTrait>()? {
            validate_user_trait(&user)?;
        }
    }
    if !prechecked.app {
        if let Some(app) = resource.annotations.annotation::<AppTrait>()? {
            check_https("AppTrait.help_url", &app.help_url)?;
        }
    }
    check_common_annotations(&resource.annotations)
}

/// Checks a `UserTrait`: status is required and must not be `STATUS_UNSPECIFIED`.
///
/// # Errors
/// [`ModelError::MissingUserStatus`], or an asset id out of bounds.
pub fn validate_user_trait(user: &UserTrait) -> Result<(), ModelError> {
    match &user.status {
        Some(s) if s.status != Status::Unspecified as i32 => {}
        _ => return Err(ModelError::MissingUserStatus),
    }
    if let Some(icon) = &user.icon {
        check_id("UserTrait.icon.id", &icon.id)?;
    }
    Ok(())
}

/// A trait message name and a predicate recognising its `Any`.
type TraitCheck = (&'static str, fn(&Any) -> bool);

/// The trait annotation a resource of a type declaring `declared` must carry.
fn required_trait_message(declared: Trait) -> Option<TraitCheck> {
    match declared {
        Trait::User => Some((UserTrait::NAME, is::<UserTrait>)),
        Trait::Group => Some((GroupTrait::NAME, is::<GroupTrait>)),
        Trait::Role => Some((RoleTrait::NAME, is::<RoleTrait>)),
        Trait::App => Some((AppTrait::NAME, is::<AppTrait>)),
        Trait::Secret => Some((SecretTrait::NAME, is::<SecretTrait>)),
        _ => None,
    }
}

/// Checks a listed resource against its type, as the Go syncer does: the type matches, the
/// fields are valid, no `BatonID`, and every USER/GROUP/ROLE/APP/SECRET trait the type declares
/// is present as the matching `*Trait` annotation.
///
/// # Errors
/// [`ModelError`] naming the first broken rule (e.g. [`ModelError::MissingTrait`]).
pub fn validate_resource(rt: &ResourceType, resource: &Resource) -> Result<(), ModelError> {
    validate_resource_fields(resource)?;
    let id = resource.id.as_ref().ok_or(ModelError::MissingId {
        field: "resource.id",
    })?;
    if id.resource_type != rt.id {
        return Err(ModelError::WrongResourceType {
            resource: resource_key(id),
            expected: rt.id.clone(),
        });
    }
    for declared in rt.traits.iter().filter_map(|t| Trait::try_from(*t).ok()) {
        if let Some((trait_name, present)) = required_trait_message(declared) {
            if !resource.annotations.iter().any(present) {
                return Err(ModelError::MissingTrait {
                    resource: resource_key(id),
                    resource_type: rt.id.clone(),
                    trait_name,
                    declared,
                });
            }
        }
    }
    Ok(())
}

/// Checks an entitlement: id, resource id, lengths, grantable-to types.
///
/// # Errors
/// [`ModelError`] naming the first broken rule.
pub fn validate_entitlement(entitlement: &Entitlement) -> Result<(), ModelError> {
    check_id("entitlement.id", &entitlement.id)?;
    let resource = entitlement.resource.as_ref().ok_or(ModelError::MissingId {
        field: "entitlement.resource",
    })?;
    check_resource_id("entitlement.resource.id", resource.id.as_ref())?;
    check_len(
        "entitlement.display_name",
        &entitlement.display_name,
        MAX_DISPLAY_NAME_LEN,
    )?;
    check_len(
        "entitlement.description",
        &entitlement.description,
        MAX_DESCRIPTION_LEN,
    )?;
    for rt in &entitlement.grantable_to {
        validate_resource_type(rt)?;
    }
    check_common_annotations(&entitlement.annotations)
}

/// Checks a grant: id, entitlement id and resource, principal id.
///
/// # Errors
/// [`ModelError`] naming the first broken rule.
pub fn validate_grant(grant: &Grant) -> Result<(), ModelError> {
    check_id("grant.id", &grant.id)?;
    let entitlement = grant.entitlement.as_ref().ok_or(ModelError::MissingId {
        field: "grant.entitlement",
    })?;
    check_id("grant.entitlement.id", &entitlement.id)?;
    let ent_resource = entitlement.resource.as_ref().ok_or(ModelError::MissingId {
        field: "grant.entitlement.resource",
    })?;
    check_resource_id("grant.entitlement.resource.id", ent_resource.id.as_ref())?;
    let principal = grant.principal.as_ref().ok_or(ModelError::MissingId {
        field: "grant.principal",
    })?;
    check_resource_id("grant.principal.id", principal.id.as_ref())?;
    check_common_annotations(&grant.annotations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::resource_id;
    use crate::proto::{pack, RoleTrait, UserStatus};

    fn role_type() -> ResourceType {
        ResourceType {
            id: "role".into(),
            display_name: "Roles".into(),
            traits: vec![Trait::Role as i32],
            ..Default::default()
        }
    }

    fn role(annotations: Vec<Any>) -> Resource {
        Resource {
            id: Some(resource_id("role", "1")),
            display_name: "Role 1".into(),
            annotations,
            ..Default::default()
        }
    }

    #[test]
    fn trait_bearing_type_requires_trait_annotation() {
        let err = validate_resource(&role_type(), &role(vec![])).expect_err("no trait");
        assert!(matches!(
            err,
            ModelError::MissingTrait {
                trait_name: "RoleTrait",
                declared: Trait::Role,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "resource role:1 of type role lacks the RoleTrait annotation"
        );
        validate_resource(&role_type(), &role(vec![pack(&RoleTrait::default())]))
            .expect("trait present");
    }

    #[test]
    fn baton_id_is_rejected() {
        let r = role(vec![pack(&RoleTrait::default()), pack(&BatonId {})]);
        assert!(matches!(
            validate_resource(&role_type(), &r),
            Err(ModelError::ReservedBatonId { resource }) if resource == "role:1"
        ));
    }

    #[test]
    fn wrong_type_and_limits() {
        let mut r = role(vec![pack(&RoleTrait::default())]);
        r.id = Some(resource_id("user", "1"));
        assert!(matches!(
            validate_resource(&role_type(), &r),
            Err(ModelError::WrongResourceType { .. })
        ));
        let mut r = role(vec![pack(&RoleTrait::default())]);
        r.description = "x".repeat(2049);
        assert!(matches!(
            validate_resource(&role_type(), &r),
            Err(ModelError::TooLong {
                field: "resource.description",
                len: 2049,
                max: 2048
            })
        ));
        let mut r = role(vec![]);
        r.id = Some(resource_id("role", "x".repeat(1025)));
        assert!(matches!(
            validate_resource_fields(&r),
            Err(ModelError::TooLong { max: 1024, .. })
        ));
    }

    #[test]
    fn user_status_required_and_links_https() {
        let user = UserTrait::default();
        assert!(matches!(
            validate_user_trait(&user),
            Err(ModelError::MissingUserStatus)
        ));
        let user = UserTrait {
            status: Some(UserStatus {
                status: Status::Enabled as i32,
                details: String::new(),
            }),
            ..Default::default()
        };
        validate_user_trait(&user).expect("status set");
        let r = role(vec![pack(&ExternalLink {
            url: "http://insecure".into(),
        })]);
        assert!(matches!(
            validate_resource_fields(&r),
            Err(ModelError::NotHttps { .. })
        ));
    }

    #[test]
    fn aliases_rules() {
        let dup = Aliases {
            ids: vec!["a".into(), "a".into()],
        };
        assert!(check_aliases(&dup).is_err());
        assert!(check_aliases(&Aliases { ids: vec![] }).is_err());
        check_aliases(&Aliases {
            ids: vec!["a".into(), "b".into()],
        })
        .expect("valid");
    }

    #[test]
    fn grant_needs_principal_and_entitlement_resource() {
        let grant = Grant {
            id: "g".into(),
            entitlement: Some(Entitlement {
                id: "role:1:x".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(matches!(
            validate_grant(&grant),
            Err(ModelError::MissingId {
                field: "grant.entitlement.resource"
            })
        ));
    }
}
