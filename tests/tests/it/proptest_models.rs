//! Property tests: decoding any JSON (or any bytes) into every Workato API model, and parsing
//! any string as an id, never panics; well-shaped JSON always decodes to the values it holds.
//!
//! The API is an untrusted input: a proxy, a new Workato release or a bug can send anything, and
//! the connector must turn that into an error, never a crash. Keys of generated objects are drawn
//! mostly from the models' real field names so that the decoders get past the first field and
//! exercise nested values, lenient `null`s and open enums.

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use baton_model::c1z::timestamp::parse_go;
use baton_model::c1z::Ksuid;
use workato_api::environment_roles::EnvironmentRole;
use workato_api::folders::Folder;
use workato_api::members::{ActivityLog, EnvRoleAssignment, Member, MemberList, MemberRole};
use workato_api::project_grants::{
    GrantEnvironment, GrantProject, GrantProjectRole, GrantUser, GrantUserGroup, ProjectGrant,
};
use workato_api::project_roles::ProjectRole;
use workato_api::projects::Project;
use workato_api::roles::Role;
use workato_api::user_groups::{UserGroup, UserGroupMember};
use workato_api::workspace::Workspace;
use workato_api::{
    EnvRoleId, EnvironmentType, FolderId, Id, MemberId, PrivilegeRow, ProjectId, RoleId, RoleKind,
    RoleType, WorkspaceId,
};
use workato_connector::catalogue;
use workato_connector::env::{parse_role_resource_id, role_resource_id, EnvScope, Environment};
use workato_connector::gotime::go_time_string;
use workato_connector::ids::{parse_project_role_resource_id, project_role_resource_id};

/// Field names of every model, so generated objects hit real fields most of the time.
const KEYS: &[&str] = &[
    "id",
    "name",
    "email",
    "grant_type",
    "roles",
    "last_activity_log",
    "event_type",
    "external_id",
    "time_zone",
    "created_at",
    "updated_at",
    "environment_type",
    "role_name",
    "role_type",
    "data",
    "total",
    "privileges",
    "folder_ids",
    "inheritable",
    "type",
    "members_count",
    "config",
    "project",
    "project_role",
    "user_group",
    "user",
    "environment",
    "description",
    "system",
    "folder_id",
    "parent_id",
    "is_project",
    "project_id",
    "plan_id",
    "root_folder_id",
    "page",
    "per_page",
];

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

/// Scalars that matter to these decoders: ids as integers and strings (numeric or not), the
/// enum spellings, extreme numbers, floats, booleans and `null`.
fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (-5i64..5).prop_map(|n| Value::String(n.to_string())),
        proptest::sample::select(
            &[
                "dev",
                "test",
                "prod",
                "privilege_group",
                "environment",
                "system",
                "custom",
                "team",
                "No access",
                "9223372036854775808",
                " 12 ",
                "",
            ][..]
        )
        .prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
    ]
}

/// Arbitrary JSON values, nested up to a few levels.
fn arb_json() -> impl Strategy<Value = Value> {
    arb_scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Decodes `value` and its serialized bytes, and every prefix of those bytes, into `T`; none
/// of it may panic. Returns whether the whole value decoded.
fn decode_never_panics<T: DeserializeOwned>(value: &Value) -> bool {
    let from_value = serde_json::from_value::<T>(value.clone()).is_ok();
    let bytes = serde_json::to_vec(value).expect("a Value always serializes");
    let from_slice = serde_json::from_slice::<T>(&bytes).is_ok();
    // The same decision whichever way the JSON arrives (except floats, which a Value keeps
    // exactly but text may round; they never decide an id here).
    assert_eq!(from_value, from_slice, "value vs bytes disagree on {value}");
    // Truncated bodies (a connection cut mid-body) must fail cleanly; a strict prefix of an
    // object or array is never complete JSON.
    if bytes.len() > 1 && matches!(value, Value::Object(_) | Value::Array(_)) {
        for cut in [1, bytes.len() / 2, bytes.len() - 1] {
            assert!(serde_json::from_slice::<T>(&bytes[..cut]).is_err());
        }
    }
    from_value
}

macro_rules! for_every_model {
    ($f:ident, $arg:expr) => {{
        $f::<Member>($arg);
        $f::<MemberRole>($arg);
        $f::<ActivityLog>($arg);
        $f::<MemberList>($arg);
        $f::<PrivilegeRow>($arg);
        $f::<EnvRoleAssignment>($arg);
        $f::<Role>($arg);
        $f::<EnvironmentRole>($arg);
        $f::<ProjectRole>($arg);
        $f::<ProjectGrant>($arg);
        $f::<GrantProject>($arg);
        $f::<GrantEnvironment>($arg);
        $f::<GrantProjectRole>($arg);
        $f::<GrantUser>($arg);
        $f::<GrantUserGroup>($arg);
        $f::<UserGroup>($arg);
        $f::<UserGroupMember>($arg);
        $f::<Project>($arg);
        $f::<Folder>($arg);
        $f::<Workspace>($arg);
        $f::<Id>($arg);
        $f::<MemberId>($arg);
        $f::<FolderId>($arg);
        $f::<ProjectId>($arg);
        $f::<RoleId>($arg);
        $f::<EnvRoleId>($arg);
        $f::<WorkspaceId>($arg);
        $f::<EnvironmentType>($arg);
        $f::<RoleType>($arg);
        $f::<RoleKind>($arg);
        $f::<Vec<Member>>($arg);
        $f::<Vec<Folder>>($arg);
    }};
}

fn check_value<T: DeserializeOwned>(value: &Value) {
    let _ = decode_never_panics::<T>(value);
}

fn check_bytes<T: DeserializeOwned>(bytes: &[u8]) {
    let _ = serde_json::from_slice::<T>(bytes);
}

/// An id as Workato may send it: integer or numeric string.
fn arb_int_id() -> impl Strategy<Value = (i64, Value)> {
    (any::<i64>(), any::<bool>()).prop_map(|(n, as_text)| {
        let v = if as_text {
            Value::String(n.to_string())
        } else {
            Value::from(n)
        };
        (n, v)
    })
}

fn arb_env() -> impl Strategy<Value = (EnvironmentType, &'static str)> {
    prop_oneof![
        Just((EnvironmentType::Dev, "dev")),
        Just((EnvironmentType::Test, "test")),
        Just((EnvironmentType::Prod, "prod")),
    ]
}

fn arb_text() -> impl Strategy<Value = String> {
    ".{0,24}"
}

/// `Some(text)`, `None` as an absent key, or `None` as an explicit `null`.
fn put_opt(obj: &mut Map<String, Value>, key: &str, value: &Option<String>, null: bool) {
    match value {
        Some(v) => {
            obj.insert(key.to_owned(), Value::from(v.clone()));
        }
        None if null => {
            obj.insert(key.to_owned(), Value::Null);
        }
        None => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_any_model(value in arb_json()) {
        for_every_model!(check_value, &value);
    }

    #[test]
    fn arbitrary_bytes_never_panic_any_model(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        for_every_model!(check_bytes, &bytes);
    }

    #[test]
    fn arbitrary_object_with_an_id_never_panics(
        id in prop_oneof![any::<i64>().prop_map(Value::from), ".{0,12}".prop_map(Value::from)],
        rest in prop::collection::vec((arb_key(), arb_json()), 0..10),
    ) {
        let mut obj: Map<String, Value> = rest.into_iter().collect();
        obj.insert("id".to_owned(), id);
        let value = Value::Object(obj);
        for_every_model!(check_value, &value);
        let list = json!({ "data": [value.clone(), value] });
        for_every_model!(check_value, &list);
    }

    #[test]
    fn well_shaped_members_decode(
        (id, id_json) in arb_int_id(),
        name in prop::option::of(arb_text()),
        email in arb_text(),
        roles in prop::collection::vec((arb_env(), arb_text(), any::<bool>()), 0..4),
        external in prop::option::of(arb_text()),
        null_name in any::<bool>(),
    ) {
        let mut obj = Map::new();
        obj.insert("id".into(), id_json);
        put_opt(&mut obj, "name", &name, null_name);
        obj.insert("email".into(), Value::from(email.clone()));
        obj.insert(
            "roles".into(),
            Value::Array(
                roles
                    .iter()
                    .map(|((_, env), role, env_role)| {
                        let mut r = json!({ "environment_type": env, "role_name": role });
                        if *env_role {
                            r["role_type"] = json!("environment");
                        }
                        r
                    })
                    .collect(),
            ),
        );
        put_opt(&mut obj, "external_id", &external, false);
        obj.insert("unknown_future_field".into(), json!({"nested": [1, 2]}));
        let list = json!({ "data": [Value::Object(obj)], "total": 1 });

        let decoded: MemberList = serde_json::from_value(list).expect("well-shaped member list");
        prop_assert_eq!(decoded.data.len(), 1);
        let m = &decoded.data[0];
        prop_assert_eq!(m.id, MemberId(id));
        prop_assert_eq!(&m.name, &name.unwrap_or_default());
        prop_assert_eq!(&m.email, &email);
        prop_assert_eq!(&m.external_id, &external);
        prop_assert_eq!(m.roles.len(), roles.len());
        for (got, ((env, _), role, env_role)) in m.roles.iter().zip(&roles) {
            prop_assert_eq!(&got.environment_type, env);
            prop_assert_eq!(&got.role_name, role);
            let expected = env_role.then_some(RoleType::Environment);
            prop_assert_eq!(&got.role_type, &expected);
        }
    }

    #[test]
    fn well_shaped_roles_decode(
        (id, id_json) in arb_int_id(),
        name in arb_text(),
        folders in prop::collection::vec(arb_int_id(), 0..5),
        privileges in prop::collection::btree_map("[a-z_]{1,10}", prop::collection::vec("[a-z_]{1,10}", 0..3), 0..4),
    ) {
        let value = json!({
            "id": id_json,
            "name": name,
            "inheritable": null,
            "folder_ids": folders.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            "privileges": privileges,
            "created_at": "2020-05-20T11:54:31.706-07:00",
        });
        let role: Role = serde_json::from_value(value).expect("well-shaped role");
        prop_assert_eq!(role.id, RoleId(id));
        prop_assert_eq!(&role.name, &name);
        prop_assert!(!role.inheritable);
        let expected: Vec<FolderId> = folders.iter().map(|(n, _)| FolderId(*n)).collect();
        prop_assert_eq!(&role.folder_ids, &expected);
        prop_assert_eq!(&role.privileges, &privileges);
    }

    #[test]
    fn well_shaped_environment_and_project_roles_decode(
        (id, id_json) in arb_int_id(),
        str_id in "[a-zA-Z0-9-]{1,20}",
        name in arb_text(),
        kind in prop_oneof![Just("system"), Just("custom"), Just("inheritable"), Just("brand-new")],
        count in prop::option::of(any::<u64>()),
    ) {
        let env_role: EnvironmentRole = serde_json::from_value(json!({
            "id": id_json, "name": name, "type": kind, "members_count": count,
            "config": {"anything": [true, {"x": null}]},
        }))
        .expect("well-shaped environment role");
        prop_assert_eq!(env_role.id, EnvRoleId(id));
        prop_assert_eq!(&env_role.name, &name);
        prop_assert_eq!(env_role.kind, Some(RoleKind::from(kind)));
        prop_assert_eq!(env_role.members_count, count);

        let project_role: ProjectRole = serde_json::from_value(json!({
            "id": str_id, "name": name, "type": kind,
        }))
        .expect("well-shaped project role");
        prop_assert_eq!(project_role.id.to_string(), str_id.clone());
        prop_assert!(!project_role.id.is_int());
        prop_assert_eq!(project_role.kind.as_ref().map(RoleKind::as_str), Some(kind));
    }

    #[test]
    fn well_shaped_project_grants_decode(
        grant_id in "[a-zA-Z0-9-]{1,20}",
        (project, project_json) in arb_int_id(),
        (env, env_text) in arb_env(),
        role_id in "[a-zA-Z0-9-]{1,20}",
        subject in prop_oneof![
            arb_int_id().prop_map(|(n, v)| (true, n.to_string(), v)),
            "am-[a-zA-Z0-9]{1,12}".prop_map(|s| (false, s.clone(), Value::from(s))),
        ],
    ) {
        let (is_user, subject_id, subject_json) = subject;
        let mut value = json!({
            "id": grant_id,
            "project": {"id": project_json, "name": "P", "environment": {"id": 1, "type": env_text}},
            "project_role": {"id": role_id, "name": "Viewer"},
        });
        if is_user {
            value["user"] = json!({"id": subject_json, "email": "a@b.c"});
        } else {
            value["user_group"] = json!({"id": subject_json, "name": null});
        }
        let grant: ProjectGrant = serde_json::from_value(value).expect("well-shaped grant");
        prop_assert_eq!(grant.id.to_string(), grant_id);
        let p = grant.project.expect("project");
        prop_assert_eq!(p.id, ProjectId(project));
        prop_assert_eq!(p.environment.map(|e| e.environment_type), Some(env));
        prop_assert_eq!(grant.project_role.map(|r| r.id.to_string()), Some(role_id));
        if is_user {
            prop_assert_eq!(grant.user.map(|u| u.id.to_string()), Some(subject_id));
            prop_assert!(grant.user_group.is_none());
        } else {
            prop_assert_eq!(grant.user_group.map(|g| g.id.to_string()), Some(subject_id));
            prop_assert!(grant.user.is_none());
        }
    }

    #[test]
    fn well_shaped_groups_projects_folders_workspace_decode(
        (id, id_json) in arb_int_id(),
        (parent, parent_json) in arb_int_id(),
        group_id in "am-[a-zA-Z0-9]{1,12}",
        name in arb_text(),
        has_parent in any::<bool>(),
    ) {
        let group: UserGroup = serde_json::from_value(json!({
            "id": group_id, "name": name, "system": null, "members_count": 3,
        }))
        .expect("group");
        prop_assert_eq!(group.id.to_string(), group_id.clone());
        prop_assert!(!group.system);
        let member: UserGroupMember =
            serde_json::from_value(json!({"id": id_json, "email": null})).expect("group member");
        prop_assert_eq!(member.id.as_i64(), Some(id));

        let project: Project = serde_json::from_value(json!({
            "id": id_json, "name": name, "folder_id": parent_json,
        }))
        .expect("project");
        prop_assert_eq!(project.id, ProjectId(id));
        prop_assert_eq!(project.folder_id, Some(FolderId(parent)));

        let parent_value = if has_parent { parent_json } else { Value::Null };
        let folder: Folder = serde_json::from_value(json!({
            "id": id_json, "name": name, "parent_id": parent_value, "is_project": has_parent,
        }))
        .expect("folder");
        prop_assert_eq!(folder.id, FolderId(id));
        prop_assert_eq!(folder.parent_id, has_parent.then_some(FolderId(parent)));
        prop_assert_eq!(&folder.name, &name);

        let workspace: Workspace =
            serde_json::from_value(json!({"id": id_json, "plan_id": group_id})).expect("workspace");
        prop_assert_eq!(workspace.id, WorkspaceId(id));
    }

    #[test]
    fn id_decoding_of_any_string_or_number(text in ".{0,24}", n in any::<i64>(), u in any::<u64>()) {
        // String ids keep their text; integer ids accept exactly the trimmed decimal strings.
        let id: Id = serde_json::from_value(Value::from(text.clone())).expect("any string is an Id");
        prop_assert_eq!(id.to_string(), text.clone());
        prop_assert!(!id.is_int());
        let member = serde_json::from_value::<MemberId>(Value::from(text.clone())).ok();
        prop_assert_eq!(member.map(MemberId::get), text.trim().parse::<i64>().ok());

        let int: Id = serde_json::from_value(Value::from(n)).expect("an integer is an Id");
        prop_assert!(int.is_int());
        prop_assert_eq!(int.as_i64(), Some(n));
        prop_assert_eq!(serde_json::to_value(&int).expect("ser"), Value::from(n));

        // u64 beyond i64 is rejected, never wrapped.
        let big = serde_json::from_value::<Id>(Value::from(u));
        prop_assert_eq!(big.is_ok(), i64::try_from(u).is_ok());
        let big = serde_json::from_value::<FolderId>(Value::from(u));
        prop_assert_eq!(big.ok().map(FolderId::get), i64::try_from(u).ok());
    }

    #[test]
    fn role_resource_ids_parse_without_panicking(id in ".{0,40}") {
        for scope in [
            EnvScope::All,
            EnvScope::Single(Environment::Dev),
            EnvScope::Single(Environment::Test),
            EnvScope::Single(Environment::Prod),
        ] {
            match parse_role_resource_id(&id, scope) {
                Ok((bare, env)) => {
                    prop_assert!(!bare.is_empty());
                    // Parsing inverts formatting.
                    prop_assert_eq!(role_resource_id(bare, env, scope), id.clone());
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
        let _ = Environment::parse_lenient(&id);
        prop_assert_eq!(id.parse::<Environment>().is_ok(), ["dev", "test", "prod"].contains(&id.as_str()));
        prop_assert_eq!(
            id.parse::<EnvScope>().is_ok(),
            ["dev", "test", "prod", "all"].contains(&id.as_str())
        );
    }

    #[test]
    fn project_role_resource_ids_parse_without_panicking(id in ".{0,40}", project in any::<u64>(), role in "[^\\s]{1,20}") {
        if let Some((p, r)) = parse_project_role_resource_id(&id) {
            prop_assert_eq!(project_role_resource_id(p, r), id.clone());
        }
        let built = project_role_resource_id(&project.to_string(), &role);
        let project_text = project.to_string();
        prop_assert_eq!(
            parse_project_role_resource_id(&built),
            Some((project_text.as_str(), role.as_str()))
        );
    }

    #[test]
    fn privilege_ids_and_times_parse_without_panicking(text in ".{0,40}") {
        if let Some(p) = catalogue::lookup_resource_id(&text) {
            prop_assert_eq!(p.resource_id, text.as_str());
        }
        let _ = text.parse::<catalogue::BaseRole>();
        let _ = go_time_string(&text);
        let _ = parse_go(&text);
    }

    #[test]
    fn ksuids_parse_without_panicking(text in ".{0,40}", alnum in "[0-9A-Za-z]{27}") {
        if let Ok(k) = text.parse::<Ksuid>() {
            prop_assert_eq!(k.to_string(), text);
        }
        // 27 base-62 characters either overflow or round-trip exactly.
        if let Ok(k) = alnum.parse::<Ksuid>() {
            prop_assert_eq!(k.to_string(), alnum);
        }
    }
}
