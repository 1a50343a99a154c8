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

both_backends!(children_append_insert_move_and_delete_keeping_positions_contiguous);
async fn children_append_insert_move_and_delete_keeping_positions_contiguous(app: TestApp) {
    let id = article(&app).await;
    let base = format!("/api/v1/articles/{id}/key-takeaways");
    let t = Some(app.admin_token.as_str());
    for text in ["a", "b", "c"] {
        app.post(&base, t, json!({"text": text})).await.expect(201);
    }
    let r = app
        .post(&base, t, json!({"text": "first", "position": 1}))
        .await
        .expect(201);
    assert_eq!(r.json()["position"], 1);
    assert_eq!(r.header("etag"), Some(format!("\"{id}-5\"")));
    let location = r.header("location").expect("location");
    let first_id = r.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("{base}/{first_id}"));
    let list = app.get(&base, t).await.expect(200).json();
    assert_eq!(texts(&list, "text"), ["first", "a", "b", "c"]);
    assert_eq!(positions(&list), [1, 2, 3, 4]);

    let moved = app
        .patch(&format!("{base}/{first_id}"), t, json!({"position": 3}))
        .await
        .expect(200);
    assert_eq!(moved.json()["position"], 3);
    let list = app.get(&base, t).await.expect(200).json();
    assert_eq!(texts(&list, "text"), ["a", "b", "first", "c"]);
    assert_eq!(positions(&list), [1, 2, 3, 4]);

    let a_id = list["data"][0]["id"].as_str().expect("id").to_owned();
    app.patch(
        &format!("{base}/{a_id}"),
        t,
        json!({"text": "a2", "position": 4}),
    )
    .await
    .expect(200);
    let list = app.get(&base, t).await.expect(200).json();
    assert_eq!(texts(&list, "text"), ["b", "first", "c", "a2"]);

    let deleted = app.delete(&format!("{base}/{first_id}"), t).await;
    assert_eq!(deleted.status, 204);
    let list = app.get(&base, t).await.expect(200).json();
    assert_eq!(texts(&list, "text"), ["b", "c", "a2"]);
    assert_eq!(positions(&list), [1, 2, 3]);

    let doc = app.get(&format!("/api/v1/articles/{id}"), t).await.json();
    assert_eq!(doc["version"], 8, "one version per child write");
    app.post(&base, t, json!({"text": "x", "position": 9}))
        .await
        .expect(422);
    app.patch(&format!("{base}/{a_id}"), t, json!({"position": 0}))
        .await
        .expect(422);
    app.post(&base, t, json!({"text": ""})).await.expect(422);
    app.post(&base, t, json!({"text": "x", "id": a_id}))
        .await
        .expect(422);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}"), t).await.json()["version"],
        8,
        "failed writes bump nothing"
    );
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
