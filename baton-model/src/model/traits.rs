//! Builders for the trait messages carried by resources.

use crate::proto::{
    AccountType, AppFlag, AppTrait, AssetRef, Email, MfaStatus, SsoStatus, Status, StructuredName,
    Timestamp, UserStatus, UserTrait,
};

use super::error::ModelError;
use super::profile::Profile;
use super::validate::{check_https, validate_user_trait};

/// Builds a [`UserTrait`]. Like baton-sdk, status defaults to `STATUS_ENABLED` and account type
/// to `ACCOUNT_TYPE_HUMAN` when not set.
///
/// ```
/// use baton_model::model::{Profile, UserTraitBuilder};
/// let user = UserTraitBuilder::new()
///     .email("ada@example.com", true)
///     .login("ada@example.com")
///     .profile(Profile::new().with("id", 1))
///     .build()?;
/// assert_eq!(user.status.map(|s| s.status), Some(1));
/// # Ok::<(), baton_model::model::ModelError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct UserTraitBuilder {
    user: UserTrait,
    status: Option<Status>,
    status_details: String,
    account_type: Option<AccountType>,
}

impl UserTraitBuilder {
    /// An empty user trait.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an email address.
    pub fn email(mut self, address: impl Into<String>, is_primary: bool) -> Self {
        self.user.emails.push(Email {
            address: address.into(),
            is_primary,
        });
        self
    }

    /// Sets the status (default `STATUS_ENABLED`).
    pub fn status(mut self, status: Status) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the status details text.
    pub fn status_details(mut self, details: impl Into<String>) -> Self {
        self.status_details = details.into();
        self
    }

    /// Sets the account type (default `ACCOUNT_TYPE_HUMAN`).
    pub fn account_type(mut self, account_type: AccountType) -> Self {
        self.account_type = Some(account_type);
        self
    }

    /// Sets the profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.user.profile = Some(profile.into_struct());
        self
    }

    /// Sets the login.
    pub fn login(mut self, login: impl Into<String>) -> Self {
        self.user.login = login.into();
        self
    }

    /// Adds a login alias.
    pub fn login_alias(mut self, alias: impl Into<String>) -> Self {
        self.user.login_aliases.push(alias.into());
        self
    }

    /// Sets the creation time.
    pub fn created_at(mut self, at: Timestamp) -> Self {
        self.user.created_at = Some(at);
        self
    }

    /// Sets the last login time.
    pub fn last_login(mut self, at: Timestamp) -> Self {
        self.user.last_login = Some(at);
        self
    }

    /// Sets the MFA state.
    pub fn mfa_enabled(mut self, enabled: bool) -> Self {
        self.user.mfa_status = Some(MfaStatus {
            mfa_enabled: enabled,
        });
        self
    }

    /// Sets the SSO state.
    pub fn sso_enabled(mut self, enabled: bool) -> Self {
        self.user.sso_status = Some(SsoStatus {
            sso_enabled: enabled,
        });
        self
    }

    /// Sets the structured name.
    pub fn structured_name(mut self, name: StructuredName) -> Self {
        self.user.structured_name = Some(name);
        self
    }

    /// Adds an employee id.
    pub fn employee_id(mut self, id: impl Into<String>) -> Self {
        self.user.employee_ids.push(id.into());
        self
    }

    /// Sets the icon asset id.
    pub fn icon(mut self, asset_id: impl Into<String>) -> Self {
        self.user.icon = Some(AssetRef {
            id: asset_id.into(),
        });
        self
    }

    /// Applies the defaults, validates and returns the trait.
    ///
    /// # Errors
    /// [`ModelError::MissingUserStatus`] when the status was set to `STATUS_UNSPECIFIED`.
    pub fn build(mut self) -> Result<UserTrait, ModelError> {
        self.user.status = Some(UserStatus {
            status: self.status.unwrap_or(Status::Enabled) as i32,
            details: self.status_details,
        });
        self.user.account_type = self.account_type.unwrap_or(AccountType::Human) as i32;
        validate_user_trait(&self.user)?;
        Ok(self.user)
    }
}

/// Builds an [`AppTrait`].
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AppTraitBuilder {
    app: AppTrait,
}

impl AppTraitBuilder {
    /// An empty app trait.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.app.profile = Some(profile.into_struct());
        self
    }

    /// Sets the help URL (must be `https://`).
    pub fn help_url(mut self, url: impl Into<String>) -> Self {
        self.app.help_url = url.into();
        self
    }

    /// Adds a flag.
    pub fn flag(mut self, flag: AppFlag) -> Self {
        self.app.flags.push(flag as i32);
        self
    }

    /// Sets the icon asset id.
    pub fn icon(mut self, asset_id: impl Into<String>) -> Self {
        self.app.icon = Some(AssetRef {
            id: asset_id.into(),
        });
        self
    }

    /// Sets the logo asset id.
    pub fn logo(mut self, asset_id: impl Into<String>) -> Self {
        self.app.logo = Some(AssetRef {
            id: asset_id.into(),
        });
        self
    }

    /// Validates and returns the trait.
    ///
    /// # Errors
    /// [`ModelError::NotHttps`] for a non-https help URL.
    pub fn build(self) -> Result<AppTrait, ModelError> {
        check_https("AppTrait.help_url", &self.app.help_url)?;
        Ok(self.app)
    }
}

impl From<Profile> for AppTraitBuilder {
    fn from(profile: Profile) -> Self {
        AppTraitBuilder::new().profile(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_defaults_match_sdk() {
        let user = UserTraitBuilder::new()
            .email("a@b.c", true)
            .build()
            .expect("valid");
        assert_eq!(user.status.as_ref().map(|s| s.status), Some(1));
        assert_eq!(user.account_type, AccountType::Human as i32);
        let user = UserTraitBuilder::new()
            .status(Status::Disabled)
            .account_type(AccountType::Service)
            .build()
            .expect("valid");
        assert_eq!(user.status.map(|s| s.status), Some(2));
        assert_eq!(user.account_type, 2);
    }

    #[test]
    fn unspecified_status_is_rejected() {
        assert!(matches!(
            UserTraitBuilder::new().status(Status::Unspecified).build(),
            Err(ModelError::MissingUserStatus)
        ));
    }

    #[test]
    fn app_help_url_must_be_https() {
        assert!(AppTraitBuilder::new().help_url("http://x").build().is_err());
        let app = AppTraitBuilder::from(Profile::new().with("id", 1))
            .flag(AppFlag::Saml)
            .build()
            .expect("valid");
        assert_eq!(app.flags, vec![3]);
    }
}
