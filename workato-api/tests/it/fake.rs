//! Black-box tests of the fake Workato server over real HTTP (reqwest).
#![cfg(feature = "fake")]

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::block_on;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use workato_api::fake::{
    EnvironmentRole, FakeWorkato, Fault, GenParams, LegacyRole, MemberRole, Seed,
};

struct Http {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Http {
    fn new(fake: &FakeWorkato) -> Self {
        Http {
            client: reqwest::Client::new(),
            base: fake.url(),
            token: fake.token().to_owned(),
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self.send(Method::GET, path, None).await;
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let resp = self.send(Method::PUT, path, Some(body)).await;
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let resp = self.send(Method::POST, path, Some(body)).await;
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x["id"].as_u64().expect("int id"))
        .collect()
}

async fn start_default() -> (FakeWorkato, Http) {
    let fake = FakeWorkato::start(Seed::default_workspace())
        .await
        .expect("start");
    let http = Http::new(&fake);
    (fake, http)
}

#[test]
fn missing_or_wrong_token_is_401_and_still_counted() {
    block_on(async {
        let (fake, http) = start_default().await;
        let url = format!("{}/api/members", fake.url());
        let resp = http.client.get(&url).send().await.expect("send");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            resp.json::<Value>().await.expect("json"),
            json!({"message": "Unauthorized"})
        );
        let resp = http
            .client
            .get(format!("{}/api/nowhere", fake.url()))
            .bearer_auth("not-the-token")
            .send()
            .await
            .expect("send");
        // Auth comes before routing: an unknown route with a bad token is 401, not 404.
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(fake.request_count("GET /api/members"), 1);
        assert_eq!(fake.request_count("GET (unmatched)"), 1);
        assert_eq!(fake.token(), "fake-workato-token");
    })
}

#[test]
fn unknown_route_is_json_404() {
    block_on(async {
        let (_fake, http) = start_default().await;
        let (status, body) = http.get("/api/recipes").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, json!({"message": "Not found"}));
        let (status, _) = http.get("/api/members/99999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
}

#[test]
fn default_seed_matches_section_11() {
    block_on(async {
        let (fake, http) = start_default().await;
        let (_, members) = http.get("/api/members").await;
        assert_eq!(members["total"], 7);
        assert_eq!(
            ids(&members["data"]),
            [1000, 1001, 1002, 1003, 1004, 1005, 1006]
        );
        assert_eq!(members["data"][0]["roles"][0]["role_name"], "Admin");
        assert_eq!(
            members["data"][0]["created_at"],
            "2020-05-20T11:54:31.706-07:00"
        );
        let (_, roles) = http.get("/api/roles").await;
        assert_eq!(ids(&roles), [1, 2, 3]);
        assert_eq!(roles[1]["inheritable"], true);
        assert_eq!(roles[2]["privileges"]["Quantum flux"], json!(["all"]));
        let (_, env_roles) = http.get("/api/environment_roles").await;
        assert_eq!(ids(&env_roles["data"]), [50, 51]);
        assert_eq!(env_roles["data"][0]["members_count"], 1);
        let (_, projects) = http.get("/api/projects").await;
        assert_eq!(
            projects,
            json!([
                {"id": 100, "description": "Invoice and payment recipes", "folder_id": 10, "name": "Billing Pipelines"},
                {"id": 101, "description": null, "folder_id": 11, "name": "HR Pipelines"},
            ])
        );
        let (_, f10) = http.get("/api/folders?parent_id=10").await;
        assert_eq!(ids(&f10), [20]);
        assert_eq!(f10[0]["project_id"], 100);
        let (_, f20) = http.get("/api/folders?parent_id=20").await;
        assert_eq!(ids(&f20), [21]);
        let (_, home) = http.get("/api/folders").await;
        assert_eq!(home, json!([]));
        let (_, groups) = http.get("/api/user_groups").await;
        assert_eq!(groups["total"], 2);
        let (_, gm) = http.get("/api/user_groups/am-Fin4nceEng01/members").await;
        assert_eq!(ids(&gm["data"]), [1000, 1003]);
        let (_, pr) = http.get("/api/project_roles").await;
        assert_eq!(pr["data"][0]["id"], "pr-AQBGCnMB-JoFtKL");
        assert_eq!(pr["data"][1]["id"], 7);
        let (_, grants) = http.get("/api/projects/100/project_grants").await;
        assert_eq!(grants["data"][0]["user"]["id"], 1003);
        assert_eq!(grants["data"][0]["user_group"], Value::Null);
        assert_eq!(grants["data"][0]["project"]["environment"]["type"], "dev");
        let (_, grants) = http.get("/api/projects/101/project_grants").await;
        assert_eq!(grants["data"][0]["user_group"]["id"], "am-Fin4nceEng01");
        assert_eq!(grants["data"][0]["user"], Value::Null);
        let (_, mine) = http.get("/api/members/1003/project_grants").await;
        assert_eq!(mine["data"][0]["id"], "pg-1");
        let (status, me) = http.get("/api/users/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(me["id"].is_u64());
        assert_eq!(fake.project_grants().len(), 2);
    })
}

#[test]
fn privileges_rows_follow_roles() {
    block_on(async {
        let (_fake, http) = start_default().await;
        let (_, dave) = http.get("/api/members/1003/privileges").await;
        assert_eq!(dave["total"], 2);
        assert_eq!(dave["data"][0]["environment_type"], "dev");
        assert_eq!(dave["data"][0]["name"], "Custom Reviewer");
        assert_eq!(dave["data"][0]["folder_ids"], json!([20]));
        assert_eq!(
            dave["data"][0]["privileges"]["Recipes"],
            json!(["read", "read_run_history"])
        );
        assert_eq!(dave["data"][1]["name"], "Custom Auditor");
        let (_, erin) = http.get("/api/members/1004/privileges").await;
        assert_eq!(erin["data"][0]["name"], "Deployer");
        assert_eq!(
            erin["data"][0]["privileges"]["Recipes"],
            json!(["read", "run"])
        );
        // Frank's role no longer exists; Carol has none; Grace's prod is "No access".
        let (_, frank) = http.get("/api/members/1005/privileges").await;
        assert_eq!(frank["data"], json!([]));
        let (_, carol) = http.get("/api/members/1002/privileges").await;
        assert_eq!(carol["data"], json!([]));
        let (_, grace) = http.get("/api/members/1006/privileges").await;
        assert_eq!(grace["total"], 1);
        assert_eq!(grace["data"][0]["name"], "Analyst");
        let (_, alice) = http.get("/api/members/1000/privileges").await;
        assert_eq!(alice["data"][0]["folder_ids"], json!([10, 11, 20, 21, 22]));
    })
}

#[test]
fn put_replaces_role_only_in_named_environment() {
    block_on(async {
        let (fake, http) = start_default().await;
        let (status, body) = http
            .put(
                "/api/members/1003",
                json!({"env_roles": [{"environment_type": "dev", "name": "Operator"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"result": "ok"}));
        let dave = fake.member(1003).expect("dave");
        assert_eq!(
            dave.roles,
            [
                MemberRole::privilege_group("dev", "Operator"),
                MemberRole::privilege_group("test", "Custom Auditor"),
            ]
        );
        let (_, get) = http.get("/api/members/1003").await;
        assert_eq!(get["data"]["roles"][0]["role_name"], "Operator");

        let (status, _) = http
            .put(
                "/api/members/1003",
                json!({"env_roles": [{"environment_type": "test", "name": "NoAccess"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            fake.member(1003).expect("dave").roles,
            [MemberRole::privilege_group("dev", "Operator")]
        );

        let (status, body) = http
            .put(
                "/api/members/1003",
                json!({"env_roles": [{"environment_type": "dev", "name": "Not existing"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, json!({"message": "Role Not existing role not found"}));
        let (status, body) = http
            .put(
                "/api/members/1003",
                json!({"env_roles": [{"environment_type": "staging", "name": "Admin"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"message": "Environment Not existing environment not found"})
        );
        let (status, _) = http
        .put(
            "/api/members/1002",
            json!({"env_roles": [{"environment_type": "prod", "name": "Releaser", "role_type": "environment"}]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            fake.member(1002).expect("carol").roles,
            [MemberRole::environment("prod", "Releaser")]
        );
        let (status, _) = http
            .put("/api/members/4242", json!({"env_roles": []}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
}

#[test]
fn invitation_add_existing_and_delete() {
    block_on(async {
        let (fake, http) = start_default().await;
        let invite = json!({
            "name": "Hana Kim",
            "email": "hana.kim@northwind-fake.example",
            "env_roles": [{"environment_type": "dev", "name": "Deployer", "role_type": "environment"}],
            "user_group_ids": ["am-PeopleOps02"],
        });
        let (status, body) = http.post("/api/member_invitations", invite).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"result": "ok"})));
        assert_eq!(fake.invitations().len(), 1);
        assert_eq!(fake.members().len(), 7);

        let (status, body) = http
            .post(
                "/api/member_invitations",
                json!({"name": "X", "email": "alice.lindqvist@northwind-fake.example",
                   "env_roles": [{"environment_type": "dev", "name": "Admin"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["message"], "Collaborator already exists");
        let (status, body) = http
            .post(
                "/api/member_invitations",
                json!({"name": "X", "email": "x@y.example", "env_roles": []}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "role_name or env_roles is required");
        let (status, body) = http
        .post(
            "/api/member_invitations",
            json!({"name": "X", "email": "nope", "env_roles": [{"environment_type": "dev", "name": "Admin"}]}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "Email is invalid");

        let (status, body) = http
            .post(
                "/api/members",
                json!({"email": "hana.kim@northwind-fake.example"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let id = body["id"].as_u64().expect("id");
        assert_eq!(id, 1007);
        let hana = fake.member(id).expect("hana");
        assert_eq!(hana.roles, [MemberRole::environment("dev", "Deployer")]);
        assert!(fake.invitations().is_empty());
        let (_, gm) = http.get("/api/user_groups/am-PeopleOps02/members").await;
        assert_eq!(ids(&gm["data"]), [1001, 1006, 1007]);
        let (status, _) = http
            .post("/api/members", json!({"email": "who@nowhere.example"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let resp = http.send(Method::DELETE, "/api/members/1003", None).await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let resp = http.send(Method::DELETE, "/api/members/1003", None).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert!(fake.member(1003).is_none());
        assert!(fake
            .project_grants()
            .iter()
            .all(|g| g.user_id != Some(1003)));
    })
}

#[test]
fn project_grants_upsert_get_delete() {
    block_on(async {
        let (fake, http) = start_default().await;
        let (status, body) = http
            .put(
                "/api/projects/100/project_grants",
                json!({"grants": [
                    {"user_id": 1003, "project_role_id": 7},
                    {"user_group_id": "am-PeopleOps02", "project_role_id": "pr-AQBGCnMB-JoFtKL"},
                ]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Dave's existing grant pg-1 changes role; the group grant is new.
        assert_eq!(body["data"][0]["id"], "pg-1");
        assert_eq!(body["data"][0]["project_role"]["name"], "Pipeline Viewer");
        assert_eq!(body["data"][1]["id"], "pg-3");
        assert_eq!(fake.project_grants().len(), 3);
        let (status, one) = http.get("/api/project_grants/pg-3").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one["data"]["user_group"]["name"], "People Ops");
        let (status, updated) = http
            .put("/api/project_grants/pg-3", json!({"project_role_id": 7}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(updated["data"]["project_role"]["id"], 7);
        let resp = http
            .send(Method::DELETE, "/api/project_grants/pg-3", None)
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let (status, _) = http.get("/api/project_grants/pg-3").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = http
            .put(
                "/api/projects/100/project_grants",
                json!({"grants": [{"user_id": 1003, "project_role_id": "pr-missing"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "Project role not found");
    })
}

fn many_roles_seed(n: u64) -> Seed {
    let mut seed = Seed::empty();
    seed.custom_roles = (1..=n)
        .map(|id| LegacyRole {
            id,
            name: format!("Role {id}"),
            inheritable: false,
            folder_ids: vec![],
            privileges: BTreeMap::new(),
            created_at: "2020-01-01T00:00:00.000-07:00".to_owned(),
            updated_at: "2020-01-01T00:00:00.000-07:00".to_owned(),
        })
        .collect();
    seed.environment_roles = (1..=n)
        .map(|id| EnvironmentRole {
            id,
            name: format!("Env Role {id}"),
            role_type: "custom".to_owned(),
            privileges: BTreeMap::new(),
            created_at: "2020-01-01T00:00:00.000-07:00".to_owned(),
            updated_at: "2020-01-01T00:00:00.000-07:00".to_owned(),
        })
        .collect();
    seed
}

#[test]
fn style_b_pages_of_100_100_50() {
    block_on(async {
        let fake = FakeWorkato::start(many_roles_seed(250))
            .await
            .expect("start");
        let http = Http::new(&fake);
        let mut sizes = Vec::new();
        let mut all = Vec::new();
        for page in 1..=4 {
            let (_, body) = http
                .get(&format!("/api/roles?page={page}&per_page=100"))
                .await;
            sizes.push(body.as_array().expect("bare array").len());
            all.extend(ids(&body));
        }
        assert_eq!(sizes, [100, 100, 50, 0]);
        assert_eq!(all, (1..=250).collect::<Vec<_>>());
        // Clamped to 100; page 0 is page 1.
        let (_, big) = http.get("/api/roles?per_page=500").await;
        assert_eq!(big.as_array().expect("array").len(), 100);
        let (_, zero) = http.get("/api/roles?page=0&per_page=2").await;
        assert_eq!(ids(&zero), [1, 2]);
        let (status, _) = http.get("/api/roles?page=abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
}

#[test]
fn style_c_pages_with_envelope_and_name_filter() {
    block_on(async {
        let fake = FakeWorkato::start(many_roles_seed(250))
            .await
            .expect("start");
        let http = Http::new(&fake);
        let mut sizes = Vec::new();
        for page in 1..=3 {
            let (_, body) = http
                .get(&format!(
                    "/api/environment_roles?page%5Bnumber%5D={page}&page%5Bsize%5D=100"
                ))
                .await;
            assert_eq!(body["total"], 250);
            assert_eq!(body["page"], json!({"number": page, "size": 100}));
            sizes.push(body["data"].as_array().expect("data").len());
            if page == 3 {
                assert_eq!(body["data"][0]["id"], 201);
            }
        }
        assert_eq!(sizes, [100, 100, 50]);
        let (_, big) = http.get("/api/environment_roles?page%5Bsize%5D=1000").await;
        assert_eq!(big["page"]["size"], 100);
        let (_, one) = http
            .get("/api/environment_roles?name=Env%20Role%2042")
            .await;
        assert_eq!(ids(&one["data"]), [42]);
        let (status, none) = http.get("/api/environment_roles?name=Env%20Role").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(none["data"], json!([]));
    })
}

#[test]
fn rate_limit_bursts_get_429_with_retry_after() {
    block_on(async {
        let (fake, http) = start_default().await;
        fake.set_rate_limit(60);
        let mut statuses = Vec::new();
        for _ in 0..61 {
            statuses.push(http.send(Method::GET, "/api/members", None).await);
        }
        let ok = statuses
            .iter()
            .filter(|r| r.status() == StatusCode::OK)
            .count();
        assert_eq!(ok, 60);
        let last = statuses.pop().expect("61st");
        assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = last.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&retry));
        assert_eq!(
            last.json::<Value>().await.expect("json"),
            json!({"message": "Too many requests"})
        );
        // Other families have their own bucket.
        let (status, _) = http.get("/api/roles").await;
        assert_eq!(status, StatusCode::OK);
        fake.set_send_retry_after(false);
        let resp = http.send(Method::GET, "/api/members", None).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(resp.headers().get("retry-after").is_none());
        assert_eq!(fake.throttled(), 2);
        fake.set_rate_limit(0);
        let (status, _) = http.get("/api/members").await;
        assert_eq!(status, StatusCode::OK);
    })
}

#[test]
fn status_and_burst_faults_are_consumed_count_wise() {
    block_on(async {
        let (fake, http) = start_default().await;
        fake.inject_on(
            "GET /api/roles",
            Fault::Status {
                status: 503,
                body: r#"{"message":"Service Unavailable"}"#.to_owned(),
                count: 2,
            },
        );
        assert_eq!(http.get("/api/members").await.0, StatusCode::OK);
        assert_eq!(
            http.get("/api/roles").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let (status, body) = http.get("/api/roles").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["message"], "Service Unavailable");
        assert_eq!(http.get("/api/roles").await.0, StatusCode::OK);

        fake.inject(Fault::RateLimitBurst {
            count: 1,
            retry_after: Some(7),
        });
        fake.inject(Fault::RateLimitBurst {
            count: 1,
            retry_after: None,
        });
        let first = http.send(Method::GET, "/api/projects", None).await;
        assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(first.headers()["retry-after"], "7");
        let second = http.send(Method::GET, "/api/projects", None).await;
        assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(second.headers().get("retry-after").is_none());
        assert_eq!(fake.throttled(), 2);

        fake.inject(Fault::Status {
            status: 500,
            body: "{}".to_owned(),
            count: 5,
        });
        fake.clear_faults();
        assert_eq!(http.get("/api/projects").await.0, StatusCode::OK);
    })
}

#[test]
fn body_faults_break_json_or_connection() {
    block_on(async {
        let (fake, http) = start_default().await;
        let (_, good) = http.get("/api/members").await;
        let good_text = good.to_string();

        fake.inject(Fault::MalformedJson { count: 1 });
        let resp = http.send(Method::GET, "/api/members", None).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let text = resp.text().await.expect("text");
        assert!(serde_json::from_str::<Value>(&text).is_err());

        fake.inject(Fault::TruncatedJson { count: 1 });
        let text = http
            .send(Method::GET, "/api/members", None)
            .await
            .text()
            .await
            .expect("text");
        assert!(serde_json::from_str::<Value>(&text).is_err());
        assert!(!text.is_empty() && good_text.starts_with(&text));

        fake.inject(Fault::DropConnection { count: 1 });
        let resp = http
            .client
            .get(format!("{}/api/members", fake.url()))
            .bearer_auth(fake.token())
            .send()
            .await;
        let broken = match resp {
            Err(_) => true,
            Ok(r) => r.text().await.is_err(),
        };
        assert!(broken, "the dropped connection must surface as an error");

        // Latency is consumed like any fault: the next request gets the Status fault behind it.
        fake.inject(Fault::Latency {
            delay: Duration::from_millis(5),
            count: 1,
        });
        fake.inject(Fault::Status {
            status: 502,
            body: "{}".to_owned(),
            count: 1,
        });
        assert_eq!(http.get("/api/members").await.0, StatusCode::OK);
        assert_eq!(http.get("/api/members").await.0, StatusCode::BAD_GATEWAY);
        assert_eq!(http.get("/api/members").await.0, StatusCode::OK);
    })
}

#[test]
fn repeat_page_serves_page_one_again() {
    block_on(async {
        let fake = FakeWorkato::start(many_roles_seed(250))
            .await
            .expect("start");
        let http = Http::new(&fake);
        // Non-paged requests do not consume a RepeatPage fault.
        fake.inject(Fault::RepeatPage { count: 1 });
        assert_eq!(http.get("/api/members").await.0, StatusCode::OK);
        let (_, p2) = http.get("/api/roles?page=2&per_page=100").await;
        assert_eq!(ids(&p2).first(), Some(&1));
        let (_, p2) = http.get("/api/roles?page=2&per_page=100").await;
        assert_eq!(ids(&p2).first(), Some(&101));
        fake.inject(Fault::RepeatPage { count: 1 });
        let (_, c2) = http.get("/api/environment_roles?page%5Bnumber%5D=2").await;
        assert_eq!(c2["page"]["number"], 1);
        assert_eq!(c2["data"][0]["id"], 1);
    })
}

#[test]
fn counters_are_exact() {
    block_on(async {
        let (fake, http) = start_default().await;
        http.get("/api/members").await;
        http.get("/api/members/1000/privileges").await;
        http.get("/api/members/1001/privileges").await;
        http.get("/api/roles").await;
        http.get("/api/folders?parent_id=10").await;
        http.get("/api/projects").await;
        http.get("/api/users/me").await;
        http.put(
            "/api/members/1000",
            json!({"env_roles": [{"environment_type": "test", "name": "Analyst"}]}),
        )
        .await;
        let expected: BTreeMap<String, u64> = [
            ("GET /api/folders", 1),
            ("GET /api/members", 1),
            ("GET /api/members/:id/privileges", 2),
            ("GET /api/projects", 1),
            ("GET /api/roles", 1),
            ("GET /api/users/me", 1),
            ("PUT /api/members/:id", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(fake.requests(), expected);
        let families: BTreeMap<String, u64> = [
            ("folders", 2),
            ("members", 4),
            ("roles", 1),
            ("workspace", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(fake.family_counts(), families);
        assert_eq!(fake.total_requests(), 8);
        fake.reset_counters();
        assert!(fake.requests().is_empty());
        assert_eq!(fake.request_count("GET /api/members"), 0);
    })
}

#[test]
fn rbac_generation_flags() {
    block_on(async {
        let mut seed = Seed::default_workspace();
        seed.legacy_roles_enabled = false;
        seed.environment_roles_enabled = false;
        let fake = FakeWorkato::start(seed).await.expect("start");
        let http = Http::new(&fake);
        assert_eq!(
            http.get("/api/roles").await,
            (StatusCode::NOT_FOUND, json!({"message": "Not found"}))
        );
        assert_eq!(
            http.get("/api/environment_roles").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            http.get("/api/project_roles").await.0,
            StatusCode::UNAUTHORIZED
        );
        let (status, _) = http
            .put(
                "/api/members/1002",
                json!({"env_roles": [{"environment_type": "dev", "name": "Custom Reviewer"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = http
            .put(
                "/api/members/1002",
                json!({"env_roles": [{"environment_type": "dev", "name": "Admin"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        fake.set_legacy_roles_enabled(true);
        fake.set_environment_roles_enabled(true);
        assert_eq!(http.get("/api/roles").await.0, StatusCode::OK);
        assert_eq!(http.get("/api/environment_roles").await.0, StatusCode::OK);
    })
}

/// The fake serves requests that arrive from other threads, each with its own runtime, while
/// the test's runtime keeps serving (std threads stand in for a multi-thread runtime, whose tokio
/// feature this crate does not pull in).
#[test]
fn generated_workspace_served_to_clients_on_other_threads() {
    block_on(async {
        let params = GenParams {
            members: 2_000,
            projects: 10,
            folder_depth: 2,
            folder_fanout: 5,
            ..GenParams::default()
        };
        let seed = Seed::generate(&params);
        assert_eq!(seed.folders.len(), 300);
        assert_eq!(seed, Seed::generate(&params));
        let root = seed.projects[0].folder_id;
        let fake = FakeWorkato::start(seed).await.expect("start");
        let http = Http::new(&fake);
        let (_, members) = http.get("/api/members").await;
        assert_eq!(members["total"], 2_000);
        let (_, children) = http.get(&format!("/api/folders?parent_id={root}")).await;
        assert_eq!(children.as_array().expect("array").len(), 5);
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let url = format!("{}/api/members/{}", fake.url(), 1000 + i);
                let token = fake.token().to_owned();
                std::thread::spawn(move || {
                    // A client per thread: pooled connections belong to the runtime that opened them.
                    block_on(async move {
                        reqwest::Client::new()
                            .get(url)
                            .bearer_auth(token)
                            .send()
                            .await
                            .map(|r| r.status())
                    })
                })
            })
            .collect();
        for thread in threads {
            // Joined off the runtime: blocking here would stop the fake from answering.
            let status = tokio::task::spawn_blocking(move || thread.join())
                .await
                .expect("spawn_blocking")
                .expect("join");
            assert_eq!(status.expect("send"), StatusCode::OK);
        }
        assert_eq!(fake.request_count("GET /api/members/:id"), 8);
        fake.shutdown().await;
    })
}

#[test]
fn seed_json_round_trips_through_the_server() {
    block_on(async {
        let json = Seed::default_workspace().to_json().expect("json");
        let fake = FakeWorkato::start(Seed::from_json(&json).expect("parse"))
            .await
            .expect("start");
        assert_eq!(fake.snapshot(), Seed::default_workspace());
        assert!(fake.set_member_roles(1002, vec![MemberRole::privilege_group("dev", "Admin")]));
        assert!(!fake.set_member_roles(9, vec![]));
        assert_eq!(fake.member(1002).expect("carol").roles.len(), 1);
    })
}

#[test]
fn debug_output_hides_the_token() {
    block_on(async {
        let mut seed = Seed::empty();
        seed.token = "sekrit-token-xyz".to_owned();
        let fake = FakeWorkato::start(seed).await.expect("start");
        let text = format!("{fake:?}");
        assert!(!text.contains("sekrit-token-xyz"));
        assert!(text.contains(&fake.addr().to_string()));
    })
}

#[test]
fn twenty_thousand_members_and_five_thousand_folders_are_served() {
    block_on(async {
        let params = GenParams {
            members: 20_000,
            projects: 50,
            folder_depth: 2,
            folder_fanout: 10,
            ..GenParams::default()
        };
        let fake = FakeWorkato::start(Seed::generate(&params))
            .await
            .expect("start");
        let http = Http::new(&fake);
        let (_, members) = http.get("/api/members").await;
        assert_eq!(members["total"], 20_000);
        let (_, last) = http.get("/api/members/20999").await;
        assert_eq!(last["data"]["id"], 20_999);
        let (_, projects) = http.get("/api/projects?per_page=100").await;
        let root = projects[49]["folder_id"].as_u64().expect("root");
        let (_, level1) = http.get(&format!("/api/folders?parent_id={root}")).await;
        assert_eq!(level1.as_array().expect("array").len(), 10);
        let child = level1[0]["id"].as_u64().expect("child");
        let (_, level2) = http.get(&format!("/api/folders?parent_id={child}")).await;
        assert_eq!(level2.as_array().expect("array").len(), 10);
        assert_eq!(level2[0]["project_id"], projects[49]["id"]);
    })
}

#[test]
fn profiles_refuse_what_the_client_role_lacks() {
    block_on(async {
        use workato_api::fake::{EnvironmentScope, Profile};
        let fake = FakeWorkato::builder(Seed::default_workspace())
            .profile(Profile::SetupGuide)
            .start()
            .await
            .expect("fake");
        let http = Http::new(&fake);
        let (status, body) = http.get("/api/users/me").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, json!({"message": "Forbidden"}));
        assert_eq!(http.get("/api/members").await.0, StatusCode::OK);
        let (status, _) = http
            .put(
                "/api/members/1002",
                json!({"env_roles": [{"environment_type": "dev", "name": "Operator"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            fake.forbidden(),
            BTreeMap::from([("GET /api/users/me".to_owned(), 1)])
        );
        assert_eq!(
            fake.requests_outside(&Profile::SetupGuide),
            BTreeMap::from([("GET /api/users/me".to_owned(), 1)])
        );

        // Read-only at run time: the PUT is refused and changes nothing.
        fake.set_profile(Profile::SetupGuideReadonly);
        let (status, _) = http
            .put(
                "/api/members/1002",
                json!({"env_roles": [{"environment_type": "dev", "name": "Admin"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            fake.member(1002)
                .and_then(|m| m.role_in("dev").map(|r| r.role_name.clone())),
            Some("Operator".to_owned())
        );

        // A bad token is still a 401, before any permission check.
        let stranger = Http {
            token: "wrong".into(),
            ..Http::new(&fake)
        };
        assert_eq!(
            stranger.get("/api/users/me").await.0,
            StatusCode::UNAUTHORIZED
        );

        // Without DEV access the collaborator endpoints are refused; projects are not.
        fake.set_profile(Profile::Full);
        fake.set_environment_scope(EnvironmentScope::Prod);
        assert_eq!(http.get("/api/members").await.0, StatusCode::FORBIDDEN);
        assert_eq!(http.get("/api/users/me").await.0, StatusCode::FORBIDDEN);
        assert_eq!(
            http.get("/api/projects?page=1&per_page=1").await.0,
            StatusCode::OK
        );
    })
}

/// A CA and a `127.0.0.1`/`localhost` server certificate it signed, as PEM.
fn minted() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "fake Workato test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().expect("ca key");
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("leaf params");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_cert = leaf
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .expect("leaf cert");
    (ca_cert.pem(), leaf_cert.pem(), leaf_key.serialize_pem())
}

#[test]
fn serves_https_with_the_given_identity() {
    block_on(async {
        use workato_api::fake::TlsIdentity;
        let (ca, cert, key) = minted();
        let fake = FakeWorkato::builder(Seed::default_workspace())
            .tls(TlsIdentity::from_pem(&cert, &key).expect("identity"))
            .start()
            .await
            .expect("fake");
        assert!(
            fake.url().starts_with("https://127.0.0.1:"),
            "{}",
            fake.url()
        );

        let trusting = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).expect("ca"))
            .build()
            .expect("client");
        let http = Http {
            client: trusting,
            ..Http::new(&fake)
        };
        let (status, projects) = http.get("/api/projects").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ids(&projects), [100, 101]);

        // Nobody else trusts that CA.
        let err = reqwest::Client::new()
            .get(format!("{}/api/projects", fake.url()))
            .send()
            .await
            .expect_err("untrusted certificate");
        assert!(err.is_connect(), "{err:?}");
        assert!(
            TlsIdentity::from_pem("not a certificate", &key).is_err(),
            "garbage PEM is refused"
        );
    })
}
