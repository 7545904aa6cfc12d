//! One exact-request test per endpoint: method, path, query, headers, body, decoding.

use futures::TryStreamExt;
use serde_json::json;
use workato_api::{
    EnvRoleAssignment, EnvRoleId, EnvironmentType, FolderId, GrantSubject, Id, Invitation,
    MemberId, ProjectGrantRequest, ProjectId, RoleType,
};

use crate::support::*;

const MEMBER: &str = r#"{"id":11,"grant_type":"team","roles":[{"environment_type":"dev","role_name":"Admin"},
  {"environment_type":"prod","role_name":"No access","role_type":"environment"}],"last_activity_log":
  {"id":5,"event_type":"login","created_at":"2024-01-02T03:04:05.000Z"},"external_id":null,"name":"Ada",
  "email":"ada@example.com","time_zone":"UTC","created_at":"2020-05-20T11:54:31.706-07:00"}"#;

fn grant_json(id: &str) -> serde_json::Value {
    json!({"id": id, "project": {"id": 5, "name": "P", "environment": {"id": 1, "type": "prod"}},
           "project_role": {"id": "pr-AQBGCnMB-JoFtKL", "name": "ProjectAdmin"},
           "user_group": null, "user": {"id": 11, "name": "Ada", "email": "ada@example.com"}})
}

#[test]
fn members_list() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            no_body(&mut s, "GET", "/api/members"),
            format!(r#"{{"data":[{MEMBER}],"total":1}}"#),
        ))
        .await;
        let filtered = once(reply(
            no_body(&mut s, "GET", "/api/members?email=ada%40example.com"),
            r#"{"data":[]}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let list = client.members().list().send().await.expect("list");
        assert_eq!(list.total, Some(1));
        let ada = &list.data[0];
        assert_eq!(
            (ada.id, ada.email.as_str()),
            (MemberId(11), "ada@example.com")
        );
        assert_eq!(ada.roles[1].role_type, Some(RoleType::Environment));
        assert_eq!(
            ada.last_activity_log
                .as_ref()
                .and_then(|l| l.event_type.as_deref()),
            Some("login")
        );
        let none = client
            .members()
            .list()
            .email("ada@example.com")
            .send()
            .await
            .expect("filtered");
        assert!(none.data.is_empty() && none.total.is_none());

        m.assert_async().await;
        filtered.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_get_with_and_without_envelope() {
    block_on(async {
        let mut s = server().await;
        let wrapped = once(reply(
            no_body(&mut s, "GET", "/api/members/11"),
            format!(r#"{{"data":{MEMBER}}}"#),
        ))
        .await;
        let bare = once(reply(
            no_body(&mut s, "GET", "/api/members/12"),
            MEMBER.replace(r#""id":11"#, r#""id":12"#),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        assert_eq!(
            client
                .members()
                .get(MemberId(11))
                .await
                .expect("wrapped")
                .name,
            "Ada"
        );
        assert_eq!(
            client.members().get(MemberId(12)).await.expect("bare").id,
            MemberId(12)
        );
        wrapped.assert_async().await;
        bare.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_privileges() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
        no_body(&mut s, "GET", "/api/members/11/privileges"),
        json!({"data": [
            {"environment_type": "dev", "name": "Admin", "privileges": {"Recipes": ["read", "create"]}, "folder_ids": [3]},
            {"environment_type": "prod", "name": "Analyst", "privileges": {}}
        ], "total": 2}),
    )).await;
        let guard = catch_all(&mut s).await;

        let rows = client(&s)
            .members()
            .privileges(MemberId(11))
            .await
            .expect("privileges");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].folder_ids, Some(vec![FolderId(3)]));
        assert_eq!(rows[0].privileges["Recipes"], ["read", "create"]);
        assert_eq!(
            (rows[1].environment_type.clone(), rows[1].folder_ids.clone()),
            (EnvironmentType::Prod, None)
        );
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_update_roles_puts_env_roles_and_ignores_body() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            with_json(
                &mut s,
                "PUT",
                "/api/members/11",
                json!({"env_roles": [
                    {"environment_type": "dev", "name": "Admin"},
                    {"environment_type": "prod", "name": "NoAccess", "role_type": "environment"}
                ]}),
            ),
            r#"{"result":"ok"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;

        client(&s)
            .members()
            .update_roles(
                MemberId(11),
                vec![
                    EnvRoleAssignment::new(EnvironmentType::Dev, "Admin"),
                    EnvRoleAssignment::new(EnvironmentType::Prod, "NoAccess")
                        .with_role_type(RoleType::Environment),
                ],
            )
            .await
            .expect("update");
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_invite_and_add_existing() {
    block_on(async {
        let mut s = server().await;
        let invite = once(reply(
        with_json(
            &mut s,
            "POST",
            "/api/member_invitations",
            json!({"name": "Bob", "email": "bob@example.com",
                   "env_roles": [{"environment_type": "dev", "name": "Analyst", "role_type": "privilege_group"}],
                   "user_group_ids": ["am-1"]}),
        ),
        r#"{"result":"ok"}"#,
    )).await;
        // Empty 201 body: write responses are ignored.
        let add = once(
            with_json(
                &mut s,
                "POST",
                "/api/members",
                json!({"email": "carol@example.com"}),
            )
            .with_status(201),
        )
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let invitation = Invitation {
            name: "Bob".into(),
            email: "bob@example.com".into(),
            env_roles: vec![EnvRoleAssignment::new(EnvironmentType::Dev, "Analyst")
                .with_role_type(RoleType::PrivilegeGroup)],
            user_group_ids: vec![Id::from("am-1")],
        };
        client.members().invite(&invitation).await.expect("invite");
        client
            .members()
            .add_existing("carol@example.com")
            .await
            .expect("add");
        invite.assert_async().await;
        add.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_delete_is_idempotent() {
    block_on(async {
        let mut s = server().await;
        let gone = once(no_body(&mut s, "DELETE", "/api/members/11").with_status(204)).await;
        let unknown = once(reply_status(
            no_body(&mut s, "DELETE", "/api/members/12"),
            404,
            r#"{"message":"Not found"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        client
            .members()
            .delete(MemberId(11))
            .await
            .expect("deleted");
        client
            .members()
            .delete(MemberId(12))
            .await
            .expect("404 is success");
        gone.assert_async().await;
        unknown.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_project_grants_stream() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/members/11/project_grants?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(&[grant_json("pg-1")], 1, 1),
        ))
        .await;
        let guard = catch_all(&mut s).await;

        let grants: Vec<_> = client(&s)
            .members()
            .project_grants(MemberId(11))
            .into_stream()
            .try_collect()
            .await
            .expect("grants");
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].subject(), Some(GrantSubject::User(MemberId(11))));
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn legacy_roles_list() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
        no_body(&mut s, "GET", "/api/roles?page=1&per_page=100"),
        json!([{"id": 3, "name": "Ops", "inheritable": false, "folder_ids": [1], "created_at": "c",
                "updated_at": "u", "privileges": {"Connections": ["read"]}}]),
    ))
    .await;
        let guard = catch_all(&mut s).await;

        let roles: Vec<_> = client(&s)
            .roles()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("roles");
        assert_eq!(roles.len(), 1);
        assert_eq!(
            (roles[0].name.as_str(), roles[0].folder_ids.as_slice()),
            ("Ops", &[FolderId(1)][..])
        );
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn environment_roles_list_get_and_find() {
    block_on(async {
        let mut s = server().await;
        let role = json!({"id": 2, "name": "Environment admin", "members_count": 1, "type": "system",
                      "created_at": "c", "updated_at": "u"});
        let list = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/environment_roles?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(std::slice::from_ref(&role), 1, 1),
        ))
        .await;
        let by_name = once(reply(
        no_body(
            &mut s,
            "GET",
            "/api/environment_roles?name=Environment+admin&page%5Bnumber%5D=1&page%5Bsize%5D=100",
        ),
        jsonapi_page(std::slice::from_ref(&role), 1, 1),
    ))
    .await;
        let no_match = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/environment_roles?name=Nope&page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(&[], 1, 0),
        ))
        .await;
        let get = once(reply(
            no_body(&mut s, "GET", "/api/environment_roles/2"),
            json!({"data": {"id": 2, "name": "Environment admin", "type": "system",
                        "config": {"recipes": {"privileges": "all"}}}}),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let all: Vec<_> = client
            .environment_roles()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("list");
        assert_eq!(all[0].id, EnvRoleId(2));
        let found = client
            .environment_roles()
            .find_by_name("Environment admin")
            .await
            .expect("find");
        assert_eq!(found.map(|r| r.id), Some(EnvRoleId(2)));
        assert!(client
            .environment_roles()
            .find_by_name("Nope")
            .await
            .expect("find")
            .is_none());
        let detail = client
            .environment_roles()
            .get(EnvRoleId(2))
            .await
            .expect("get");
        assert_eq!(detail.config["recipes"]["privileges"], "all");
        for m in [list, by_name, no_match, get] {
            m.assert_async().await;
        }
        guard.verify().await;
    })
}

#[test]
fn project_roles_list_and_get_with_string_id() {
    block_on(async {
        let mut s = server().await;
        let list = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/project_roles?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(
                &[json!({"id": 4, "name": "ProjectOperator", "type": "system"})],
                1,
                1,
            ),
        ))
        .await;
        let get = once(reply(
            no_body(&mut s, "GET", "/api/project_roles/pr-AQBGCnMB-JoFtKL"),
            json!({"data": {"id": "pr-AQBGCnMB-JoFtKL", "name": "ProjectAdmin"}}),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let roles: Vec<_> = client
            .project_roles()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("list");
        assert_eq!(roles[0].id, Id::from(4));
        let role = client
            .project_roles()
            .get(&Id::from("pr-AQBGCnMB-JoFtKL"))
            .await
            .expect("get");
        assert_eq!(role.name, "ProjectAdmin");
        list.assert_async().await;
        get.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn project_grants_endpoints() {
    block_on(async {
        let mut s = server().await;
        let list = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/projects/5/project_grants?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(&[grant_json("pg-1")], 1, 1),
        ))
        .await;
        let get = once(reply(
            no_body(&mut s, "GET", "/api/project_grants/pg-1"),
            json!({"data": grant_json("pg-1")}),
        ))
        .await;
        let upsert = once(reply(
            with_json(
                &mut s,
                "PUT",
                "/api/projects/5/project_grants",
                json!({"grants": [
                    {"user_id": 11, "project_role_id": "pr-AQBGCnMB-JoFtKL"},
                    {"user_group_id": "am-7", "project_role_id": 4}
                ]}),
            ),
            r#"{"data":{}}"#,
        ))
        .await;
        let revoke =
            once(no_body(&mut s, "DELETE", "/api/project_grants/pg-1").with_status(204)).await;
        let revoke_gone = once(reply_status(
            no_body(&mut s, "DELETE", "/api/project_grants/pg-2"),
            404,
            "{}",
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let handler = client(&s).project_grants();

        let grants: Vec<_> = handler
            .list_for_project(ProjectId(5))
            .into_stream()
            .try_collect()
            .await
            .expect("list");
        assert_eq!(grants[0].project.as_ref().map(|p| p.id), Some(ProjectId(5)));
        assert_eq!(
            handler.get(&Id::from("pg-1")).await.expect("get").id,
            Id::from("pg-1")
        );
        handler
            .upsert_for_project(
                ProjectId(5),
                &[
                    ProjectGrantRequest {
                        subject: GrantSubject::User(MemberId(11)),
                        project_role_id: Id::from("pr-AQBGCnMB-JoFtKL"),
                    },
                    ProjectGrantRequest {
                        subject: GrantSubject::UserGroup(Id::from("am-7")),
                        project_role_id: Id::from(4),
                    },
                ],
            )
            .await
            .expect("upsert");
        handler.revoke(&Id::from("pg-1")).await.expect("revoke");
        handler
            .revoke(&Id::from("pg-2"))
            .await
            .expect("404 is already revoked");
        for m in [list, get, upsert, revoke, revoke_gone] {
            m.assert_async().await;
        }
        guard.verify().await;
    })
}

#[test]
fn user_groups_list_and_members() {
    block_on(async {
        let mut s = server().await;
        let list = once(reply(
        no_body(&mut s, "GET", "/api/user_groups?name=Eng&page%5Bnumber%5D=1&page%5Bsize%5D=100"),
        jsonapi_page(
            &[json!({"id": "am-7", "name": "Eng", "description": null, "members_count": 2, "system": false})],
            1,
            1,
        ),
    )).await;
        let members = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/user_groups/am-7/members?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(
                &[
                    json!({"id": 11, "email": "ada@example.com"}),
                    json!({"id": "12"}),
                ],
                1,
                2,
            ),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let groups: Vec<_> = client
            .user_groups()
            .list()
            .name("Eng")
            .into_stream()
            .try_collect()
            .await
            .expect("groups");
        assert_eq!(
            (groups[0].id.to_string(), groups[0].description.clone()),
            ("am-7".to_owned(), None)
        );
        let people: Vec<_> = client
            .user_groups()
            .members(&groups[0].id)
            .into_stream()
            .try_collect()
            .await
            .expect("members");
        assert_eq!(
            people.iter().map(|p| p.id.as_i64()).collect::<Vec<_>>(),
            [Some(11), Some(12)]
        );
        list.assert_async().await;
        members.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn projects_and_folders() {
    block_on(async {
        let mut s = server().await;
        let projects = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=1&per_page=100"),
            json!([{"id": 5, "description": null, "folder_id": 50, "name": "P"}]),
        ))
        .await;
        let children = once(reply(
        no_body(
            &mut s,
            "GET",
            "/api/folders?parent_id=50&page=1&per_page=100",
        ),
        json!([{"id": 51, "name": "Sub", "parent_id": 50, "created_at": "c", "updated_at": "u"}]),
    ))
    .await;
        let home = once(reply(
            no_body(&mut s, "GET", "/api/folders?page=1&per_page=100"),
            json!([]),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let all: Vec<_> = client
            .projects()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("projects");
        assert_eq!(
            (all[0].id, all[0].folder_id),
            (ProjectId(5), Some(FolderId(50)))
        );
        let sub: Vec<_> = client
            .folders()
            .list()
            .parent_id(50)
            .into_stream()
            .try_collect()
            .await
            .expect("folders");
        assert_eq!(
            (sub[0].id, sub[0].parent_id),
            (FolderId(51), Some(FolderId(50)))
        );
        let top: Vec<_> = client
            .folders()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("home");
        assert!(top.is_empty());
        for m in [projects, children, home] {
            m.assert_async().await;
        }
        guard.verify().await;
    })
}

#[test]
fn workspace_connectivity_check() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            no_body(&mut s, "GET", "/api/users/me"),
            json!({"id": 77, "name": "Acme", "plan_id": "enterprise", "root_folder_id": 1}),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let me = client(&s).workspace().get().await.expect("me");
        assert_eq!((me.id.get(), me.name.as_deref()), (77, Some("Acme")));
        m.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn projects_first_is_one_small_page() {
    block_on(async {
        let mut s = server().await;
        let m = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=1&per_page=1"),
            json!([{"id": 100, "name": "Billing Pipelines", "folder_id": 10, "description": null}]),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let first = client(&s).projects().first().await.expect("first");
        assert_eq!(first.map(|p| p.id.get()), Some(100));
        m.assert_async().await;
        guard.verify().await;
    })
}
