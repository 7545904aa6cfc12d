//! Builders, id helpers, annotation helpers and validation over the [`crate::proto`] messages.
//!
//! Builders read naturally, produce plain proto messages and reject objects the Go syncer would
//! reject, with a typed [`ModelError`]:
//!
//! ```
//! use baton_model::model::{
//!     EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder, ResourceTypeBuilder,
//!     UserTraitBuilder, validate_resource,
//! };
//! use baton_model::proto::{Purpose, Trait};
//!
//! let user_type = ResourceTypeBuilder::new("collaborator", "Collaborator")
//!     .trait_(Trait::User)
//!     .skip_entitlements_and_grants()
//!     .build()?;
//! let user = ResourceBuilder::new("collaborator", "5", "Ada")
//!     .user_trait(UserTraitBuilder::new().email("ada@example.com", true).login("ada@example.com"))
//!     .build()?;
//! validate_resource(&user_type, &user)?;
//!
//! let role = ResourceBuilder::new("role", "1001", "Custom Role 1")
//!     .role_trait(Profile::new().with("id", 1001).with("name", "Custom Role 1"))
//!     .build()?;
//! let member = EntitlementBuilder::new(&role, "collaborator-has")
//!     .purpose(Purpose::Assignment)
//!     .grantable_to(&[user_type])
//!     .build()?;
//! let grant = GrantBuilder::new(&member, user.id.as_ref().expect("built with an id")).build()?;
//! assert_eq!(grant.id, "role:1001:collaborator-has:collaborator:5");
//! # Ok::<(), baton_model::model::ModelError>(())
//! ```

mod annotations;
mod capabilities;
mod entitlement;
mod error;
mod grant;
pub mod ids;
mod profile;
mod resource;
mod resource_type;
mod time;
mod traits;
mod validate;

pub use annotations::{AnnotationsExt, AnnotationsMutExt};
pub use capabilities::{CapabilitiesBuilder, TypeFeatures};
pub use entitlement::EntitlementBuilder;
pub use error::ModelError;
pub use grant::GrantBuilder;
pub use profile::{json_to_value, Profile};
pub use resource::ResourceBuilder;
pub use resource_type::ResourceTypeBuilder;
pub use time::{timestamp_from_datetime, timestamp_from_rfc3339};
pub use traits::{AppTraitBuilder, UserTraitBuilder};
pub use validate::{
    validate_entitlement, validate_grant, validate_resource, validate_resource_fields,
    validate_resource_type, validate_user_trait, MAX_DESCRIPTION_LEN, MAX_DISPLAY_NAME_LEN,
    MAX_ID_LEN, MAX_RESOURCE_TYPE_DESCRIPTION_LEN,
};
