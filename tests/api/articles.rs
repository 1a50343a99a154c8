//! Articles as whole documents: create, read, replace, patch, delete, workflow, visibility.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{full_article, TestApp};

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_owned()
}

both_backends!(
    demo_article_is_served_by_slug_to_anonymous_readers,
    [("BYLINE_DEMO", "1")]
);
async fn demo_article_is_served_by_slug_to_anonymous_readers(app: TestApp) {
    let doc = app
        .get(
            "/api/v1/articles/velmora-council-approves-electric-harbour-ferry-plan",
            None,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(doc["status"], "published");
    for part in [
        "key_takeaways",
        "quotes",
        "highlights",
        "risk_notes",
        "tags",
    ] {
        assert!(
            !doc[part].as_array().expect(part).is_empty(),
            "demo lacks {part}"
        );
    }
    for field in [
        "dek",
        "seo_title",
        "seo_description",
        "summary",
        "body",
        "analysis",
        "kicker",
        "source",
    ] {
        assert!(doc[field].is_string(), "demo lacks {field}");
    }
}

both_backends!(create_returns_201_with_location_etag_and_the_full_document);
async fn create_returns_201_with_location_etag_and_the_full_document(app: TestApp) {
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            full_article("Harbour ferries go electric"),
        )
        .await
        .expect(201);
    let doc = r.json();
    let id = id_of(&doc);
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/articles/{id}").as_str())
    );
    assert_eq!(r.header("etag"), Some(format!("\"{id}-1\"")));
    assert_eq!(doc["slug"], "harbour-ferries-go-electric");
    assert_eq!(doc["status"], "draft");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["published_at"], Value::Null);
    assert_eq!(doc["tags"], json!(["ferries", "local-government"]));
    assert_eq!(doc["quotes"][1]["position"], 2);
    assert_eq!(doc["quotes"][1]["text"], "مرحبا بالعالم");
    assert_eq!(doc["risk_notes"][0]["severity"], "high");
    assert!(uuid::Uuid::parse_str(&id).expect("uuid").get_version_num() == 7);
    let created = doc["created_at"].as_str().expect("created_at");
    assert!(created.ends_with('Z'), "{created}");
    let raw = String::from_utf8(r.body.clone()).expect("utf-8");
    let order = [
        "id",
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
        "status",
        "publish_at",
        "published_at",
        "created_at",
        "updated_at",
        "version",
        "author_id",
        "key_takeaways",
        "quotes",
        "highlights",
        "risk_notes",
        "related",
        "authors",
        "word_count",
        "reading_time_minutes",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| raw.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "fields are in the documented order: {raw}"
    );
    assert_eq!(doc.as_object().expect("object").len(), order.len());
}

both_backends!(text_round_trips_byte_for_byte);
async fn text_round_trips_byte_for_byte(app: TestApp) {
    let tricky = "Ελληνικά, עברית, العربية, e\u{301}, 👩🏽‍💻, \"quotes\" \\ and\ttabs\r\n";
    let mut body = full_article("Unicode");
    body["body"] = json!(tricky);
    body["quotes"][0]["speaker"] = json!("Zoë Ünal 🇹🇷");
    let doc = app.create_article(body).await;
    let got = app
        .get(
            &format!("/api/v1/articles/{}", id_of(&doc)),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(got["body"], tricky);
    assert_eq!(got["quotes"][0]["speaker"], "Zoë Ünal 🇹🇷");
}

both_backends!(get_by_id_and_by_slug_answer_the_same_document);
async fn get_by_id_and_by_slug_answer_the_same_document(app: TestApp) {
    let doc = app.create_published(full_article("Same either way")).await;
    let by_id = app
        .get(&format!("/api/v1/articles/{}", id_of(&doc)), None)
        .await
        .expect(200);
    let by_slug = app
        .get("/api/v1/articles/same-either-way", None)
        .await
        .expect(200);
    assert_eq!(by_id.body, by_slug.body);
    assert_eq!(
        by_id.header("cache-control").as_deref(),
        Some("public, max-age=60, stale-while-revalidate=300")
    );
    assert!(by_id.header("last-modified").is_some());
    let authed = app
        .get("/api/v1/articles/same-either-way", Some(&app.admin_token))
        .await
        .expect(200);
    assert_eq!(
        authed.header("cache-control").as_deref(),
        Some("private, no-store")
    );
}

both_backends!(slugs_are_transliterated_and_made_unique);
async fn slugs_are_transliterated_and_made_unique(app: TestApp) {
    let a = app
        .create_article(json!({"title": "Zürich überprüft Fähren"}))
        .await;
    let b = app
        .create_article(json!({"title": "Zürich überprüft Fähren"}))
        .await;
    assert_eq!(a["slug"], "zurich-uberpruft-fahren");
    assert_eq!(b["slug"], "zurich-uberpruft-fahren-2");
}

both_backends!(a_taken_explicit_slug_is_409_and_creates_nothing);
async fn a_taken_explicit_slug_is_409_and_creates_nothing(app: TestApp) {
    app.create_article(json!({"title": "One", "slug": "taken"}))
        .await;
    app.post(
        "/api/v1/articles",
        Some(&app.admin_token),
        json!({"title": "Two", "slug": "taken"}),
    )
    .await
    .expect(409);
    let other = app
        .create_article(json!({"title": "Two", "slug": "free"}))
        .await;
    let r = app
        .patch(
            &format!("/api/v1/articles/{}", id_of(&other)),
            Some(&app.admin_token),
            json!({"slug": "taken"}),
        )
        .await
        .expect(409);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("slug"));
    app.get("/api/v1/articles/free", Some(&app.admin_token))
        .await
        .expect(200);
}

both_backends!(get_put_get_round_trip_is_byte_for_byte_stable);
async fn get_put_get_round_trip_is_byte_for_byte_stable(app: TestApp) {
    let doc = app.create_published(full_article("Round trip")).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let first = app.get(&path, Some(&app.admin_token)).await.expect(200);
    let put = app
        .put(&path, Some(&app.admin_token), first.json())
        .await
        .expect(200);
    assert_eq!(put.header("etag"), first.header("etag"));
    let second = app.get(&path, Some(&app.admin_token)).await.expect(200);
    assert_eq!(first.body, second.body);
}

both_backends!(put_replaces_the_document_and_its_children_and_bumps_version_once);
async fn put_replaces_the_document_and_its_children_and_bumps_version_once(app: TestApp) {
    let doc = app.create_article(full_article("Before")).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let mut edited = doc.clone();
    edited["title"] = json!("After");
    edited["quotes"] = json!([edited["quotes"][1].clone(), {"text": "New", "speaker": "Someone"}]);
    edited["highlights"] = json!([]);
    edited.as_object_mut().expect("object").remove("slug");
    let r = app
        .put(&path, Some(&app.admin_token), edited)
        .await
        .expect(200);
    let after = r.json();
    assert_eq!(after["version"], 2);
    assert_eq!(r.header("etag"), Some(format!("\"{}-2\"", id_of(&doc))));
    assert_eq!(after["title"], "After");
    assert_eq!(
        after["slug"], doc["slug"],
        "an omitted slug is kept, not made from the new title"
    );
    assert_eq!(
        after["quotes"][0]["id"], doc["quotes"][1]["id"],
        "echoed child ids are kept"
    );
    assert_eq!(after["quotes"][0]["position"], 1);
    assert_eq!(after["quotes"][1]["text"], "New");
    assert_eq!(after["highlights"], json!([]));
}

both_backends!(put_with_stale_if_match_returns_412_and_changes_nothing);
async fn put_with_stale_if_match_returns_412_and_changes_nothing(app: TestApp) {
    let doc = app.create_article(full_article("Stale")).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let etag = format!("\"{}-1\"", id_of(&doc));
    let mut edit = doc.clone();
    edit["title"] = json!("First edit");
    app.send(
        awc::http::Method::PUT,
        &path,
        Some(&app.admin_token),
        &[("If-Match", &etag)],
        Some(edit),
    )
    .await
    .expect(200);
    let mut stale = doc.clone();
    stale["title"] = json!("Lost update");
    stale.as_object_mut().expect("obj").remove("version");
    app.send(
        awc::http::Method::PUT,
        &path,
        Some(&app.admin_token),
        &[("If-Match", &etag)],
        Some(stale),
    )
    .await
    .expect(412);
    app.send(
        awc::http::Method::PATCH,
        &path,
        Some(&app.admin_token),
        &[("If-Match", "\"garbage\"")],
        Some(json!({"title": "x"})),
    )
    .await
    .expect(412);
    app.send(
        awc::http::Method::DELETE,
        &path,
        Some(&app.admin_token),
        &[("If-Match", &etag)],
        None,
    )
    .await
    .expect(412);
    let now = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(now["title"], "First edit");
    assert_eq!(now["version"], 2);
    app.send(
        awc::http::Method::PATCH,
        &path,
        Some(&app.admin_token),
        &[("If-Match", "*")],
        Some(json!({"title": "Star"})),
    )
    .await
    .expect(200);
}

both_backends!(changed_read_only_fields_are_422_naming_the_right_action);
async fn changed_read_only_fields_are_422_naming_the_right_action(app: TestApp) {
    let doc = app.create_article(full_article("Read only")).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let mut edit = doc.clone();
    edit["status"] = json!("published");
    edit["version"] = json!(41);
    edit["created_at"] = json!("2001-01-01T00:00:00Z");
    let r = app
        .put(&path, Some(&app.admin_token), edit)
        .await
        .expect(422);
    let p = r.pointers();
    assert!(
        p.contains(&"/status".to_owned())
            && p.contains(&"/version".to_owned())
            && p.contains(&"/created_at".to_owned()),
        "{p:?}"
    );
    assert!(
        r.body.windows(7).any(|w| w == b"publish"),
        "the status error names the publish action"
    );
    let mut with_id = full_article("New");
    with_id["id"] = doc["id"].clone();
    app.post("/api/v1/articles", Some(&app.admin_token), with_id)
        .await
        .expect(422);
    assert_eq!(
        app.get(&path, Some(&app.admin_token)).await.json()["version"],
        1
    );
}

both_backends!(patch_merges_scalars_and_tags_and_null_removes);
async fn patch_merges_scalars_and_tags_and_null_removes(app: TestApp) {
    let doc = app.create_article(full_article("Patch me")).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let r = app
        .send_raw(
            awc::http::Method::PATCH,
            &path,
            Some(&app.admin_token),
            &[],
            Some((
                br#"{"dek": null, "kicker": "New kicker", "tags": ["one"]}"#.to_vec(),
                "application/merge-patch+json",
            )),
        )
        .await
        .expect(200);
    let after = r.json();
    assert_eq!(after["dek"], Value::Null);
    assert_eq!(after["kicker"], "New kicker");
    assert_eq!(after["tags"], json!(["one"]));
    assert_eq!(after["title"], "Patch me");
    assert_eq!(after["quotes"], doc["quotes"]);
    assert_eq!(after["version"], 2);
    let same = app
        .patch(
            &path,
            Some(&app.admin_token),
            json!({"kicker": "New kicker"}),
        )
        .await
        .expect(200);
    assert_eq!(
        same.json()["version"],
        2,
        "a patch that changes nothing keeps the version"
    );
    let bad = app
        .patch(
            &path,
            Some(&app.admin_token),
            json!({"quotes": [], "title": null, "bogus": 1}),
        )
        .await
        .expect(422);
    assert!(bad.pointers().contains(&"/quotes".to_owned()));
    app.patch(
        &path,
        Some(&app.admin_token),
        json!({"language": "not a language"}),
    )
    .await
    .expect(422);
}

both_backends!(delete_removes_the_article_and_its_children);
async fn delete_removes_the_article_and_its_children(app: TestApp) {
    let doc = app.create_article(full_article("Delete me")).await;
    let id = id_of(&doc);
    let quote = doc["quotes"][0]["id"]
        .as_str()
        .expect("quote id")
        .to_owned();
    app.delete(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(404);
    app.get(
        &format!("/api/v1/articles/{id}/quotes/{quote}"),
        Some(&app.admin_token),
    )
    .await
    .expect(404);
    app.delete(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(404);
    let mut conn = app.db.get().expect("conn");
    use byline::db::schema::article_children;
    use diesel::prelude::*;
    let left: i64 = article_children::table
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(left, 0);
}

both_backends!(drafts_are_invisible_to_anonymous_readers_until_published);
async fn drafts_are_invisible_to_anonymous_readers_until_published(app: TestApp) {
    let doc = app.create_article(full_article("Secret draft")).await;
    let id = id_of(&doc);
    for path in [
        format!("/api/v1/articles/{id}"),
        "/api/v1/articles/secret-draft".into(),
        format!("/api/v1/articles/{id}/quotes"),
    ] {
        app.get(&path, None).await.expect(404);
    }
    let published = app
        .post(
            &format!("/api/v1/articles/{id}/publish"),
            Some(&app.admin_token),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(published.header("etag"), Some(format!("\"{id}-2\"")));
    let first_published_at = published.json()["published_at"].clone();
    assert!(first_published_at.is_string());
    app.get("/api/v1/articles/secret-draft", None)
        .await
        .expect(200);
    let draft = app
        .post(
            &format!("/api/v1/articles/{id}/unpublish"),
            Some(&app.admin_token),
            json!({}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        draft["published_at"], first_published_at,
        "published_at is kept"
    );
    app.get("/api/v1/articles/secret-draft", None)
        .await
        .expect(404);
    let again = app
        .post(
            &format!("/api/v1/articles/{id}/publish"),
            Some(&app.admin_token),
            json!({}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        again["published_at"], first_published_at,
        "published_at is set on first publication only"
    );
    let archived = app
        .post(
            &format!("/api/v1/articles/{id}/archive"),
            Some(&app.admin_token),
            json!({}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(archived["status"], "archived");
    assert_eq!(archived["version"], 5);
    app.get("/api/v1/articles/secret-draft", None)
        .await
        .expect(404);
}

both_backends!(if_none_match_gives_304_and_head_works);
async fn if_none_match_gives_304_and_head_works(app: TestApp) {
    let doc = app.create_published(full_article("Cached")).await;
    let path = format!("/api/v1/articles/{}", id_of(&doc));
    let r = app.get(&path, None).await.expect(200);
    let etag = r.header("etag").expect("etag");
    let not_modified = app
        .send(
            awc::http::Method::GET,
            &path,
            None,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    let head = app
        .send(awc::http::Method::HEAD, &path, None, &[], None)
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("etag"), Some(etag.clone()));
    assert!(head.body.is_empty());
    app.patch(&path, Some(&app.admin_token), json!({"kicker": "changed"}))
        .await
        .expect(200);
    let changed = app
        .send(
            awc::http::Method::GET,
            &path,
            None,
            &[("If-None-Match", &etag)],
            None,
        )
        .await
        .expect(200);
    assert_ne!(changed.header("etag"), Some(etag));
}

both_backends!(every_invalid_field_is_reported_as_422_with_json_pointers);
async fn every_invalid_field_is_reported_as_422_with_json_pointers(app: TestApp) {
    let mut body = full_article("");
    body["slug"] = json!("Not A Slug");
    body["quotes"][1]["speaker"] = json!("");
    body["quotes"][0]["source_url"] = json!("javascript:alert(1)");
    body["risk_notes"][0]["severity"] = json!("apocalyptic");
    let r = app
        .post("/api/v1/articles", Some(&app.admin_token), body)
        .await
        .expect(422);
    assert!(
        r.pointers().contains(&"/risk_notes/0/severity".to_owned()),
        "{:?}",
        r.pointers()
    );
    let mut body = full_article("");
    body["slug"] = json!("Not A Slug");
    body["quotes"][1]["speaker"] = json!("");
    body["quotes"][0]["source_url"] = json!("javascript:alert(1)");
    body["tags"] = json!(["ok", "Bad Tag"]);
    let r = app
        .post("/api/v1/articles", Some(&app.admin_token), body)
        .await
        .expect(422);
    let p = r.pointers();
    for expected in [
        "/title",
        "/slug",
        "/quotes/1/speaker",
        "/quotes/0/source_url",
        "/tags/1",
    ] {
        assert!(
            p.contains(&expected.to_owned()),
            "{expected} missing from {p:?}"
        );
    }
    let too_long = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "x".repeat(301)}),
        )
        .await
        .expect(422);
    assert_eq!(too_long.pointers(), ["/title"]);
    let tags: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    app.post(
        "/api/v1/articles",
        Some(&app.admin_token),
        json!({"title": "t", "tags": tags}),
    )
    .await
    .expect(422);
    let many: Vec<Value> = (0..201).map(|i| json!({"text": format!("h{i}")})).collect();
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "t", "highlights": many}),
        )
        .await
        .expect(422);
    assert!(r.pointers().contains(&"/highlights".to_owned()));
}

both_backends!(nul_bytes_and_unknown_fields_are_422_and_nothing_is_written);
async fn nul_bytes_and_unknown_fields_are_422_and_nothing_is_written(app: TestApp) {
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "a\u{0}b"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/title"]);
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "t", "quotes": [{"text": "q", "speaker": "s\u{0}"}]}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/quotes/0/speaker"]);
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "t", "colour": "red"}),
        )
        .await
        .expect(422);
    assert!(r.json()["errors"][0]["detail"]
        .as_str()
        .expect("detail")
        .contains("colour"));
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "t", "quotes": [{"text": "q", "speaker": "s", "mood": 1}]}),
        )
        .await
        .expect(422);
    assert!(
        r.pointers()[0].starts_with("/quotes/0"),
        "{:?}",
        r.pointers()
    );
    let no_such_id = "01890000-0000-7000-8000-000000000000";
    let body = json!({"title": "Rel", "slug": "rel", "related": [no_such_id]});
    let related_missing = app
        .post("/api/v1/articles", Some(&app.admin_token), body)
        .await
        .expect(422);
    assert_eq!(related_missing.pointers(), ["/related/0"]);
    app.get("/api/v1/articles/rel", Some(&app.admin_token))
        .await
        .expect(404);
    let mut conn = app.db.get().expect("conn");
    use byline::db::schema::articles;
    use diesel::prelude::*;
    let n: i64 = articles::table
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(n, 0, "a failed create leaves nothing behind");
}

both_backends!(related_articles_are_summaries_the_caller_may_see);
async fn related_articles_are_summaries_the_caller_may_see(app: TestApp) {
    let public = app
        .create_published(json!({"title": "Public neighbour"}))
        .await;
    let draft = app
        .create_article(json!({"title": "Draft neighbour"}))
        .await;
    let main = app
        .create_published(
            json!({"title": "Main", "related": [id_of(&draft), {"id": id_of(&public)}]}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", id_of(&main));
    let anon = app.get(&path, None).await.expect(200).json();
    assert_eq!(anon["related"].as_array().expect("related").len(), 1);
    assert_eq!(anon["related"][0]["slug"], "public-neighbour");
    assert!(anon["related"][0]["published_at"].is_string());
    let editor = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(editor["related"][0]["id"], draft["id"]);
    assert_eq!(editor["related"][1]["id"], public["id"]);
    app.put(&path, Some(&app.admin_token), editor.clone())
        .await
        .expect(200);
    let mut self_ref = editor.clone();
    self_ref["related"] = json!([id_of(&main)]);
    app.put(&path, Some(&app.admin_token), self_ref)
        .await
        .expect(422);
}

both_backends!(related_ids_reveal_nothing_and_hidden_relations_survive_an_authors_put);
async fn related_ids_reveal_nothing_and_hidden_relations_survive_an_authors_put(app: TestApp) {
    use byline::users::domain::Role;
    let (_, author) = app.user_token(Role::Author).await;
    let secret = app
        .create_article(json!({"title": "Editor's secret draft"}))
        .await;
    let r = app
        .post(
            "/api/v1/articles",
            Some(&author),
            json!({"title": "Probe", "related": [secret["id"].clone()]}),
        )
        .await
        .expect(422);
    assert_eq!(r.json()["errors"][0]["detail"], "no article with this id");
    let mine = app
        .post("/api/v1/articles", Some(&author), json!({"title": "Mine"}))
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/articles/{}", mine["id"].as_str().expect("id"));
    let mut with_secret = mine.clone();
    with_secret["related"] = json!([secret["id"].clone()]);
    app.put(&path, Some(&app.admin_token), with_secret)
        .await
        .expect(200);
    let seen = app.get(&path, Some(&author)).await.expect(200).json();
    assert_eq!(seen["related"], json!([]));
    let mut edit = seen.clone();
    edit["title"] = json!("Mine, edited");
    app.put(&path, Some(&author), edit).await.expect(200);
    let full = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(
        full["related"][0]["id"], secret["id"],
        "the author's PUT kept the relation they cannot see"
    );
    let unchanged = app
        .put(
            &path,
            Some(&author),
            app.get(&path, Some(&author)).await.json(),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(unchanged["version"], full["version"]);
}
