//! Grant, revoke, create account, delete resource — and the provisioning gate
//! (docs/service-mode.md, "Task types and answers").

use baton_model::proto::{pack, CapabilityDetailCredentialOption, Resource};
use baton_model::provision::{AccountInfo, CreateAccountOutcome, GrantOutcome};
use tonic::Code;

use super::{error_chain, Finish};
use crate::connector::BoxError;
use crate::proto::baton::{
    CreateAccountTask, CreateResourceTask, DeleteResourceTask, GrantTask, RevokeTask,
    RotateCredentialsTask,
};
use crate::proto::connector::create_account_response::{
    ActionRequiredResult, AlreadyExistsResult, Result as AccountResult, SuccessResult,
};
use crate::proto::connector::credential_options::Options;
use crate::proto::connector::{
    self as c, CreateAccountResponse, DeleteResourceResponse, GrantManagerServiceGrantResponse,
    GrantManagerServiceRevokeResponse,
};
use crate::runner::Context;

/// The gate's answer when `--provisioning` is off.
fn gate_closed() -> Finish {
    Finish::error(
        Code::FailedPrecondition,
        "provisioning is not enabled",
        true,
    )
}

fn connector_error(ctx: &Context, err: &BoxError) -> Finish {
    let err: &(dyn std::error::Error + 'static) = err.as_ref();
    Finish::error(ctx.connector.code_of(err), error_chain(err), true)
}

pub(super) async fn grant(ctx: &Context, task: GrantTask) -> Finish {
    let (Some(entitlement), Some(principal)) = (task.entitlement, task.principal) else {
        return Finish::error(Code::Unknown, "malformed grant task", true);
    };
    if !ctx.config.provisioning {
        return gate_closed();
    }
    let Some(provisioner) = &ctx.connector.provisioner else {
        return Finish::error(
            Code::Unknown,
            "resource type does not have provisioner configured",
            true,
        );
    };
    match provisioner.grant(&principal, &entitlement).await {
        Ok(outcome) => {
            let annotations = outcome.annotations();
            let grants = match outcome {
                GrantOutcome::Granted { grants, .. } => grants,
                _ => Vec::new(),
            };
            let response = GrantManagerServiceGrantResponse {
                annotations: annotations.clone(),
                grants,
            };
            Finish::Success {
                response: Some(pack(&response)),
                annotations,
            }
        }
        Err(err) => connector_error(ctx, &err),
    }
}

pub(super) async fn revoke(ctx: &Context, task: RevokeTask) -> Finish {
    let Some(grant) = task.grant else {
        return Finish::error(Code::Unknown, "invalid task type", true);
    };
    if !ctx.config.provisioning {
        return gate_closed();
    }
    let Some(provisioner) = &ctx.connector.provisioner else {
        return Finish::error(
            Code::Unimplemented,
            "resource type does not have provisioner configured",
            true,
        );
    };
    match provisioner.revoke(&grant).await {
        Ok(outcome) => {
            let annotations = outcome.annotations();
            let response = GrantManagerServiceRevokeResponse {
                annotations: annotations.clone(),
            };
            Finish::Success {
                response: Some(pack(&response)),
                annotations,
            }
        }
        Err(err) => connector_error(ctx, &err),
    }
}

/// The model's account info from the task's: the primary email (else the first), the login
/// (else the email) and the profile.
fn account_info(info: c::AccountInfo) -> AccountInfo {
    let email = info
        .emails
        .iter()
        .find(|e| e.is_primary)
        .or_else(|| info.emails.first())
        .map(|e| e.address.clone())
        .unwrap_or_default();
    let login = if info.login.is_empty() {
        email.clone()
    } else {
        info.login
    };
    AccountInfo::new(email, login).with_profile(info.profile.unwrap_or_default())
}

/// The requested credential option; none given means no password.
fn credential_option(options: Option<c::CredentialOptions>) -> CapabilityDetailCredentialOption {
    match options.and_then(|o| o.options) {
        Some(Options::RandomPassword(_)) => CapabilityDetailCredentialOption::RandomPassword,
        Some(Options::Sso(_)) => CapabilityDetailCredentialOption::Sso,
        Some(Options::NoPassword(_)) | None => CapabilityDetailCredentialOption::NoPassword,
    }
}

fn account_response(outcome: CreateAccountOutcome) -> CreateAccountResponse {
    let result = match outcome {
        CreateAccountOutcome::Created(resource) => AccountResult::Success(SuccessResult {
            resource: Some(resource),
            is_create_account_result: true,
        }),
        CreateAccountOutcome::AlreadyExists(resource) => {
            AccountResult::AlreadyExists(AlreadyExistsResult {
                resource: Some(resource),
                is_create_account_result: true,
            })
        }
        CreateAccountOutcome::ActionRequired { message } => {
            AccountResult::ActionRequired(ActionRequiredResult {
                resource: None::<Resource>,
                message,
                is_create_account_result: true,
            })
        }
        // A future outcome the runtime does not know: report it as plain success.
        #[allow(unreachable_patterns)] // CreateAccountOutcome is non_exhaustive
        other => AccountResult::Success(SuccessResult {
            resource: other.resource().cloned(),
            is_create_account_result: true,
        }),
    };
    CreateAccountResponse {
        result: Some(result),
        annotations: Vec::new(),
    }
}

pub(super) async fn create_account(ctx: &Context, task: CreateAccountTask) -> Finish {
    let Some(info) = task.account_info else {
        return Finish::error(Code::Unknown, "malformed create account task", true);
    };
    if !ctx.config.provisioning {
        return gate_closed();
    }
    let Some(accounts) = &ctx.connector.accounts else {
        return Finish::error(
            Code::Unimplemented,
            "connector does not have credential manager configured",
            true,
        );
    };
    let credential = credential_option(task.credential_options);
    match accounts
        .create_account(&account_info(info), credential)
        .await
    {
        Ok(outcome) => {
            let response = account_response(outcome);
            Finish::Success {
                annotations: response.annotations.clone(),
                response: Some(pack(&response)),
            }
        }
        Err(err) => connector_error(ctx, &err),
    }
}

pub(super) async fn delete_resource(ctx: &Context, task: DeleteResourceTask) -> Finish {
    let Some(id) = task
        .resource_id
        .filter(|id| !id.resource.is_empty() && !id.resource_type.is_empty())
    else {
        return Finish::error(Code::Unknown, "malformed delete resource task", true);
    };
    if !ctx.config.provisioning {
        return gate_closed();
    }
    let Some(deleter) = &ctx.connector.deleter else {
        return Finish::error(
            Code::Unimplemented,
            "resource type does not have resource manager configured",
            true,
        );
    };
    match deleter.delete(&id).await {
        Ok(_) => Finish::Success {
            response: Some(pack(&DeleteResourceResponse {
                annotations: Vec::new(),
            })),
            annotations: Vec::new(),
        },
        Err(err) => connector_error(ctx, &err),
    }
}

pub(super) fn create_resource(ctx: &Context, task: CreateResourceTask) -> Finish {
    if task.resource.is_none() {
        return Finish::error(Code::Unknown, "malformed create resource task", true);
    }
    if !ctx.config.provisioning {
        return gate_closed();
    }
    Finish::error(
        Code::Unimplemented,
        "resource type does not have resource manager configured",
        true,
    )
}

pub(super) fn rotate_credentials(ctx: &Context, task: RotateCredentialsTask) -> Finish {
    if task.resource_id.is_none() {
        return Finish::error(Code::Unknown, "malformed rotate credentials task", true);
    }
    if !ctx.config.provisioning {
        return gate_closed();
    }
    Finish::error(
        Code::Unimplemented,
        "resource type does not have credential manager configured",
        true,
    )
}

#[cfg(test)]
mod tests {
    use baton_model::proto::Email;

    use super::*;

    #[test]
    fn account_info_prefers_the_primary_email() {
        let info = account_info(c::AccountInfo {
            emails: vec![
                Email {
                    address: "b@example.com".into(),
                    is_primary: false,
                },
                Email {
                    address: "a@example.com".into(),
                    is_primary: true,
                },
            ],
            ..Default::default()
        });
        assert_eq!(info.email, "a@example.com");
        assert_eq!(info.login, "a@example.com");
    }

    #[test]
    fn credential_options_map_to_capabilities() {
        assert_eq!(
            credential_option(None),
            CapabilityDetailCredentialOption::NoPassword
        );
        assert_eq!(
            credential_option(Some(c::CredentialOptions {
                options: Some(Options::RandomPassword(
                    c::credential_options::RandomPassword { length: 12 }
                ))
            })),
            CapabilityDetailCredentialOption::RandomPassword
        );
    }

    #[test]
    fn action_required_has_no_resource() {
        let r = account_response(CreateAccountOutcome::ActionRequired {
            message: "accept the invitation".into(),
        });
        let Some(AccountResult::ActionRequired(a)) = r.result else {
            panic!("action required expected");
        };
        assert_eq!(a.message, "accept the invitation");
        assert!(a.is_create_account_result);
    }
}
