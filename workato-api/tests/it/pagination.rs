//! Both pagination styles against a server: exact page requests, termination, repeat guard.

use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use workato_api::{Error, Family, ProjectId};

use crate::support::*;

fn projects(range: std::ops::Range<i64>) -> Value {
    Value::Array(
        range
            .map(|i| json!({"id": i, "name": format!("P{i}"), "folder_id": 1000 + i}))
            .collect(),
    )
}

fn roles(range: std::ops::Range<i64>) -> Vec<Value> {
    range
        .map(|i| json!({"id": format!("pr-{i}"), "name": format!("R{i}")}))
        .collect()
}

#[test]
fn page_per_page_style_250_items_in_3_pages() {
    block_on(async {
        let mut s = server().await;
        let mut pages = Vec::new();
        for (n, range) in [(1, 0..100), (2, 100..200), (3, 200..250)] {
            pages.push(
                reply(
                    no_body(
                        &mut s,
                        "GET",
                        &format!("/api/projects?page={n}&per_page=100"),
                    ),
                    projects(range),
                )
                .expect(1)
                .create_async()
                .await,
            );
        }
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let stream = client.projects().list().into_stream();
        // Lazy: building the stream sends nothing.
        assert_eq!(client.stats().total_requests(), 0);
        let all: Vec<_> = stream.try_collect().await.expect("listing");
        assert_eq!(all.len(), 250);
        assert_eq!((all[0].id, all[249].id), (ProjectId(0), ProjectId(249)));
        assert_eq!(client.stats().requests_for(Family::Folders), 3);
        for page in pages {
            page.assert_async().await;
        }
        guard.verify().await;
    })
}

#[test]
fn jsonapi_style_250_items_in_3_pages() {
    block_on(async {
        let mut s = server().await;
        let mut pages = Vec::new();
        for (n, range) in [(1, 0..100), (2, 100..200), (3, 200..250)] {
            let path = format!("/api/project_roles?page%5Bnumber%5D={n}&page%5Bsize%5D=100");
            pages.push(
                reply(
                    no_body(&mut s, "GET", &path),
                    jsonapi_page(&roles(range), n, 250),
                )
                .expect(1)
                .create_async()
                .await,
            );
        }
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let all: Vec<_> = client
            .project_roles()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("listing");
        assert_eq!(all.len(), 250);
        assert_eq!(all[249].id.to_string(), "pr-249");
        assert_eq!(client.stats().requests_for(Family::ProjectRoles), 3);
        for page in pages {
            page.assert_async().await;
        }
        guard.verify().await;
    })
}

#[test]
fn full_page_then_empty_page_ends() {
    block_on(async {
        let mut s = server().await;
        let first = once(reply(
            no_body(&mut s, "GET", "/api/roles?page=1&per_page=100"),
            {
                Value::Array(
                    (0..100)
                        .map(|i| json!({"id": i, "name": format!("R{i}")}))
                        .collect(),
                )
            },
        ))
        .await;
        let empty = once(reply(
            no_body(&mut s, "GET", "/api/roles?page=2&per_page=100"),
            "[]",
        ))
        .await;
        let guard = catch_all(&mut s).await;

        let all: Vec<_> = client(&s)
            .roles()
            .list()
            .into_stream()
            .try_collect()
            .await
            .expect("listing");
        assert_eq!(all.len(), 100);
        first.assert_async().await;
        empty.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn repeated_page_stops_with_error_page_per_page() {
    block_on(async {
        let mut s = server().await;
        // A broken server ignoring `page`: always the same full page.
        let same = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=1&per_page=100"),
            projects(0..100),
        ))
        .await;
        let again = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=2&per_page=100"),
            projects(0..100),
        ))
        .await;
        let guard = catch_all(&mut s).await;

        let mut stream = client(&s).projects().list().into_stream();
        let mut items = 0;
        let mut error = None;
        while let Some(next) = stream.next().await {
            match next {
                Ok(_) => items += 1,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        assert_eq!(
            items, 100,
            "the first page is delivered before the repeat is seen"
        );
        assert!(
            matches!(error, Some(Error::RepeatedPage { ref path, page: 2, previous: 1 }) if path == "/api/projects"),
            "{error:?}"
        );
        same.assert_async().await;
        again.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn repeated_page_stops_with_error_jsonapi() {
    block_on(async {
        let mut s = server().await;
        let body = jsonapi_page(&roles(0..100), 1, 500);
        let one = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/project_roles?page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            body.clone(),
        ))
        .await;
        let two = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/project_roles?page%5Bnumber%5D=2&page%5Bsize%5D=100",
            ),
            body,
        ))
        .await;
        let guard = catch_all(&mut s).await;

        let err = client(&s)
            .project_roles()
            .list()
            .into_stream()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("repeat");
        assert!(
            matches!(err, Error::RepeatedPage { page: 2, .. }),
            "{err:?}"
        );
        one.assert_async().await;
        two.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn an_error_page_ends_the_stream() {
    block_on(async {
        let mut s = server().await;
        let first = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=1&per_page=100"),
            projects(0..100),
        ))
        .await;
        let second = once(reply_status(
            no_body(&mut s, "GET", "/api/projects?page=2&per_page=100"),
            403,
            r#"{"message":"Forbidden"}"#,
        ))
        .await;
        let guard = catch_all(&mut s).await;

        let results: Vec<_> = client(&s).projects().list().into_stream().collect().await;
        assert_eq!(
            results.len(),
            101,
            "100 items, then the error, then the end"
        );
        assert_eq!(
            results[100]
                .as_ref()
                .err()
                .and_then(Error::status)
                .map(|s| s.as_u16()),
            Some(403)
        );
        first.assert_async().await;
        second.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn send_fetches_exactly_the_selected_page() {
    block_on(async {
        let mut s = server().await;
        let second = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=2&per_page=100"),
            projects(100..200),
        ))
        .await;
        let third = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=3&per_page=100"),
            projects(200..250),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let page = client
            .projects()
            .list()
            .page(2)
            .send()
            .await
            .expect("page 2");
        assert_eq!(
            (page.number, page.next, page.items.len()),
            (2, Some(3), 100)
        );
        assert_eq!(page.items[0].id, ProjectId(100));
        let last = client
            .projects()
            .list()
            .page(3)
            .send()
            .await
            .expect("page 3");
        assert_eq!((last.number, last.next, last.items.len()), (3, None, 50));
        assert_eq!(client.stats().requests_for(Family::Folders), 2);
        second.assert_async().await;
        third.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn into_stream_starts_at_the_selected_page() {
    block_on(async {
        let mut s = server().await;
        let mut pages = Vec::new();
        for (n, range) in [(2, 100..200), (3, 200..210)] {
            let items = roles(range);
            pages.push(
                once(reply(
                    no_body(
                        &mut s,
                        "GET",
                        &format!("/api/project_roles?page%5Bnumber%5D={n}&page%5Bsize%5D=100"),
                    ),
                    jsonapi_page(&items, n, 210),
                ))
                .await,
            );
        }
        let guard = catch_all(&mut s).await;

        let rest: Vec<_> = client(&s)
            .project_roles()
            .list()
            .page(2)
            .into_stream()
            .try_collect()
            .await
            .expect("pages 2 and 3");
        assert_eq!(rest.len(), 110);
        assert_eq!(rest[0].id.to_string(), "pr-100");
        for page in pages {
            page.assert_async().await;
        }
        guard.verify().await;
    })
}

#[test]
fn filtered_builders_send_one_page_with_their_query() {
    block_on(async {
        let mut s = server().await;
        let folders = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/folders?parent_id=7&page=1&per_page=100",
            ),
            json!([{"id": 8, "name": "F", "parent_id": 7}]),
        ))
        .await;
        let groups = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/user_groups?name=Eng&page%5Bnumber%5D=4&page%5Bsize%5D=100",
            ),
            jsonapi_page(&[], 4, 300),
        ))
        .await;
        let env_roles = once(reply(
            no_body(
                &mut s,
                "GET",
                "/api/environment_roles?name=Ops&page%5Bnumber%5D=1&page%5Bsize%5D=100",
            ),
            jsonapi_page(&[json!({"id": 3, "name": "Ops"})], 1, 1),
        ))
        .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let page = client
            .folders()
            .list()
            .parent_id(7)
            .send()
            .await
            .expect("folders");
        assert_eq!((page.number, page.next, page.items.len()), (1, None, 1));
        let page = client
            .user_groups()
            .list()
            .name("Eng")
            .page(4)
            .send()
            .await
            .expect("groups");
        assert_eq!((page.number, page.next, page.items.len()), (4, None, 0));
        let page = client
            .environment_roles()
            .list()
            .name("Ops")
            .send()
            .await
            .expect("environment roles");
        assert_eq!(page.items[0].name, "Ops");
        folders.assert_async().await;
        groups.assert_async().await;
        env_roles.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn members_stream_is_the_one_unpaged_listing() {
    block_on(async {
        let mut s = server().await;
        let members = once(reply(
        no_body(&mut s, "GET", "/api/members"),
        json!({"data": [{"id": 1, "name": "A", "email": "a@x"}, {"id": 2, "name": "B", "email": "b@x"}], "total": 2}),
    ))
    .await;
        let guard = catch_all(&mut s).await;
        let client = client(&s);

        let stream = client.members().list().into_stream();
        assert_eq!(client.stats().total_requests(), 0, "lazy");
        let all: Vec<_> = stream.try_collect().await.expect("members");
        assert_eq!(all.len(), 2);
        assert_eq!(client.stats().requests_for(Family::Members), 1);
        members.assert_async().await;
        guard.verify().await;
    })
}

#[test]
fn per_page_sets_the_page_size_and_the_end_of_the_listing() {
    block_on(async {
        let mut s = server().await;
        let full = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=1&per_page=2"),
            projects(0..2),
        ))
        .await;
        let short = once(reply(
            no_body(&mut s, "GET", "/api/projects?page=2&per_page=2"),
            projects(2..3),
        ))
        .await;
        let guard = catch_all(&mut s).await;

        let all: Vec<_> = client(&s)
            .projects()
            .list()
            .per_page(2)
            .into_stream()
            .try_collect()
            .await
            .expect("two pages of two");
        assert_eq!(all.len(), 3);
        full.assert_async().await;
        short.assert_async().await;
        guard.verify().await;
    })
}
