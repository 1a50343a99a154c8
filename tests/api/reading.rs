//! Reading: lists, filters, search, keyset pages, tags, scheduling and HTTP caching.

use std::collections::HashSet;
use std::time::Duration;

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}

fn in_seconds(s: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(s))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn wait_until_published(app: &TestApp, path: &str, seconds: u64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let doc = app
            .get(path, Some(&app.admin_token))
            .await
            .expect(200)
            .json();
        if doc["status"] == "published" || std::time::Instant::now() > deadline {
            return doc;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

both_backends!(cursor_pages_visit_every_article_exactly_once);
async fn cursor_pages_visit_every_article_exactly_once(app: TestApp) {
    for i in 0..25 {
        app.create_published(json!({"title": format!("Story {i:02}")}))
            .await;
    }
    app.create_article(json!({"title": "Unpublished draft"}))
        .await;
    let mut seen = vec![];
    let mut path = "/api/v1/articles?limit=10".to_owned();
    let mut pages = 0;
    loop {
        let r = app.get(&path, None).await.expect(200);
        let page = r.json();
        pages += 1;
        seen.extend(ids(&page));
        assert_eq!(page["meta"]["limit"], 10);
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                let link = r.header("link").expect("Link header with a next page");
                assert!(
                    link.ends_with("rel=\"next\"") && link.contains("limit=10"),
                    "{link}"
                );
                path = format!("/api/v1/articles?limit=10&cursor={cursor}");
            }
            None => {
                assert!(r.header("link").is_none());
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        25,
        "no article twice"
    );
    let first = app.get("/api/v1/articles?limit=1", None).await.json();
    assert_eq!(first["data"][0]["title"], "Story 24", "newest first");
    assert!(
        first["data"][0].get("body").is_none() && first["data"][0].get("quotes").is_none(),
        "summaries only"
    );
}

both_backends!(malformed_parameters_and_tampered_cursors_are_400);
async fn malformed_parameters_and_tampered_cursors_are_400(app: TestApp) {
    for i in 0..3 {
        app.create_published(json!({"title": format!("P{i}")}))
            .await;
    }
    let page = app
        .get("/api/v1/articles?limit=1", None)
        .await
        .expect(200)
        .json();
    let cursor = page["meta"]["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    for bad in [
        "limit=0".to_owned(),
        "limit=101".into(),
        "limit=ten".into(),
        "sort=random".into(),
        "published_after=yesterday".into(),
        "status=lost".into(),
        "include=everything".into(),
        "fields=id,bogus".into(),
        format!("limit=1&cursor={tampered}"),
        "cursor=garbage".into(),
        format!("limit=1&sort=title&cursor={cursor}"),
        format!("limit=1&tag=x&cursor={cursor}"),
        "q=a%00b".into(),
        "sort=relevance".into(),
    ] {
        app.get(&format!("/api/v1/articles?{bad}"), None)
            .await
            .expect(400);
    }
    app.get(&format!("/api/v1/articles?limit=1&cursor={cursor}"), None)
        .await
        .expect(200);
}

both_backends!(anonymous_lists_search_and_tags_never_show_drafts);
async fn anonymous_lists_search_and_tags_never_show_drafts(app: TestApp) {
    app.create_published(json!({"title": "Public harbour story", "tags": ["harbour"]}))
        .await;
    app.create_article(
        json!({"title": "Secret harbour draft", "tags": ["harbour", "secret"], "body": "zeppelin"}),
    )
    .await;
    let anon = app.get("/api/v1/articles", None).await.expect(200).json();
    assert_eq!(anon["data"].as_array().expect("data").len(), 1);
    let staff = app
        .get("/api/v1/articles", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(staff["data"].as_array().expect("data").len(), 2);
    assert_eq!(
        app.get("/api/v1/articles?q=zeppelin", None)
            .await
            .expect(200)
            .json()["data"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/articles?q=zeppelin", Some(&app.admin_token))
            .await
            .expect(200)
            .json()["data"]
            .as_array()
            .expect("d")
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/articles?status=draft", None)
            .await
            .expect(200)
            .json()["data"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/articles?status=draft", Some(&app.admin_token))
            .await
            .expect(200)
            .json()["data"][0]["title"],
        "Secret harbour draft"
    );
    let tags = app.get("/api/v1/tags", None).await.expect(200).json();
    assert_eq!(tags["data"], json!([{"tag": "harbour", "count": 1}]));
    use byline::users::domain::Role;
    let (_, author) = app.user_token(Role::Author).await;
    app.post(
        "/api/v1/articles",
        Some(&author),
        json!({"title": "Author draft"}),
    )
    .await
    .expect(201);
    let mine = app
        .get("/api/v1/articles", Some(&author))
        .await
        .expect(200)
        .json();
    let titles: Vec<&str> = mine["data"]
        .as_array()
        .expect("d")
        .iter()
        .map(|a| a["title"].as_str().expect("t"))
        .collect();
    assert_eq!(
        titles.len(),
        2,
        "an author sees published articles and their own drafts: {titles:?}"
    );
    assert!(titles.contains(&"Author draft") && !titles.contains(&"Secret harbour draft"));
}

both_backends!(filters_and_sorts_select_and_order_articles);
async fn filters_and_sorts_select_and_order_articles(app: TestApp) {
    let a = app
        .create_published(json!({"title": "Banana", "tags": ["fruit"]}))
        .await;
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    let b = app
        .create_published(json!({"title": "apple", "tags": ["fruit", "red"]}))
        .await;
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    let c = app
        .create_published(json!({"title": "Cherry", "tags": ["red"]}))
        .await;
    let titles = |page: Value| -> Vec<String> {
        page["data"]
            .as_array()
            .expect("d")
            .iter()
            .map(|x| x["title"].as_str().expect("t").to_owned())
            .collect()
    };
    assert_eq!(
        titles(app.get("/api/v1/articles?tag=fruit", None).await.json()),
        ["apple", "Banana"]
    );
    assert_eq!(
        titles(
            app.get("/api/v1/articles?sort=published_at", None)
                .await
                .json()
        ),
        ["Banana", "apple", "Cherry"]
    );
    assert_eq!(
        titles(app.get("/api/v1/articles?sort=title", None).await.json()),
        ["Banana", "Cherry", "apple"],
        "code point order on both backends"
    );
    app.patch(
        &format!("/api/v1/articles/{}", a["id"].as_str().expect("id")),
        Some(&app.admin_token),
        json!({"kicker": "touched"}),
    )
    .await
    .expect(200);
    assert_eq!(
        titles(
            app.get("/api/v1/articles?sort=-updated_at&limit=1", None)
                .await
                .json()
        ),
        ["Banana"]
    );
    let after = b["published_at"].as_str().expect("published_at");
    let r = app
        .get(&format!("/api/v1/articles?published_after={after}"), None)
        .await
        .json();
    assert_eq!(titles(r), ["Cherry", "apple"]);
    let before = c["published_at"].as_str().expect("published_at");
    let r = app
        .get(
            &format!("/api/v1/articles?published_before={before}&tag=red"),
            None,
        )
        .await
        .json();
    assert_eq!(titles(r), ["apple"]);
    let page = app
        .get("/api/v1/articles?sort=title&limit=2", None)
        .await
        .json();
    let next = page["meta"]["next_cursor"].as_str().expect("cursor");
    assert_eq!(
        titles(
            app.get(
                &format!("/api/v1/articles?sort=title&limit=2&cursor={next}"),
                None
            )
            .await
            .json()
        ),
        ["apple"]
    );
}

both_backends!(include_children_and_fields_shape_the_items);
async fn include_children_and_fields_shape_the_items(app: TestApp) {
    let doc = app
        .create_published(crate::helpers::full_article("Full"))
        .await;
    let full = app
        .get("/api/v1/articles?include=children", None)
        .await
        .expect(200)
        .json();
    let single = app
        .get(
            &format!("/api/v1/articles/{}", doc["id"].as_str().expect("id")),
            None,
        )
        .await
        .json();
    assert_eq!(full["data"][0], single);
    let slim = app
        .get("/api/v1/articles?fields=id,slug", None)
        .await
        .expect(200)
        .json();
    assert_eq!(slim["data"][0], json!({"id": doc["id"], "slug": "full"}));
}

both_backends!(search_ranks_matches_and_takes_any_input);
async fn search_ranks_matches_and_takes_any_input(app: TestApp) {
    app.create_published(json!({"title": "Ferry budget", "body": "The council met."}))
        .await;
    app.create_published(
        json!({"title": "Council meeting", "body": "Talk about a ferry and the ferry fares."}),
    )
    .await;
    app.create_published(
        json!({"title": "Quoted", "quotes": [{"text": "Zeppelins are back", "speaker": "Ada"}]}),
    )
    .await;
    app.create_published(json!({"title": "Unrelated", "body": "Nothing here."}))
        .await;
    let hits = app
        .get("/api/v1/articles?q=ferry", None)
        .await
        .expect(200)
        .json();
    let titles: Vec<&str> = hits["data"]
        .as_array()
        .expect("d")
        .iter()
        .map(|a| a["title"].as_str().expect("t"))
        .collect();
    assert_eq!(titles.len(), 2);
    assert_eq!(titles[0], "Ferry budget", "a title match ranks first");
    assert_eq!(
        app.get("/api/v1/articles?q=zeppelins", None).await.json()["data"][0]["title"],
        "Quoted"
    );
    let page = app
        .get("/api/v1/articles?q=ferry&limit=1", None)
        .await
        .expect(200)
        .json();
    let next = page["meta"]["next_cursor"].as_str().expect("cursor");
    let second = app
        .get(
            &format!("/api/v1/articles?q=ferry&limit=1&cursor={next}"),
            None,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(second["data"][0]["title"], "Council meeting");
    assert_eq!(
        app.get("/api/v1/articles?q=ferry&sort=title", None)
            .await
            .expect(200)
            .json()["data"][0]["title"],
        "Council meeting"
    );
    for hostile in [
        "%22",
        "(",
        ")",
        "%22ferry",
        "ferry%20OR",
        "NEAR(ferry",
        "*",
        "ferry*",
        "'%3B%20DROP%20TABLE%20articles%3B--",
        "%F0%9F%9A%A2",
        "a%20AND%20NOT%20b",
        "-ferry",
        "ferry:",
        "^",
        "%5C",
        "%25",
        "_",
    ] {
        app.get(&format!("/api/v1/articles?q={hostile}"), None)
            .await
            .expect(200);
    }
    let long = "x".repeat(501);
    app.get(&format!("/api/v1/articles?q={long}"), None)
        .await
        .expect(400);
    let after_edit = app.create_published(json!({"title": "Later"})).await;
    app.patch(
        &format!(
            "/api/v1/articles/{}",
            after_edit["id"].as_str().expect("id")
        ),
        Some(&app.admin_token),
        json!({"body": "now about zeppelins"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get("/api/v1/articles?q=zeppelins", None).await.json()["data"]
            .as_array()
            .expect("d")
            .len(),
        2,
        "edits are searchable at once"
    );
}

both_backends!(list_etags_give_304_and_change_with_content);
async fn list_etags_give_304_and_change_with_content(app: TestApp) {
    app.create_published(json!({"title": "One"})).await;
    let r = app.get("/api/v1/articles", None).await.expect(200);
    let etag = r.header("etag").expect("etag");
    assert!(etag.starts_with("W/"));
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("public, max-age=60, stale-while-revalidate=300")
    );
    let again = app
        .send(
            Method::GET,
            "/api/v1/articles",
            None,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);
    app.create_published(json!({"title": "Two"})).await;
    let changed = app
        .send(
            Method::GET,
            "/api/v1/articles",
            None,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(changed.status, 200);
    let doc = app.create_published(json!({"title": "Three"})).await;
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    let lm = app
        .get(&path, None)
        .await
        .header("last-modified")
        .expect("last-modified");
    assert_eq!(
        app.send(
            Method::GET,
            &path,
            None,
            &[("If-Modified-Since", &lm)],
            None
        )
        .await
        .status,
        304
    );
    assert_eq!(
        app.send(
            Method::GET,
            &path,
            None,
            &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
            None
        )
        .await
        .status,
        200
    );
}

both_backends!(scheduling_follows_the_role_rules_and_publishes_by_itself);
async fn scheduling_follows_the_role_rules_and_publishes_by_itself(app: TestApp) {
    use byline::users::domain::Role;
    let doc = app.create_article(json!({"title": "Timed"})).await;
    let id = doc["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/articles/{id}");
    let (_, author) = app.user_token(Role::Author).await;
    app.post(
        &format!("{path}/schedule"),
        Some(&app.admin_token),
        json!({"publish_at": in_seconds(-5)}),
    )
    .await
    .expect(422);
    app.post(
        &format!("{path}/schedule"),
        Some(&app.admin_token),
        json!({}),
    )
    .await
    .expect(422);
    app.post(
        &format!("{path}/schedule"),
        Some(&author),
        json!({"publish_at": in_seconds(60)}),
    )
    .await
    .expect(404);
    let at = in_seconds(2);
    let scheduled = app
        .post(
            &format!("{path}/schedule"),
            Some(&app.admin_token),
            json!({"publish_at": at}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(scheduled["version"], 2);
    app.get(&path, None).await.expect(404);
    let published = wait_until_published(&app, &path, 8).await;
    assert_eq!(
        published["status"], "published",
        "published by itself within 5 s of publish_at"
    );
    assert_eq!(
        published["version"], 3,
        "the scheduler's publication is one version"
    );
    assert_eq!(published["publish_at"], Value::Null);
    let when = chrono::DateTime::parse_from_rfc3339(
        published["published_at"].as_str().expect("published_at"),
    )
    .expect("time");
    let planned = chrono::DateTime::parse_from_rfc3339(&at).expect("time");
    assert_eq!(when, planned, "published_at is the scheduled time");
    app.get(&path, None).await.expect(200);
    app.post(
        &format!("{path}/schedule"),
        Some(&app.admin_token),
        json!({"publish_at": in_seconds(60)}),
    )
    .await
    .expect(409);
}

both_backends!(two_servers_on_one_database_publish_a_due_article_once);
async fn two_servers_on_one_database_publish_a_due_article_once(app: TestApp) {
    let second = app.spawn_second_server().await;
    assert_ne!(second, app.base);
    let mut paths = vec![];
    for i in 0..5 {
        let doc = app
            .create_article(json!({"title": format!("Race {i}")}))
            .await;
        let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
        app.post(
            &format!("{path}/schedule"),
            Some(&app.admin_token),
            json!({"publish_at": in_seconds(1)}),
        )
        .await
        .expect(200);
        paths.push(path);
    }
    for path in paths {
        let doc = wait_until_published(&app, &path, 8).await;
        assert_eq!(doc["status"], "published");
        assert_eq!(doc["version"], 3, "exactly one publication for {path}");
    }
}

both_backends!(authors_cannot_move_their_own_drafts_through_the_workflow);
async fn authors_cannot_move_their_own_drafts_through_the_workflow(app: TestApp) {
    use byline::users::domain::Role;
    let (_, author) = app.user_token(Role::Author).await;
    let (_, editor) = app.user_token(Role::Editor).await;
    let mine = app
        .post(
            "/api/v1/articles",
            Some(&author),
            json!({"title": "Own draft"}),
        )
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/articles/{}", mine["id"].as_str().expect("id"));
    for action in ["publish", "unpublish", "archive"] {
        app.post(&format!("{path}/{action}"), Some(&author), json!({}))
            .await
            .expect(403);
    }
    app.post(
        &format!("{path}/schedule"),
        Some(&author),
        json!({"publish_at": in_seconds(60)}),
    )
    .await
    .expect(403);
    app.post(
        &format!("{path}/schedule"),
        Some(&editor),
        json!({"publish_at": in_seconds(60)}),
    )
    .await
    .expect(200);
    app.post(&format!("{path}/archive"), Some(&editor), json!({}))
        .await
        .expect(200);
    assert_eq!(
        app.get(&path, Some(&author)).await.expect(200).json()["version"],
        3
    );
    app.post(&format!("{path}/publish"), None, json!({}))
        .await
        .expect(401);
}

both_backends!(an_invalid_token_on_any_read_is_401);
async fn an_invalid_token_on_any_read_is_401(app: TestApp) {
    for path in [
        "/api/v1/tags",
        "/api/v1/articles",
        "/api/v1/articles/anything",
    ] {
        app.get(path, Some("not-a-token")).await.expect(401);
    }
}
