//! Feeds, sitemaps and JSON-LD (SPEC §10): only published articles, parsed by real parsers,
//! escaped, filtered by tag, revalidated with ETags, and loaded in one query. Helpers shared by
//! the three files live here.

mod feeds;
mod jsonld;
mod sitemaps;

use chrono::{TimeDelta, Utc};
use quick_xml::events::Event;
use serde_json::{json, Value};

use crate::helpers::{Resp, TestApp};

pub fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_owned()
}

pub async fn action(app: &TestApp, id: &str, action: &str, body: Value) {
    let path = format!("/api/v1/articles/{id}/{action}");
    app.post(&path, Some(&app.admin_token), body)
        .await
        .expect(200);
}

/// Published articles oldest first, plus a draft, a scheduled, an archived and an
/// unpublished one; answers the published ids, newest first.
pub async fn mixed_articles(app: &TestApp) -> Vec<String> {
    let mut published = Vec::new();
    for title in ["First story", "Second story", "Third story"] {
        published.push(id_of(&app.create_published(json!({"title": title})).await));
    }
    app.create_article(json!({"title": "A draft"})).await;
    let scheduled = id_of(
        &app.create_article(json!({"title": "A scheduled one"}))
            .await,
    );
    let later = (Utc::now() + TimeDelta::days(2)).to_rfc3339();
    action(app, &scheduled, "schedule", json!({"publish_at": later})).await;
    let archived = id_of(
        &app.create_published(json!({"title": "An archived one"}))
            .await,
    );
    action(app, &archived, "archive", json!({})).await;
    let unpublished = id_of(
        &app.create_published(json!({"title": "An unpublished one"}))
            .await,
    );
    action(app, &unpublished, "unpublish", json!({})).await;
    published.reverse();
    published
}

pub async fn feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let r = app.get(path, None).await.expect(200);
    feed_rs::parser::parse(&r.body[..]).unwrap_or_else(|e| {
        panic!(
            "{path} does not parse ({e}): {}",
            String::from_utf8_lossy(&r.body)
        )
    })
}

pub fn content_type(r: &Resp) -> String {
    r.header("content-type").unwrap_or_default()
}

/// The text of every element named `name` (local name), in document order.
pub fn texts_of(xml: &[u8], name: &str) -> Vec<String> {
    let xml = std::str::from_utf8(xml).expect("UTF-8");
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.local_name().as_ref() == name => {
                let raw = reader.read_text(e.name()).expect("text");
                out.push(
                    quick_xml::escape::unescape(&raw)
                        .expect("escaped")
                        .into_owned(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

pub fn article_url(id: &str, app_docs: &[Value]) -> String {
    let slug = app_docs
        .iter()
        .find(|d| d["id"] == id)
        .and_then(|d| d["slug"].as_str())
        .expect("slug");
    format!("http://127.0.0.1:8080/articles/{slug}")
}
