//! Authors (SPEC §8): the public byline entities, who may manage them, and the `authors` of an
//! article document through every write, the list filter and export/import.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, TestDb};
use byline::users::domain::Role;

async fn new_author(app: &TestApp, body: Value) -> Value {
    app.post("/api/v1/authors", Some(&app.admin_token), body)
        .await
        .expect(201)
        .json()
}

fn ids(doc: &Value) -> Vec<String> {
    doc["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}

fn id_of(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

both_backends!(an_author_is_created_with_a_slug_from_its_name_and_read_publicly);
async fn an_author_is_created_with_a_slug_from_its_name_and_read_publicly(app: TestApp) {
    let created = new_author(&app, json!({"name": "Zoë Ørsted", "bio": "Harbour desk"})).await;
    assert_eq!(created["slug"], "zoe-orsted");
    assert_eq!(created["avatar"], Value::Null);
    assert_eq!(created["user_id"], Value::Null);
    let by_slug = app
        .get("/api/v1/authors/zoe-orsted", None)
        .await
        .expect(200)
        .json();
    assert_eq!(by_slug, created);
    let by_id = app
        .get(&format!("/api/v1/authors/{}", id_of(&created)), None)
        .await
        .expect(200)
        .json();
    assert_eq!(by_id, created);
    let list = app
        .get("/api/v1/authors?limit=1", None)
        .await
        .expect(200)
        .json();
    assert_eq!(list["data"][0], created);
    assert_eq!(list["meta"]["next_cursor"], Value::Null);
    let second = new_author(&app, json!({"name": "Zoë Ørsted"})).await;
    assert_eq!(
        second["slug"], "zoe-orsted-2",
        "a generated slug picks a free one"
    );
}

both_backends!(a_taken_slug_is_409_and_a_uuid_shaped_one_is_422);
async fn a_taken_slug_is_409_and_a_uuid_shaped_one_is_422(app: TestApp) {
    new_author(&app, json!({"name": "A", "slug": "mara"})).await;
    let token = Some(app.admin_token.as_str());
    let taken = app
        .post(
            "/api/v1/authors",
            token,
            json!({"name": "B", "slug": "mara"}),
        )
        .await
        .expect(409);
    assert!(taken.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("author"));
    let uuid = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d";
    let r = app
        .post("/api/v1/authors", token, json!({"name": "C", "slug": uuid}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/slug"]);
}

both_backends!(user_id_must_name_an_existing_user);
async fn user_id_must_name_an_existing_user(app: TestApp) {
    let token = Some(app.admin_token.as_str());
    let missing = uuid::Uuid::now_v7().to_string();
    let r = app
        .post(
            "/api/v1/authors",
            token,
            json!({"name": "N", "user_id": missing}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/user_id"]);
    let (user, _) = app.user_token(Role::Author).await;
    let linked = new_author(&app, json!({"name": "N", "user_id": user})).await;
    assert_eq!(linked["user_id"], user.as_str());
}

both_backends!(a_merge_patch_changes_an_author_and_null_removes_the_bio);
async fn a_merge_patch_changes_an_author_and_null_removes_the_bio(app: TestApp) {
    let author = new_author(&app, json!({"name": "Old", "bio": "Bio"})).await;
    let path = format!("/api/v1/authors/{}", id_of(&author));
    let token = Some(app.admin_token.as_str());
    let changed = app
        .patch(&path, token, json!({"name": "New", "bio": null}))
        .await
        .expect(200)
        .json();
    assert_eq!(changed["name"], "New");
    assert_eq!(changed["bio"], Value::Null);
    assert_eq!(changed["slug"], author["slug"], "the slug stays");
    let r = app
        .patch(&path, token, json!({"slug": null}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/slug"]);
    let r = app
        .patch(&path, token, json!({"avatar_url": "x"}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/avatar_url"]);
}

both_backends!(authors_role_users_may_not_manage_authors);
async fn authors_role_users_may_not_manage_authors(app: TestApp) {
    let (_, author_token) = app.user_token(Role::Author).await;
    let (_, editor_token) = app.user_token(Role::Editor).await;
    app.post("/api/v1/authors", Some(&author_token), json!({"name": "X"}))
        .await
        .expect(403);
    let made = app
        .post("/api/v1/authors", Some(&editor_token), json!({"name": "X"}))
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/authors/{}", id_of(&made));
    app.patch(&path, Some(&author_token), json!({"name": "Y"}))
        .await
        .expect(403);
    app.delete(&path, Some(&author_token)).await.expect(403);
    app.delete(&path, Some(&editor_token)).await.expect(204);
    app.get(&path, None).await.expect(404);
}

both_backends!(author_changes_are_audited);
async fn author_changes_are_audited(app: TestApp) {
    let author = new_author(&app, json!({"name": "Audited"})).await;
    let path = format!("/api/v1/authors/{}", id_of(&author));
    let token = Some(app.admin_token.as_str());
    app.patch(&path, token, json!({"bio": "b"}))
        .await
        .expect(200);
    app.delete(&path, token).await.expect(204);
    let log = app
        .get(&format!("/api/v1/audit?target={}", id_of(&author)), token)
        .await
        .expect(200)
        .json();
    let actions: Vec<&str> = log["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["author.delete", "author.update", "author.create"]);
}

both_backends!(an_article_keeps_its_authors_in_byline_order_through_every_write);
async fn an_article_keeps_its_authors_in_byline_order_through_every_write(app: TestApp) {
    let first = new_author(&app, json!({"name": "First Writer"})).await;
    let second = new_author(&app, json!({"name": "Second Writer"})).await;
    let (a, b) = (id_of(&first).to_owned(), id_of(&second).to_owned());
    let doc = app
        .create_article(json!({"title": "Two bylines", "authors": [a, b]}))
        .await;
    assert_eq!(ids(&doc), [a.clone(), b.clone()]);
    assert_eq!(
        doc["authors"][0],
        json!({"id": a, "slug": "first-writer", "name": "First Writer", "avatar": null})
    );
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let token = Some(app.admin_token.as_str());
    let mut reordered = doc.clone();
    reordered["authors"] = json!([doc["authors"][1], doc["authors"][0]]);
    let put = app.put(&path, token, reordered).await.expect(200).json();
    assert_eq!(
        ids(&put),
        [b.clone(), a.clone()],
        "PUT takes the echoed objects"
    );
    assert_eq!(put["version"], 2);
    let same = app.put(&path, token, put.clone()).await.expect(200).json();
    assert_eq!(same["version"], 2, "an unchanged byline is no change");
    let patched = app
        .patch(&path, token, json!({"authors": [a]}))
        .await
        .expect(200)
        .json();
    assert_eq!(ids(&patched), std::slice::from_ref(&a));
    let read = app.get(&path, token).await.expect(200).json();
    assert_eq!(ids(&read), std::slice::from_ref(&a));
    let restored = app
        .post(&format!("{path}/revisions/2/restore"), token, json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(ids(&restored), [b, a], "a restore brings the byline back");
}

both_backends!(unknown_and_duplicate_authors_are_422_with_their_pointer);
async fn unknown_and_duplicate_authors_are_422_with_their_pointer(app: TestApp) {
    let known = new_author(&app, json!({"name": "Known"})).await;
    let token = Some(app.admin_token.as_str());
    let unknown = uuid::Uuid::now_v7().to_string();
    let r = app
        .post(
            "/api/v1/articles",
            token,
            json!({"title": "T", "authors": [id_of(&known), unknown]}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/authors/1"]);
    let r = app
        .post(
            "/api/v1/articles",
            token,
            json!({"title": "T", "authors": [id_of(&known), {"id": id_of(&known)}]}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/authors/1"]);
    let doc = app.create_article(json!({"title": "Patched"})).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let r = app
        .patch(&path, token, json!({"authors": ["not-an-id"]}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/authors/0"]);
    let after = app.get(&path, token).await.expect(200).json();
    assert_eq!(after["version"], 1, "the refused write changed nothing");
}

both_backends!(an_author_credited_on_an_article_cannot_be_deleted);
async fn an_author_credited_on_an_article_cannot_be_deleted(app: TestApp) {
    let author = new_author(&app, json!({"name": "Credited"})).await;
    app.create_article(json!({"title": "Credits", "authors": [id_of(&author)]}))
        .await;
    let path = format!("/api/v1/authors/{}", id_of(&author));
    app.delete(&path, Some(&app.admin_token)).await.expect(409);
    app.get(&path, None).await.expect(200);
}

both_backends!(a_renamed_author_shows_in_every_byline_at_once);
async fn a_renamed_author_shows_in_every_byline_at_once(app: TestApp) {
    let author = new_author(&app, json!({"name": "Before"})).await;
    let doc = app
        .create_published(json!({"title": "Renamed byline", "authors": [id_of(&author)]}))
        .await;
    app.patch(
        &format!("/api/v1/authors/{}", id_of(&author)),
        Some(&app.admin_token),
        json!({"name": "After"}),
    )
    .await
    .expect(200);
    let read = app
        .get(
            &format!("/api/v1/articles/{}", id_of(&doc)),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(read["authors"][0]["name"], "After");
}

both_backends!(lists_filter_by_author_slug);
async fn lists_filter_by_author_slug(app: TestApp) {
    let mara = new_author(&app, json!({"name": "Mara"})).await;
    let ivo = new_author(&app, json!({"name": "Ivo"})).await;
    let both = app
        .create_published(json!({"title": "Both", "authors": [id_of(&ivo), id_of(&mara)]}))
        .await;
    let only = app
        .create_published(json!({"title": "Mara alone", "authors": [id_of(&mara)]}))
        .await;
    app.create_published(json!({"title": "Ivo alone", "authors": [id_of(&ivo)]}))
        .await;
    let list = app
        .get("/api/v1/articles?author=mara&sort=title", None)
        .await
        .expect(200)
        .json();
    let titles: Vec<&str> = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert_eq!(titles, ["Both", "Mara alone"]);
    let full = app
        .get(
            "/api/v1/articles?author=mara&sort=title&include=children&limit=1",
            None,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(ids(&full["data"][0]), [id_of(&ivo), id_of(&mara)]);
    assert_eq!(full["data"][0]["id"], both["id"]);
    let next = full["meta"]["next_cursor"].as_str().expect("cursor");
    let page2 = app
        .get(
            &format!("/api/v1/articles?author=mara&sort=title&limit=1&cursor={next}"),
            None,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(page2["data"][0]["id"], only["id"]);
    app.get(
        &format!("/api/v1/articles?sort=title&limit=1&cursor={next}"),
        None,
    )
    .await
    .expect(400);
    let none = app
        .get("/api/v1/articles?author=nobody", None)
        .await
        .expect(200)
        .json();
    assert_eq!(none["data"], json!([]));
}

both_backends!(export_and_import_carry_authors_and_bylines);
async fn export_and_import_carry_authors_and_bylines(app: TestApp) {
    let (user, _) = app.user_token(Role::Editor).await;
    let a = new_author(
        &app,
        json!({"name": "Exported A", "bio": "b", "user_id": user}),
    )
    .await;
    let b = new_author(&app, json!({"name": "Exported B"})).await;
    new_author(&app, json!({"name": "Uncredited"})).await;
    app.create_article(json!({"title": "Exported", "authors": [id_of(&b), id_of(&a)]}))
        .await;
    let run = crate::helpers::byline(&app.database, &["export"], None);
    assert!(run.ok, "{}", run.stderr);
    let dump: Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!(dump["authors"].as_array().expect("authors").len(), 3);
    assert_eq!(ids(&dump["articles"][0]), [id_of(&b), id_of(&a)]);
    let Some(fresh) = TestDb::create(app.backend) else {
        return;
    };
    let imported = crate::helpers::byline(&fresh, &["import"], Some(&run.stdout));
    assert!(imported.ok, "{}", imported.stderr);
    let again = crate::helpers::byline(&fresh, &["export"], None);
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&again.stdout)
    );
}
