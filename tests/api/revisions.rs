//! Revisions: one per change, with the right action, actor and changed fields; the document as
//! it was; restore; and what a failed write leaves (nothing).

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{full_article, Resp, TestApp};

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_owned()
}

async fn revisions(app: &TestApp, id: &str) -> Vec<Value> {
    let page = app
        .get(
            &format!("/api/v1/articles/{id}/revisions?limit=100"),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    page["data"].as_array().expect("data").clone()
}

async fn newest(app: &TestApp, id: &str) -> Value {
    revisions(app, id)
        .await
        .into_iter()
        .next()
        .expect("a revision")
}

async fn admin_name(app: &TestApp) -> String {
    let me = app
        .get("/api/v1/auth/me", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    me["name"].as_str().expect("name").to_owned()
}

fn in_seconds(s: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(s))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn send_with_if_match(
    app: &TestApp,
    method: Method,
    path: &str,
    etag: &str,
    body: Option<Value>,
) -> Resp {
    app.send(
        method,
        path,
        Some(&app.admin_token),
        &[("If-Match", etag)],
        body,
    )
    .await
}

/// The fields a restore brings back: title, slug, every text field, tags, children, related.
const RESTORED: [&str; 17] = [
    "slug",
    "title",
    "dek",
    "seo_title",
    "seo_description",
    "summary",
    "body",
    "analysis",
    "kicker",
    "source",
    "language",
    "tags",
    "key_takeaways",
    "quotes",
    "highlights",
    "risk_notes",
    "related",
];

/// `doc` with every field of [`RESTORED`] given another value, as a PUT body.
fn rewritten(doc: &Value) -> Value {
    let mut body = doc.clone();
    for field in [
        "title",
        "dek",
        "seo_title",
        "seo_description",
        "summary",
        "body",
        "analysis",
        "kicker",
        "source",
    ] {
        body[field] = json!(format!("Rewritten {field}"));
    }
    body["slug"] = json!("rewritten");
    body["language"] = json!("fr");
    body["tags"] = json!(["rewritten"]);
    for list in [
        "key_takeaways",
        "quotes",
        "highlights",
        "risk_notes",
        "related",
    ] {
        body[list] = json!([]);
    }
    body
}

both_backends!(creating_an_article_records_revision_1_by_its_author);
async fn creating_an_article_records_revision_1_by_its_author(app: TestApp) {
    let doc = app
        .create_article(json!({"title": "First", "tags": ["a"]}))
        .await;
    let list = revisions(&app, &id_of(&doc)).await;
    assert_eq!(list.len(), 1);
    let r = &list[0];
    assert_eq!(r["version"], 1);
    assert_eq!(r["action"], "create");
    assert_eq!(r["actor"]["name"], admin_name(&app).await.as_str());
    let changed: Vec<&str> = r["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        changed.contains(&"title") && changed.contains(&"tags"),
        "{changed:?}"
    );
}

both_backends!(a_patch_records_one_update_naming_only_the_changed_fields);
async fn a_patch_records_one_update_naming_only_the_changed_fields(app: TestApp) {
    let doc = app
        .create_article(json!({"title": "First", "dek": "d"}))
        .await;
    let id = id_of(&doc);
    app.patch(
        &format!("/api/v1/articles/{id}"),
        Some(&app.admin_token),
        json!({"dek": "e", "tags": ["t"]}),
    )
    .await
    .expect(200);
    let list = revisions(&app, &id).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], 2);
    assert_eq!(list[0]["action"], "update");
    assert_eq!(list[0]["changed"], json!(["dek", "tags"]));
}

both_backends!(a_put_records_one_update_naming_the_fields_it_changed);
async fn a_put_records_one_update_naming_the_fields_it_changed(app: TestApp) {
    let doc = app.create_article(full_article("Replaced whole")).await;
    let id = id_of(&doc);
    let mut body = doc.clone();
    body["title"] = json!("Replaced whole, again");
    body["highlights"] = json!([]);
    app.put(
        &format!("/api/v1/articles/{id}"),
        Some(&app.admin_token),
        body,
    )
    .await
    .expect(200);
    let list = revisions(&app, &id).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["action"], "update");
    assert_eq!(list[0]["changed"], json!(["title", "highlights"]));
}

both_backends!(every_child_write_records_an_update_naming_its_list);
async fn every_child_write_records_an_update_naming_its_list(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Parent"})).await);
    let t = Some(app.admin_token.as_str());
    let base = format!("/api/v1/articles/{id}/quotes");
    let q = app
        .post(&base, t, json!({"text": "Said", "speaker": "S"}))
        .await
        .expect(201)
        .json();
    let qid = q["id"].as_str().expect("id");
    app.patch(&format!("{base}/{qid}"), t, json!({"text": "Said again"}))
        .await
        .expect(200);
    app.put(
        &base,
        t,
        json!([{"id": qid, "text": "Said again", "speaker": "S"}, {"text": "New", "speaker": "T"}]),
    )
    .await
    .expect(200);
    app.delete(&format!("{base}/{qid}"), t).await.expect(204);
    let list = revisions(&app, &id).await;
    let versions: Vec<i64> = list
        .iter()
        .map(|r| r["version"].as_i64().expect("version"))
        .collect();
    assert_eq!(versions, [5, 4, 3, 2, 1]);
    for r in &list[..4] {
        assert_eq!(r["action"], "update");
        assert_eq!(r["changed"], json!(["quotes"]));
    }
}

both_backends!(workflow_actions_record_their_own_action);
async fn workflow_actions_record_their_own_action(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Flow"})).await);
    let t = Some(app.admin_token.as_str());
    let path = format!("/api/v1/articles/{id}");
    app.post(&format!("{path}/publish"), t, json!({}))
        .await
        .expect(200);
    app.post(&format!("{path}/unpublish"), t, json!({}))
        .await
        .expect(200);
    app.post(
        &format!("{path}/schedule"),
        t,
        json!({"publish_at": in_seconds(3600)}),
    )
    .await
    .expect(200);
    app.post(&format!("{path}/unpublish"), t, json!({}))
        .await
        .expect(200);
    app.post(&format!("{path}/archive"), t, json!({}))
        .await
        .expect(200);
    let actions: Vec<String> = revisions(&app, &id)
        .await
        .iter()
        .map(|r| r["action"].as_str().expect("action").to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "archive",
            "unpublish",
            "schedule",
            "unpublish",
            "publish",
            "create"
        ]
    );
}

both_backends!(a_scheduled_publication_is_a_publish_revision_without_actor);
async fn a_scheduled_publication_is_a_publish_revision_without_actor(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Timed"})).await);
    let path = format!("/api/v1/articles/{id}");
    app.post(
        &format!("{path}/schedule"),
        Some(&app.admin_token),
        json!({"publish_at": in_seconds(1)}),
    )
    .await
    .expect(200);
    let mut published = false;
    for _ in 0..40 {
        if app.get(&path, None).await.status == 200 {
            published = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(published, "the scheduler published the article");
    let r = newest(&app, &id).await;
    assert_eq!(r["version"], 3);
    assert_eq!(r["action"], "publish");
    assert_eq!(r["actor"], Value::Null);
    let changed: Vec<&str> = r["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        changed.contains(&"status") && changed.contains(&"published_at"),
        "{changed:?}"
    );
}

both_backends!(a_revision_holds_the_document_get_answered_at_that_version);
async fn a_revision_holds_the_document_get_answered_at_that_version(app: TestApp) {
    let doc = app.create_article(full_article("Kept as it was")).await;
    let id = id_of(&doc);
    let at_1 = app
        .get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    app.patch(
        &format!("/api/v1/articles/{id}"),
        Some(&app.admin_token),
        json!({"title": "Changed later"}),
    )
    .await
    .expect(200);
    let r = app
        .get(
            &format!("/api/v1/articles/{id}/revisions/1"),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(r["version"], 1);
    assert_eq!(r["document"], at_1);
}

both_backends!(a_change_that_changes_nothing_records_no_revision);
async fn a_change_that_changes_nothing_records_no_revision(app: TestApp) {
    let doc = app.create_article(json!({"title": "Same"})).await;
    let id = id_of(&doc);
    app.patch(
        &format!("/api/v1/articles/{id}"),
        Some(&app.admin_token),
        json!({"title": "Same"}),
    )
    .await
    .expect(200);
    assert_eq!(revisions(&app, &id).await.len(), 1);
}

both_backends!(a_refused_write_records_no_revision);
async fn a_refused_write_records_no_revision(app: TestApp) {
    use byline::users::domain::Role;
    let doc = app.create_article(json!({"title": "Guarded"})).await;
    let id = id_of(&doc);
    let path = format!("/api/v1/articles/{id}");
    let (_, author) = app.user_token(Role::Author).await;
    send_with_if_match(
        &app,
        Method::PATCH,
        &path,
        "\"stale\"",
        Some(json!({"title": "x"})),
    )
    .await
    .expect(412);
    app.patch(&path, Some(&app.admin_token), json!({"title": ""}))
        .await
        .expect(422);
    app.post(&format!("{path}/publish"), Some(&author), json!({}))
        .await
        .expect(404);
    let (_, editor) = app.user_token(Role::Editor).await;
    let own = app
        .post("/api/v1/articles", Some(&author), json!({"title": "Mine"}))
        .await
        .expect(201)
        .json();
    app.post(
        &format!("/api/v1/articles/{}/publish", id_of(&own)),
        Some(&author),
        json!({}),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/articles/{}/key-takeaways", id_of(&own)),
        Some(&editor),
        json!({"text": ""}),
    )
    .await
    .expect(422);
    assert_eq!(revisions(&app, &id).await.len(), 1);
    assert_eq!(revisions(&app, &id_of(&own)).await.len(), 1);
}

both_backends!(restore_brings_back_the_content_as_a_new_version_and_keeps_the_status);
async fn restore_brings_back_the_content_as_a_new_version_and_keeps_the_status(app: TestApp) {
    let neighbour = app.create_published(json!({"title": "Neighbour"})).await;
    let mut original = full_article("The original");
    original["related"] = json!([neighbour["id"].clone()]);
    let id = id_of(&app.create_article(original).await);
    let path = format!("/api/v1/articles/{id}");
    let t = Some(app.admin_token.as_str());
    let v1 = app.get(&path, t).await.expect(200).json();
    let published = app
        .post(&format!("{path}/publish"), t, json!({}))
        .await
        .expect(200)
        .json();
    let before = app
        .put(&path, t, rewritten(&published))
        .await
        .expect(200)
        .json();
    for field in RESTORED {
        assert_ne!(before[field], v1[field], "the rewrite changed {field}");
    }
    let restored = app
        .post(&format!("{path}/revisions/1/restore"), t, json!({}))
        .await
        .expect(200);
    assert_eq!(restored.header("etag"), Some(format!("\"{id}-4\"")));
    let now = restored.json();
    assert_eq!(now["version"], 4);
    assert_eq!(now["status"], "published", "the status is not restored");
    for field in RESTORED {
        assert_eq!(now[field], v1[field], "{field}");
    }
    assert_eq!(newest(&app, &id).await["action"], "restore");
}

both_backends!(restore_honours_if_match);
async fn restore_honours_if_match(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "One"})).await);
    let path = format!("/api/v1/articles/{id}");
    app.patch(&path, Some(&app.admin_token), json!({"title": "Two"}))
        .await
        .expect(200);
    let stale = format!("\"{id}-1\"");
    send_with_if_match(
        &app,
        Method::POST,
        &format!("{path}/revisions/1/restore"),
        &stale,
        Some(json!({})),
    )
    .await
    .expect(412);
    let now = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(now["title"], "Two");
    assert_eq!(now["version"], 2);
}

both_backends!(an_author_cannot_see_or_restore_another_authors_revisions);
async fn an_author_cannot_see_or_restore_another_authors_revisions(app: TestApp) {
    use byline::users::domain::Role;
    let (_, mine) = app.user_token(Role::Author).await;
    let (_, theirs) = app.user_token(Role::Author).await;
    let doc = app
        .post(
            "/api/v1/articles",
            Some(&theirs),
            json!({"title": "Theirs"}),
        )
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    app.get(&format!("{path}/revisions"), Some(&mine))
        .await
        .expect(404);
    app.post(
        &format!("{path}/revisions/1/restore"),
        Some(&mine),
        json!({}),
    )
    .await
    .expect(404);
    app.get(&format!("{path}/revisions"), Some(&theirs))
        .await
        .expect(200);
    app.get(&format!("{path}/revisions"), None)
        .await
        .expect(401);
}

both_backends!(an_unknown_revision_is_404);
async fn an_unknown_revision_is_404(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "One"})).await);
    app.get(
        &format!("/api/v1/articles/{id}/revisions/9"),
        Some(&app.admin_token),
    )
    .await
    .expect(404);
    app.post(
        &format!("/api/v1/articles/{id}/revisions/9/restore"),
        Some(&app.admin_token),
        json!({}),
    )
    .await
    .expect(404);
}

both_backends!(revision_pages_follow_the_cursor_without_repeats);
async fn revision_pages_follow_the_cursor_without_repeats(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Paged"})).await);
    for i in 0..4 {
        app.patch(
            &format!("/api/v1/articles/{id}"),
            Some(&app.admin_token),
            json!({"dek": format!("d{i}")}),
        )
        .await
        .expect(200);
    }
    let mut seen = Vec::new();
    let mut next = format!("/api/v1/articles/{id}/revisions?limit=2");
    loop {
        let page = app
            .get(&next, Some(&app.admin_token))
            .await
            .expect(200)
            .json();
        for r in page["data"].as_array().expect("data") {
            seen.push(r["version"].as_i64().expect("version"));
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => next = format!("/api/v1/articles/{id}/revisions?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, [5, 4, 3, 2, 1]);
}

both_backends!(
    revisions_keep_bounds_the_stored_history,
    [("BYLINE_REVISIONS_KEEP", "2")]
);
async fn revisions_keep_bounds_the_stored_history(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Short memory"})).await);
    for i in 0..4 {
        app.patch(
            &format!("/api/v1/articles/{id}"),
            Some(&app.admin_token),
            json!({"dek": format!("d{i}")}),
        )
        .await
        .expect(200);
    }
    let versions: Vec<i64> = revisions(&app, &id)
        .await
        .iter()
        .map(|r| r["version"].as_i64().expect("v"))
        .collect();
    assert_eq!(versions, [5, 4]);
}

both_backends!(concurrent_child_appends_leave_one_revision_per_version);
async fn concurrent_child_appends_leave_one_revision_per_version(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Busy"})).await);
    let path = format!("/api/v1/articles/{id}/highlights");
    let writes = (0..20).map(|i| {
        let app = &app;
        let path = path.clone();
        async move {
            app.post(
                &path,
                Some(&app.admin_token),
                json!({"text": format!("h{i}")}),
            )
            .await
            .expect(201);
        }
    });
    futures_util::future::join_all(writes).await;
    let versions: Vec<i64> = revisions(&app, &id)
        .await
        .iter()
        .map(|r| r["version"].as_i64().expect("v"))
        .collect();
    assert_eq!(versions, (1..=21).rev().collect::<Vec<_>>());
}

both_backends!(deleting_an_article_deletes_its_revisions);
async fn deleting_an_article_deletes_its_revisions(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Gone"})).await);
    app.delete(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    app.get(
        &format!("/api/v1/articles/{id}/revisions"),
        Some(&app.admin_token),
    )
    .await
    .expect(404);
    use byline::db::schema::article_revisions;
    use diesel::prelude::*;
    let mut conn = app.db.get().expect("conn");
    let left: i64 = article_revisions::table
        .filter(article_revisions::article_id.eq(&id))
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(left, 0);
}

both_backends!(article_changes_and_the_deletion_are_in_the_audit_log);
async fn article_changes_and_the_deletion_are_in_the_audit_log(app: TestApp) {
    let id = id_of(&app.create_article(json!({"title": "Audited"})).await);
    let path = format!("/api/v1/articles/{id}");
    let t = Some(app.admin_token.as_str());
    app.patch(&path, t, json!({"dek": "d"})).await.expect(200);
    app.post(&format!("{path}/publish"), t, json!({}))
        .await
        .expect(200);
    app.delete(&path, t).await.expect(204);
    let log = app
        .get(&format!("/api/v1/audit?target={id}"), t)
        .await
        .expect(200)
        .json();
    let entries = log["data"].as_array().expect("data");
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "article.delete",
            "article.publish",
            "article.update",
            "article.create"
        ]
    );
    assert_eq!(entries[0]["target"], json!({"type": "article", "id": id}));
    assert_eq!(entries[0]["actor"]["name"], admin_name(&app).await.as_str());
    assert_eq!(entries[2]["detail"]["changed"], json!(["dek"]));
}
