//! `If-Match` on every write to an article or its parts: a stale ETag is a 412 and changes
//! nothing — no content, no version, no revision.

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{full_article, TestApp};

/// Every write operation on an article and its parts, as (method, path, body), for an article
/// `id` whose first child of each kind is given.
fn writes(id: &str, doc: &Value) -> Vec<(Method, String, Option<Value>)> {
    let a = format!("/api/v1/articles/{id}");
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let mut ops = vec![
        (Method::PUT, a.clone(), Some(json!({"title": "Replaced"}))),
        (Method::PATCH, a.clone(), Some(json!({"title": "Patched"}))),
        (Method::DELETE, a.clone(), None),
        (Method::POST, format!("{a}/publish"), Some(json!({}))),
        (Method::POST, format!("{a}/unpublish"), Some(json!({}))),
        (Method::POST, format!("{a}/archive"), Some(json!({}))),
        (
            Method::POST,
            format!("{a}/schedule"),
            Some(json!({"publish_at": later})),
        ),
        (
            Method::POST,
            format!("{a}/revisions/1/restore"),
            Some(json!({})),
        ),
    ];
    for (segment, field, item) in [
        ("key-takeaways", "key_takeaways", json!({"text": "t"})),
        ("quotes", "quotes", json!({"text": "q", "speaker": "s"})),
        ("highlights", "highlights", json!({"text": "h"})),
        ("risk-notes", "risk_notes", json!({"title": "r"})),
    ] {
        let list = format!("{a}/{segment}");
        let child = doc[field][0]["id"].as_str().expect("child id");
        ops.push((Method::POST, list.clone(), Some(item.clone())));
        ops.push((Method::PATCH, format!("{list}/{child}"), Some(item.clone())));
        ops.push((Method::DELETE, format!("{list}/{child}"), None));
        ops.push((Method::PUT, list, Some(json!([item]))));
    }
    ops
}

async fn state(app: &TestApp, id: &str) -> (Value, usize) {
    let doc = app
        .get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    let revisions = app
        .get(
            &format!("/api/v1/articles/{id}/revisions?limit=100"),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    (doc, revisions["data"].as_array().expect("data").len())
}

both_backends!(every_write_with_a_stale_if_match_is_412_and_changes_nothing);
async fn every_write_with_a_stale_if_match_is_412_and_changes_nothing(app: TestApp) {
    let doc = app.create_article(full_article("Guarded by ETags")).await;
    let id = doc["id"].as_str().expect("id").to_owned();
    // Version 2, so that the stale tag names a version that did exist.
    app.patch(
        &format!("/api/v1/articles/{id}"),
        Some(&app.admin_token),
        json!({"dek": "v2"}),
    )
    .await
    .expect(200);
    let before = state(&app, &id).await;
    let stale = format!("\"{id}-1\"");
    let ops = writes(&id, &before.0);
    assert_eq!(ops.len(), 24);
    for (method, path, body) in ops {
        let r = app
            .send(
                method.clone(),
                &path,
                Some(&app.admin_token),
                &[("If-Match", &stale)],
                body,
            )
            .await;
        assert_eq!(
            r.status,
            412,
            "{method} {path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(
            state(&app, &id).await,
            before,
            "{method} {path} changed something"
        );
    }
}
