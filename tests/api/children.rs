//! The four child kinds: ordering, moves, list replacement, ETags and concurrency.

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{full_article, TestApp};

fn texts(list: &Value, field: &str) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| c[field].as_str().expect("text").to_owned())
        .collect()
}

fn positions(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| c["position"].as_i64().expect("position"))
        .collect()
}

async fn article(app: &TestApp) -> String {
    let doc = app.create_article(json!({"title": "Parent"})).await;
    doc["id"].as_str().expect("id").to_owned()
}

/// An article whose key takeaways are `texts`, in order; its id and the takeaways' list path.
async fn takeaways(app: &TestApp, texts: &[&str]) -> (String, String) {
    let items: Vec<Value> = texts.iter().map(|t| json!({"text": t})).collect();
    let doc = app
        .create_article(json!({"title": "Parent", "key_takeaways": items}))
        .await;
    let id = doc["id"].as_str().expect("id").to_owned();
    let list = format!("/api/v1/articles/{id}/key-takeaways");
    (id, list)
}

/// The list at `path`, as the admin reads it.
async fn list(app: &TestApp, path: &str) -> Value {
    app.get(path, Some(&app.admin_token))
        .await
        .expect(200)
        .json()
}

/// The id of the child at 1-based `position` of the list at `path`.
async fn child_at(app: &TestApp, path: &str, position: usize) -> String {
    let list = list(app, path).await;
    let id = &list["data"][position - 1]["id"];
    id.as_str().expect("child id").to_owned()
}

async fn version_of(app: &TestApp, id: &str) -> Value {
    let path = format!("/api/v1/articles/{id}");
    app.get(&path, Some(&app.admin_token)).await.json()["version"].clone()
}

both_backends!(appended_children_go_to_the_end_in_the_order_they_came);
async fn appended_children_go_to_the_end_in_the_order_they_came(app: TestApp) {
    let (_, path) = takeaways(&app, &[]).await;
    let t = Some(app.admin_token.as_str());
    for (text, position) in [("a", 1), ("b", 2), ("c", 3)] {
        let r = app.post(&path, t, json!({"text": text})).await.expect(201);
        assert_eq!(r.json()["position"], position);
    }
    let list = list(&app, &path).await;
    assert_eq!(texts(&list, "text"), ["a", "b", "c"]);
    assert_eq!(positions(&list), [1, 2, 3]);
}

both_backends!(a_child_inserted_at_a_position_pushes_the_later_ones_down);
async fn a_child_inserted_at_a_position_pushes_the_later_ones_down(app: TestApp) {
    let (_, path) = takeaways(&app, &["a", "b", "c"]).await;
    let t = Some(app.admin_token.as_str());
    let r = app
        .post(&path, t, json!({"text": "first", "position": 1}))
        .await
        .expect(201);
    assert_eq!(r.json()["position"], 1);
    let list = list(&app, &path).await;
    assert_eq!(texts(&list, "text"), ["first", "a", "b", "c"]);
    assert_eq!(positions(&list), [1, 2, 3, 4]);
}

both_backends!(a_created_child_answers_its_location_and_the_articles_new_etag);
async fn a_created_child_answers_its_location_and_the_articles_new_etag(app: TestApp) {
    let (id, path) = takeaways(&app, &["a"]).await;
    let t = Some(app.admin_token.as_str());
    let r = app.post(&path, t, json!({"text": "b"})).await.expect(201);
    let child = r.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(r.header("location"), Some(format!("{path}/{child}")));
    assert_eq!(r.header("etag"), Some(format!("\"{id}-2\"")));
}

both_backends!(moving_a_child_down_shifts_the_ones_it_passes_up);
async fn moving_a_child_down_shifts_the_ones_it_passes_up(app: TestApp) {
    let (_, path) = takeaways(&app, &["first", "a", "b", "c"]).await;
    let first = child_at(&app, &path, 1).await;
    let t = Some(app.admin_token.as_str());
    let moved = app
        .patch(&format!("{path}/{first}"), t, json!({"position": 3}))
        .await
        .expect(200);
    assert_eq!(moved.json()["position"], 3);
    let list = list(&app, &path).await;
    assert_eq!(texts(&list, "text"), ["a", "b", "first", "c"]);
    assert_eq!(positions(&list), [1, 2, 3, 4]);
}

both_backends!(one_patch_changes_a_childs_text_and_moves_it);
async fn one_patch_changes_a_childs_text_and_moves_it(app: TestApp) {
    let (_, path) = takeaways(&app, &["a", "b", "c"]).await;
    let a = child_at(&app, &path, 1).await;
    let body = json!({"text": "a2", "position": 3});
    let t = Some(app.admin_token.as_str());
    app.patch(&format!("{path}/{a}"), t, body).await.expect(200);
    let list = list(&app, &path).await;
    assert_eq!(texts(&list, "text"), ["b", "c", "a2"]);
    assert_eq!(positions(&list), [1, 2, 3]);
}

both_backends!(deleting_a_child_closes_the_gap);
async fn deleting_a_child_closes_the_gap(app: TestApp) {
    let (_, path) = takeaways(&app, &["a", "b", "c", "d"]).await;
    let b = child_at(&app, &path, 2).await;
    let t = Some(app.admin_token.as_str());
    app.delete(&format!("{path}/{b}"), t).await.expect(204);
    let list = list(&app, &path).await;
    assert_eq!(texts(&list, "text"), ["a", "c", "d"]);
    assert_eq!(positions(&list), [1, 2, 3]);
}

both_backends!(each_child_write_bumps_the_article_version_by_one);
async fn each_child_write_bumps_the_article_version_by_one(app: TestApp) {
    let (id, path) = takeaways(&app, &["a"]).await;
    let a = child_at(&app, &path, 1).await;
    let t = Some(app.admin_token.as_str());
    app.post(&path, t, json!({"text": "b"})).await.expect(201);
    assert_eq!(version_of(&app, &id).await, 2);
    let body = json!({"text": "a2", "position": 2});
    app.patch(&format!("{path}/{a}"), t, body).await.expect(200);
    assert_eq!(version_of(&app, &id).await, 3);
    app.delete(&format!("{path}/{a}"), t).await.expect(204);
    assert_eq!(version_of(&app, &id).await, 4);
}

both_backends!(a_position_outside_the_list_is_422);
async fn a_position_outside_the_list_is_422(app: TestApp) {
    let (_, path) = takeaways(&app, &["a", "b", "c"]).await;
    let a = child_at(&app, &path, 1).await;
    let t = Some(app.admin_token.as_str());
    let r = app
        .post(&path, t, json!({"text": "x", "position": 9}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/position"]);
    let r = app
        .patch(&format!("{path}/{a}"), t, json!({"position": 0}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/position"]);
}

both_backends!(an_empty_text_or_a_client_chosen_id_is_422);
async fn an_empty_text_or_a_client_chosen_id_is_422(app: TestApp) {
    let (_, path) = takeaways(&app, &["a"]).await;
    let a = child_at(&app, &path, 1).await;
    let t = Some(app.admin_token.as_str());
    let r = app.post(&path, t, json!({"text": ""})).await.expect(422);
    assert_eq!(r.pointers(), ["/text"]);
    let r = app
        .post(&path, t, json!({"text": "x", "id": a}))
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/id"]);
}

both_backends!(refused_child_writes_change_neither_the_list_nor_the_version);
async fn refused_child_writes_change_neither_the_list_nor_the_version(app: TestApp) {
    let (id, path) = takeaways(&app, &["a", "b"]).await;
    let before = list(&app, &path).await;
    let a = child_at(&app, &path, 1).await;
    let t = Some(app.admin_token.as_str());
    let refused = [
        app.post(&path, t, json!({"text": "x", "position": 9}))
            .await,
        app.post(&path, t, json!({"text": ""})).await,
        app.patch(&format!("{path}/{a}"), t, json!({"position": 0}))
            .await,
        app.patch(&format!("{path}/{a}"), t, json!({"text": ""}))
            .await,
    ];
    for r in refused {
        r.expect(422);
    }
    assert_eq!(list(&app, &path).await, before);
    assert_eq!(version_of(&app, &id).await, 1);
}

both_backends!(each_kind_has_its_own_fields_and_rules);
async fn each_kind_has_its_own_fields_and_rules(app: TestApp) {
    let id = article(&app).await;
    let t = Some(app.admin_token.as_str());
    let q = app
        .post(
            &format!("/api/v1/articles/{id}/quotes"),
            t,
            json!({"text": "We sail.", "speaker": "Ana", "source_url": "https://example.com/x"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(q["context"], Value::Null);
    app.post(
        &format!("/api/v1/articles/{id}/quotes"),
        t,
        json!({"text": "No speaker"}),
    )
    .await
    .expect(422);
    let n = app
        .post(
            &format!("/api/v1/articles/{id}/risk-notes"),
            t,
            json!({"title": "Cost"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(n["severity"], "medium");
    assert_eq!(n["body"], Value::Null);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}/risk-notes"), t)
            .await
            .expect(200)
            .json()["meta"],
        json!({"limit": 200, "next_cursor": null})
    );
    app.post(
        &format!("/api/v1/articles/{id}/risk-notes"),
        t,
        json!({"title": "Cost", "severity": "extreme"}),
    )
    .await
    .expect(422);
    let h = app
        .post(
            &format!("/api/v1/articles/{id}/highlights"),
            t,
            json!({"text": "Shiny"}),
        )
        .await
        .expect(201)
        .json();
    let got = app
        .get(
            &format!(
                "/api/v1/articles/{id}/highlights/{}",
                h["id"].as_str().expect("id")
            ),
            t,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(got, h);
    let patched = app
        .patch(
            &format!(
                "/api/v1/articles/{id}/quotes/{}",
                q["id"].as_str().expect("id")
            ),
            t,
            json!({"context": "In the chamber", "source_url": null}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(patched["context"], "In the chamber");
    assert_eq!(patched["source_url"], Value::Null);
    assert_eq!(patched["speaker"], "Ana");
    app.get(
        &format!(
            "/api/v1/articles/{id}/quotes/{}",
            h["id"].as_str().expect("id")
        ),
        t,
    )
    .await
    .expect(404);
    app.get(&format!("/api/v1/articles/{id}/quotes/nope"), t)
        .await
        .expect(404);
}

both_backends!(put_list_replaces_children_in_order_keeping_echoed_ids);
async fn put_list_replaces_children_in_order_keeping_echoed_ids(app: TestApp) {
    let doc = app.create_article(full_article("Lists")).await;
    let id = doc["id"].as_str().expect("id");
    let t = Some(app.admin_token.as_str());
    let path = format!("/api/v1/articles/{id}/quotes");
    let kept = doc["quotes"][1].clone();
    let r = app
        .put(
            &path,
            t,
            json!([{"text": "Brand new", "speaker": "New"}, kept]),
        )
        .await
        .expect(200);
    let list = r.json();
    assert_eq!(texts(&list, "text"), ["Brand new", "مرحبا بالعالم"]);
    assert_eq!(list["data"][1]["id"], doc["quotes"][1]["id"]);
    assert_eq!(r.header("etag"), Some(format!("\"{id}-2\"")));
    let same = app.put(&path, t, list["data"].clone()).await.expect(200);
    assert_eq!(
        same.header("etag"),
        Some(format!("\"{id}-2\"")),
        "an identical list changes nothing"
    );
    let foreign = doc["key_takeaways"][0]["id"].clone();
    let r = app
        .put(
            &path,
            t,
            json!([{"id": foreign, "text": "x", "speaker": "y"}]),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/0/id"]);
    let reordered = app
        .put(
            &path,
            t,
            json!([{"text": "x", "speaker": "y", "position": 2}]),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        reordered["data"][0]["position"], 1,
        "array order wins over an echoed position"
    );
    app.put(&path, t, json!([])).await.expect(200);
    assert_eq!(app.get(&path, t).await.json()["data"], json!([]));
}

both_backends!(child_writes_honour_if_match_and_change_the_article_etag);
async fn child_writes_honour_if_match_and_change_the_article_etag(app: TestApp) {
    let id = article(&app).await;
    let t = Some(app.admin_token.as_str());
    let path = format!("/api/v1/articles/{id}/highlights");
    let v1 = format!("\"{id}-1\"");
    let r = app
        .send(
            Method::POST,
            &path,
            t,
            &[("If-Match", &v1)],
            Some(json!({"text": "one"})),
        )
        .await
        .expect(201);
    let v2 = r.header("etag").expect("etag");
    assert_ne!(v1, v2);
    app.send(
        Method::POST,
        &path,
        t,
        &[("If-Match", &v1)],
        Some(json!({"text": "two"})),
    )
    .await
    .expect(412);
    let article = app
        .get(&format!("/api/v1/articles/{id}"), t)
        .await
        .expect(200);
    assert_eq!(article.header("etag"), Some(v2));
    assert_eq!(
        article.json()["highlights"].as_array().expect("list").len(),
        1
    );
}

both_backends!(concurrent_appends_keep_positions_contiguous);
async fn concurrent_appends_keep_positions_contiguous(app: TestApp) {
    let id = article(&app).await;
    let path = format!("/api/v1/articles/{id}/quotes");
    let n = 24;
    let requests = (0..n).map(|i| {
        let app = &app;
        let path = path.clone();
        async move {
            app.post(
                &path,
                Some(&app.admin_token),
                json!({"text": format!("q{i}"), "speaker": "s"}),
            )
            .await
            .status
        }
    });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let list = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(positions(&list), (1..=n).collect::<Vec<i64>>());
    let doc = app
        .get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .json();
    assert_eq!(doc["version"], 1 + n);
}

both_backends!(concurrent_inserts_and_deletes_keep_positions_contiguous);
async fn concurrent_inserts_and_deletes_keep_positions_contiguous(app: TestApp) {
    let id = article(&app).await;
    let path = format!("/api/v1/articles/{id}/highlights");
    let t = app.admin_token.clone();
    let mut ids = vec![];
    for i in 0..10 {
        ids.push(
            app.post(&path, Some(&t), json!({"text": format!("h{i}")}))
                .await
                .expect(201)
                .json()["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let deletes = ids.iter().step_by(2).map(|cid| {
        let app = &app;
        let url = format!("{path}/{cid}");
        let t = t.clone();
        async move { app.delete(&url, Some(&t)).await.status }
    });
    let inserts = (0..5).map(|i| {
        let app = &app;
        let path = path.clone();
        let t = t.clone();
        async move {
            app.post(
                &path,
                Some(&t),
                json!({"text": format!("n{i}"), "position": 1}),
            )
            .await
            .status
        }
    });
    let (d, i) = futures_util::future::join(
        futures_util::future::join_all(deletes),
        futures_util::future::join_all(inserts),
    )
    .await;
    assert!(
        d.iter().all(|s| *s == 204) && i.iter().all(|s| *s == 201),
        "{d:?} {i:?}"
    );
    let list = app.get(&path, Some(&t)).await.expect(200).json();
    assert_eq!(positions(&list), (1..=10).collect::<Vec<i64>>());
}

both_backends!(every_kind_serves_all_six_endpoints);
async fn every_kind_serves_all_six_endpoints(app: TestApp) {
    let id = article(&app).await;
    let t = Some(app.admin_token.as_str());
    let kinds = [
        (
            "key-takeaways",
            "key_takeaways",
            json!({"text": "one"}),
            json!({"text": "two"}),
        ),
        (
            "quotes",
            "quotes",
            json!({"text": "one", "speaker": "s"}),
            json!({"text": "two", "speaker": "s"}),
        ),
        (
            "highlights",
            "highlights",
            json!({"text": "one"}),
            json!({"text": "two"}),
        ),
        (
            "risk-notes",
            "risk_notes",
            json!({"title": "one"}),
            json!({"title": "two"}),
        ),
    ];
    for (segment, field, first, second) in kinds {
        let list = format!("/api/v1/articles/{id}/{segment}");
        let created = app.post(&list, t, first.clone()).await.expect(201).json();
        let item = format!("{list}/{}", created["id"].as_str().expect("id"));
        assert_eq!(app.get(&item, t).await.expect(200).json(), created);
        app.patch(&item, t, json!({"position": 1}))
            .await
            .expect(200);
        let replaced = app
            .put(&list, t, json!([created.clone(), second]))
            .await
            .expect(200)
            .json();
        assert_eq!(replaced["data"].as_array().expect("data").len(), 2);
        let doc = app
            .get(&format!("/api/v1/articles/{id}"), t)
            .await
            .expect(200)
            .json();
        assert_eq!(
            doc[field], replaced["data"],
            "{segment} in the document equals its list"
        );
        let deleted = app.delete(&item, t).await;
        assert_eq!(deleted.status, 204, "{segment}");
        app.get(&item, t).await.expect(404);
        app.send(awc::http::Method::POST, &item, t, &[], Some(json!({})))
            .await
            .expect(405);
        assert_eq!(
            app.get(&list, t).await.expect(200).json()["data"]
                .as_array()
                .expect("data")
                .len(),
            1
        );
    }
}
