//! Loading a [`Snapshot`] from the Workato API, once per sync.
//!
//! Call budget (docs/decisions.md#d1-no-per-member-privilege-calls): members once; custom roles,
//! environment roles, projects, project roles and groups by page; folders one nested listing per
//! project where Workato verifiably returns whole trees, else one listing per folder (see
//! `folder_walk`); project grants per project; group members per group; `/privileges` at most once
//! per distinct in-scope (env, environment role). Nothing grows with the number of members except
//! the one members response.
//!
//! Members are listed first and roles after them, so every role a member names either shows up in
//! the role listings or was deleted; a role that resolves to nothing is therefore skipped with a
//! warning rather than re-fetched (docs/decisions.md#d3-grants-do-not-depend-on-listing-order).
//!
//! Optional parts (legacy roles, environment roles, project roles and grants, groups) that answer
//! 401/403/404 (or 410 for `/api/roles`) are skipped with one warning naming the missing API-client
//! permission (docs/decisions.md#d15-a-missing-rbac-generation-degrades); any other failure fails
//! the sync.

use std::future::Future;

use futures::{stream, StreamExt, TryStreamExt};
use workato_api::Client;

use super::types::{
    EnvRole, GrantSubject, Group, LegacyRole, Member, MemberRole, Project, ProjectGrant,
    ProjectRole, RoleType,
};
use super::{PartStatus, PrivilegeRow, RawWorkspace, Snapshot};
use crate::config::ConnectorConfig;
use crate::env::Environment;
use crate::error::{Error, Step};

/// Concurrent requests while walking folders, project grants, group members and privileges.
/// The client's per-family rate limiter still paces them; this only bounds in-flight calls.
pub const CONCURRENCY: usize = 4;

/// Statuses meaning "this API client cannot read this part" for an optional part.
fn is_unavailable(err: &workato_api::Error, gone_too: bool) -> bool {
    matches!(err.status().map(|s| s.as_u16()), Some(401 | 403 | 404))
        || (gone_too && err.status().map(|s| s.as_u16()) == Some(410))
}

fn unavailable(what: &str, err: &workato_api::Error, notes: &mut Vec<String>) -> PartStatus {
    let permission = err.missing_permission().map(str::to_owned);
    let status = err.status().map(|s| s.as_u16());
    let hint = match &permission {
        Some(p) => format!("; grant the API client's role the {p:?} permission to sync it"),
        None => String::new(),
    };
    notes.push(format!(
        "skipping {what}: Workato answered {} ({err}){hint}",
        status.map_or_else(|| "an error".to_owned(), |s| s.to_string()),
    ));
    PartStatus::Unavailable {
        status,
        missing_permission: permission,
    }
}

/// Refusals of a listing made once per item (project grants per project, members per group),
/// reported as one warning however many items were refused.
struct Refusals {
    ids: Vec<String>,
    first: Option<workato_api::Error>,
}

impl Refusals {
    fn new() -> Self {
        Refusals {
            ids: Vec::new(),
            first: None,
        }
    }

    fn add(&mut self, id: impl ToString, err: workato_api::Error) {
        self.ids.push(id.to_string());
        self.first.get_or_insert(err);
    }

    /// One note: `skipping the <what> <ids…>: …` (nothing when none was refused).
    fn report(self, what: &str, notes: &mut Vec<String>) {
        if let Some(err) = self.first {
            unavailable(&format!("{what} {}", self.ids.join(", ")), &err, notes);
        }
    }
}

fn member_from(m: workato_api::Member, notes: &mut Vec<String>) -> Member {
    let mut out = Member::new(m.id.get(), m.name, m.email);
    out.external_id = m.external_id;
    out.created_at = m.created_at;
    out.grant_type = m.grant_type.map(|g| g.to_string());
    out.time_zone = m.time_zone;
    for r in m.roles {
        let Some(env) = Environment::from_api(&r.environment_type) else {
            // Skip the entry, keep the member's other roles
            // (docs/decisions.md#d14-an-unknown-environment-skips-one-entry).
            notes.push(format!(
                "collaborator {} ({}): skipping role {:?} in unknown environment {:?}",
                out.id,
                out.email,
                r.role_name,
                r.environment_type.as_str()
            ));
            continue;
        };
        let role_type = match r.role_type {
            None => RoleType::Unspecified,
            Some(workato_api::RoleType::PrivilegeGroup) => RoleType::PrivilegeGroup,
            Some(workato_api::RoleType::Environment) => RoleType::Environment,
            Some(other) => RoleType::Other(other.as_str().to_owned()),
        };
        out.roles.push(MemberRole::new(env, r.role_name, role_type));
    }
    out
}

fn pairs(map: std::collections::BTreeMap<String, Vec<String>>) -> Vec<(String, String)> {
    map.into_iter()
        .flat_map(|(g, ps)| ps.into_iter().map(move |p| (g.clone(), p)))
        .collect()
}

/// The optional-part loaders' shared outcome: items, or the part's status.
type Part<T> = Result<(Vec<T>, PartStatus), Error>;

/// Lists one optional part: nothing and `Disabled` when switched off; the items and `Loaded`
/// when listed; nothing and `Unavailable` (plus a note naming `what`) when this API client may
/// not read it (401/403/404, and 410 too when `gone_too`); any other failure is `fail`.
async fn optional_part<A>(
    enabled: bool,
    listing: impl Future<Output = Result<Vec<A>, workato_api::Error>>,
    gone_too: bool,
    what: &str,
    notes: &mut Vec<String>,
    fail: impl FnOnce(workato_api::Error) -> Error,
) -> Part<A> {
    if !enabled {
        return Ok((Vec::new(), PartStatus::Disabled));
    }
    match listing.await {
        Ok(items) => Ok((items, PartStatus::Loaded)),
        Err(err) if is_unavailable(&err, gone_too) => {
            Ok((Vec::new(), unavailable(what, &err, notes)))
        }
        Err(source) => Err(fail(source)),
    }
}

async fn legacy_roles(
    client: &Client,
    config: &ConnectorConfig,
    notes: &mut Vec<String>,
) -> Part<LegacyRole> {
    let (roles, status) = optional_part(
        !config.disable_custom_roles_sync,
        client.roles().list().into_stream().try_collect(),
        true,
        "custom roles (GET /api/roles); only the system roles are synced",
        notes,
        |source| Error::api(Step::ListRoles, source),
    )
    .await?;
    let roles = roles
        .into_iter()
        .map(|r| LegacyRole {
            id: r.id.get(),
            name: r.name,
            inheritable: r.inheritable,
            folder_ids: r.folder_ids.into_iter().map(|f| f.get()).collect(),
            privileges: pairs(r.privileges),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect();
    Ok((roles, status))
}

async fn env_roles(
    client: &Client,
    config: &ConnectorConfig,
    notes: &mut Vec<String>,
) -> Part<EnvRole> {
    let (roles, status) = optional_part(
        config.sync_environment_roles,
        client
            .environment_roles()
            .list()
            .into_stream()
            .try_collect(),
        false,
        "environment roles (GET /api/environment_roles)",
        notes,
        |source| Error::api(Step::ListEnvironmentRoles, source),
    )
    .await?;
    let roles = roles
        .into_iter()
        .map(|r| EnvRole {
            id: r.id.get(),
            name: r.name,
            kind: r.kind.map(|k| k.to_string()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect();
    Ok((roles, status))
}

async fn project_roles(
    client: &Client,
    config: &ConnectorConfig,
    notes: &mut Vec<String>,
) -> Part<ProjectRole> {
    let (roles, status) = optional_part(
        config.sync_project_roles,
        client.project_roles().list().into_stream().try_collect(),
        false,
        "project roles and grants (GET /api/project_roles)",
        notes,
        |source| Error::api(Step::ListProjectRoles, source),
    )
    .await?;
    let roles = roles
        .into_iter()
        .map(|r| ProjectRole {
            id: r.id.to_string(),
            name: r.name,
            kind: r.kind.map(|k| k.to_string()),
        })
        .collect();
    Ok((roles, status))
}

/// Groups and, for each listed group, its members (at most [`CONCURRENCY`] listings at once).
async fn groups(client: &Client, config: &ConnectorConfig, notes: &mut Vec<String>) -> Part<Group> {
    let (listed, status) = optional_part(
        config.sync_groups,
        client.user_groups().list().into_stream().try_collect(),
        false,
        "collaborator groups (GET /api/user_groups)",
        notes,
        |source| Error::api(Step::ListGroups, source),
    )
    .await?;
    let with_members: Vec<(
        workato_api::UserGroup,
        Result<Vec<workato_api::UserGroupMember>, workato_api::Error>,
    )> = stream::iter(with_client(client, listed))
        .map(|(client, g)| group_members(client, g))
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::with_capacity(with_members.len());
    let mut refused = Refusals::new();
    for (g, members) in with_members {
        let member_ids = match members {
            Ok(ms) => ms.iter().filter_map(|m| m.id.as_i64()).collect(),
            Err(err) if is_unavailable(&err, false) => {
                refused.add(&g.id, err);
                Vec::new()
            }
            Err(source) => {
                return Err(Error::api(
                    Step::ListGroupMembers {
                        group: g.id.to_string(),
                    },
                    source,
                ))
            }
        };
        out.push(Group {
            id: g.id.to_string(),
            name: g.name,
            description: g.description,
            system: g.system,
            member_ids,
        });
    }
    refused.report("the members of collaborator groups", notes);
    Ok((out, status))
}

async fn project_grants(
    client: &Client,
    projects: &[Project],
    notes: &mut Vec<String>,
) -> Result<Vec<ProjectGrant>, Error> {
    let listed: Vec<(
        i64,
        Result<Vec<workato_api::ProjectGrant>, workato_api::Error>,
    )> = stream::iter(with_client(client, projects.iter().map(|p| p.id)))
        .map(|(client, pid)| grants_of(client, pid))
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::new();
    let mut refused = Refusals::new();
    for (pid, grants) in listed {
        let grants = match grants {
            Ok(g) => g,
            Err(err) if is_unavailable(&err, false) => {
                refused.add(pid, err);
                continue;
            }
            Err(source) => {
                return Err(Error::api(Step::ListProjectGrants { project: pid }, source))
            }
        };
        for g in grants {
            let subject = match g.subject() {
                Some(workato_api::GrantSubject::User(id)) => GrantSubject::User(id.get()),
                Some(workato_api::GrantSubject::UserGroup(id)) => {
                    GrantSubject::Group(id.to_string())
                }
                _ => {
                    notes.push(format!(
                        "project grant {} names no user or group; skipped",
                        g.id
                    ));
                    continue;
                }
            };
            let Some(role) = g.project_role else {
                notes.push(format!(
                    "project grant {} names no project role; skipped",
                    g.id
                ));
                continue;
            };
            let env = g
                .project
                .as_ref()
                .and_then(|p| p.environment.as_ref())
                .and_then(|e| Environment::from_api(&e.environment_type));
            out.push(ProjectGrant {
                id: g.id.to_string(),
                project_id: g.project.as_ref().map_or(pid, |p| p.id.get()),
                env,
                project_role_id: role.id.to_string(),
                project_role_name: role.name,
                subject,
            });
        }
    }
    refused.report("the project grants of projects", notes);
    Ok(out)
}

async fn privileges(client: Client, member: i64) -> PrivilegesOutcome {
    match client
        .members()
        .privileges(workato_api::MemberId(member))
        .await
    {
        Ok(rows) => Ok(Some(
            rows.into_iter()
                .filter_map(|r| {
                    Some(PrivilegeRow {
                        env: Environment::from_api(&r.environment_type)?,
                        role_name: r.name,
                        privileges: pairs(r.privileges),
                        folder_ids: r
                            .folder_ids
                            .unwrap_or_default()
                            .into_iter()
                            .map(|f| f.get())
                            .collect(),
                    })
                })
                .collect(),
        )),
        Err(err) if is_unavailable(&err, false) => Ok(None),
        Err(source) => Err(Error::api(Step::MemberPrivileges { member }, source)),
    }
}

// Each concurrent job owns a client clone (cheap: an `Arc` inside) so the stream's closures
// capture nothing: futures borrowing across `buffered` trip the compiler's `Send` inference
// inside `async_trait` methods.
pub(super) fn with_client<T>(
    client: &Client,
    items: impl IntoIterator<Item = T>,
) -> Vec<(Client, T)> {
    items.into_iter().map(|t| (client.clone(), t)).collect()
}

type ApiResult<T> = Result<T, workato_api::Error>;

/// One holder's privilege rows; `None` when the API client may not read them.
type PrivilegesOutcome = Result<Option<Vec<PrivilegeRow>>, Error>;

async fn group_members(
    client: Client,
    group: workato_api::UserGroup,
) -> (
    workato_api::UserGroup,
    ApiResult<Vec<workato_api::UserGroupMember>>,
) {
    let members = client
        .user_groups()
        .members(&group.id)
        .into_stream()
        .try_collect()
        .await;
    (group, members)
}

async fn grants_of(
    client: Client,
    project: i64,
) -> (i64, ApiResult<Vec<workato_api::ProjectGrant>>) {
    let grants = client
        .project_grants()
        .list_for_project(workato_api::ProjectId(project))
        .into_stream()
        .try_collect()
        .await;
    (project, grants)
}

async fn privileges_of(client: Client, member: i64) -> (i64, PrivilegesOutcome) {
    (member, privileges(client, member).await)
}

impl Snapshot {
    /// Reads the workspace through `client` (see the [module docs](self) for the calls).
    ///
    /// # Errors
    /// [`Error::Unauthorized`] when the key is rejected listing members,
    /// [`Error::MembersForbidden`] when the API client may not list them (permission or DEV
    /// access), or [`Error::Api`] naming the first non-optional call that failed (after the
    /// client's retries).
    pub async fn load(client: &Client, config: &ConnectorConfig) -> Result<Snapshot, Error> {
        let mut notes = Vec::new();
        let listed = client.members().list().send().await.map_err(|source| {
            match source.status().map(|s| s.as_u16()) {
                Some(401) => Error::Unauthorized {
                    source: Box::new(source),
                },
                Some(403) => Error::MembersForbidden {
                    source: Box::new(source),
                },
                _ => Error::api(Step::ListMembers, source),
            }
        })?;
        if let Some(total) = listed.total {
            if total > listed.data.len() as u64 {
                // The list is documented as complete; say so if it is not
                // (docs/decisions.md#d22-a-truncated-member-list-is-reported).
                notes.push(format!(
                    "GET /api/members reported total {total} but returned {}: the collaborator list may be truncated",
                    listed.data.len()
                ));
            }
        }
        let members: Vec<Member> = listed
            .data
            .into_iter()
            .map(|m| member_from(m, &mut notes))
            .collect();

        let (mut n1, mut n2, mut n3, mut n4) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (legacy, envs, projects, proles, groups) = futures::join!(
            legacy_roles(client, config, &mut n1),
            env_roles(client, config, &mut n2),
            client
                .projects()
                .list()
                .into_stream()
                .try_collect::<Vec<_>>(),
            project_roles(client, config, &mut n3),
            groups(client, config, &mut n4),
        );
        notes.extend(n1.into_iter().chain(n2).chain(n3).chain(n4));
        let (legacy_roles, legacy_status) = legacy?;
        let (env_roles, env_status) = envs?;
        let (project_roles, project_roles_status) = proles?;
        let (groups, groups_status) = groups?;
        let projects: Vec<Project> = projects
            .map_err(|source| Error::api(Step::ListProjects, source))?
            .into_iter()
            .map(|p| Project {
                id: p.id.get(),
                name: p.name,
                description: p.description,
                folder_id: p.folder_id.map(|f| f.get()),
            })
            .collect();

        // Project grants only where project roles exist (RBAC v2); a workspace that refused
        // the project-role listing is not asked once per project. (Loaded implies enabled.)
        let grants_wanted = project_roles_status.is_loaded();
        let mut n5 = Vec::new();
        let (folders, grants) =
            futures::join!(super::folder_walk::folders(client, &projects), async {
                if grants_wanted {
                    project_grants(client, &projects, &mut n5).await
                } else {
                    Ok(Vec::new())
                }
            });
        notes.extend(n5);
        let folders = folders?;
        let project_grants = grants?;
        // Grants are read exactly when project roles were, so they share that status.
        let project_grants_status = project_roles_status.clone();

        let mut raw = RawWorkspace {
            members,
            legacy_roles,
            env_roles,
            projects,
            folders,
            groups,
            project_roles,
            project_grants,
            ..RawWorkspace::default()
        };
        raw.parts.legacy_roles = legacy_status;
        raw.parts.environment_roles = env_status;
        raw.parts.project_roles = project_roles_status;
        raw.parts.project_grants = project_grants_status;
        raw.parts.groups = groups_status;

        let mut snapshot = Snapshot::build(raw, config);
        for note in notes {
            snapshot.warnings().warn(note);
        }
        let holders = snapshot.env_role_holders_to_ask();
        let rows: Vec<(i64, PrivilegesOutcome)> = stream::iter(with_client(client, holders))
            .map(|(client, id)| privileges_of(client, id))
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut unread = Vec::new();
        for (id, rows) in rows {
            match rows? {
                Some(rows) => snapshot.learn_env_role_access(id, &rows),
                None => unread.push(id.to_string()),
            }
        }
        if !unread.is_empty() {
            // One warning for the whole refusal, however many holders were asked.
            snapshot.warnings().warn(format!(
                "could not read the privileges of collaborators {}: the environment roles they hold get no privilege or folder grants; grant the API client's role the \"{}\" permission",
                unread.join(", "),
                workato_api::permissions::GET_COLLABORATOR_PRIVILEGES,
            ));
        }
        Ok(snapshot)
    }
}
