//! `c1.connector.v2` messages used by service-mode tasks and their responses that `baton-model`
//! does not define.

use baton_model::proto::{Email, Grant};
use prost_types::{Any, Struct};

/// `c1.connector.v2.GrantManagerServiceGrantResponse`: the `response` of a finished grant task.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantManagerServiceGrantResponse {
    /// Response annotations (e.g. `GrantAlreadyExists`).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// The grants created.
    #[prost(message, repeated, tag = "2")]
    pub grants: Vec<Grant>,
}

/// `c1.connector.v2.GrantManagerServiceRevokeResponse`: the `response` of a finished revoke task.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantManagerServiceRevokeResponse {
    /// Response annotations (e.g. `GrantAlreadyRevoked`).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `c1.connector.v2.DeleteResourceResponse`: the `response` of a finished delete task.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceResponse {
    /// Response annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `c1.connector.v2.CreateAccountResponse`: the `response` of a finished create-account task.
///
/// `encrypted_data` (tag 2) is not modelled: the runtime never creates passwords.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateAccountResponse {
    /// What happened.
    #[prost(oneof = "create_account_response::Result", tags = "100, 101, 102, 103")]
    pub result: Option<create_account_response::Result>,
    /// Response annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// Nested types of [`CreateAccountResponse`].
pub mod create_account_response {
    use baton_model::proto::Resource;

    /// `CreateAccountResponse.result`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Result {
        /// The account was created.
        #[prost(message, tag = "100")]
        Success(SuccessResult),
        /// A human step is needed (e.g. accepting an invitation).
        #[prost(message, tag = "101")]
        ActionRequired(ActionRequiredResult),
        /// The account already existed.
        #[prost(message, tag = "102")]
        AlreadyExists(AlreadyExistsResult),
        /// The account is being created.
        #[prost(message, tag = "103")]
        InProgress(InProgressResult),
    }

    /// `CreateAccountResponse.SuccessResult`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SuccessResult {
        /// The new account.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// Always `true` for account creation.
        #[prost(bool, tag = "2")]
        pub is_create_account_result: bool,
    }

    /// `CreateAccountResponse.ActionRequiredResult`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ActionRequiredResult {
        /// The account, when known.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// What the user has to do.
        #[prost(string, tag = "2")]
        pub message: String,
        /// Always `true` for account creation.
        #[prost(bool, tag = "3")]
        pub is_create_account_result: bool,
    }

    /// `CreateAccountResponse.AlreadyExistsResult`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AlreadyExistsResult {
        /// The existing account.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// Always `true` for account creation.
        #[prost(bool, tag = "2")]
        pub is_create_account_result: bool,
    }

    /// `CreateAccountResponse.InProgressResult`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct InProgressResult {
        /// The account, when known.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// Always `true` for account creation.
        #[prost(bool, tag = "2")]
        pub is_create_account_result: bool,
    }
}

/// `c1.connector.v2.AccountInfo`: who to create an account for.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AccountInfo {
    /// Email addresses.
    #[prost(message, repeated, tag = "1")]
    pub emails: Vec<Email>,
    /// Login.
    #[prost(string, tag = "2")]
    pub login: String,
    /// Other logins.
    #[prost(string, repeated, tag = "3")]
    pub login_aliases: Vec<String>,
    /// Extra fields (connector-specific).
    #[prost(message, optional, tag = "4")]
    pub profile: Option<Struct>,
}

/// `c1.connector.v2.CredentialOptions`: how the new account signs in.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CredentialOptions {
    /// The chosen option.
    #[prost(oneof = "credential_options::Options", tags = "100, 101, 102")]
    pub options: Option<credential_options::Options>,
}

/// Nested types of [`CredentialOptions`].
pub mod credential_options {
    /// `CredentialOptions.options`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Options {
        /// A random password of this length.
        #[prost(message, tag = "100")]
        RandomPassword(RandomPassword),
        /// No password (invitation / SSO).
        #[prost(message, tag = "101")]
        NoPassword(NoPassword),
        /// Single sign-on.
        #[prost(message, tag = "102")]
        Sso(Sso),
    }

    /// `CredentialOptions.RandomPassword`.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct RandomPassword {
        /// Password length.
        #[prost(int64, tag = "1")]
        pub length: i64,
    }

    /// `CredentialOptions.NoPassword`.
    #[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
    pub struct NoPassword {}

    /// `CredentialOptions.SSO`.
    #[derive(Clone, PartialEq, Eq, prost::Message)]
    pub struct Sso {
        /// The SSO provider.
        #[prost(string, tag = "1")]
        pub sso_provider: String,
    }
}

/// `c1.connector.v2.ResourceId` is `baton-model`'s; re-exported for task payloads.
pub use baton_model::proto::ResourceId;

super::impl_name!("c1.connector.v2":
    GrantManagerServiceGrantResponse => "GrantManagerServiceGrantResponse",
    GrantManagerServiceRevokeResponse => "GrantManagerServiceRevokeResponse",
    DeleteResourceResponse => "DeleteResourceResponse",
    CreateAccountResponse => "CreateAccountResponse",
    AccountInfo => "AccountInfo",
    CredentialOptions => "CredentialOptions",
);
