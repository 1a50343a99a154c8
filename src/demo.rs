//! The demo article loaded into an empty database, so a frontend has something to fetch at once.

use crate::articles::service::{self, Editor};
use crate::articles::{domain, dto::ArticleInput, store};
use crate::auth::AuthUser;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::validate::parse_json;

const DEMO_ARTICLE: &str = include_str!("demo/article.json");

/// Loads the demo article, published, unless an article exists already. Returns its slug.
pub fn load(conn: &mut AnyConnection, author: &AuthUser) -> Result<Option<String>, AppError> {
    if store::any_exists(conn)? {
        return Ok(None);
    }
    let input: ArticleInput = parse_json(DEMO_ARTICLE.as_bytes())?;
    let (draft, echo) = domain::validate(input)?;
    let editor = Editor::user(author.clone(), 0);
    let article = service::articles::create(conn, &editor, draft, &echo, true)?;
    Ok(Some(article.slug))
}

/// The demo article as a request body: the OpenAPI example of `ArticleInput`.
pub fn input_example() -> serde_json::Value {
    serde_json::from_str(DEMO_ARTICLE).unwrap_or_default()
}

/// The demo article as served, with fixed ids and times: the OpenAPI example of `Article`.
pub fn document_example() -> serde_json::Value {
    use serde_json::{json, Value};
    let mut doc = input_example();
    let Value::Object(input) = &mut doc else {
        return doc;
    };
    let mut out = serde_json::Map::new();
    out.insert("id".into(), json!("0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d"));
    for key in [
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
    ] {
        out.insert(key.into(), input.remove(key).unwrap_or(Value::Null));
    }
    out.insert("status".into(), json!("published"));
    out.insert("publish_at".into(), Value::Null);
    out.insert("published_at".into(), json!("2026-08-18T14:05:00Z"));
    out.insert("created_at".into(), json!("2026-08-18T13:40:12Z"));
    out.insert("updated_at".into(), json!("2026-08-18T14:05:00Z"));
    out.insert("version".into(), json!(3));
    out.insert(
        "author_id".into(),
        json!("0198b7c0-0a1b-7d2e-8f30-4a5b6c7d8e9f"),
    );
    for (n, kind) in ["key_takeaways", "quotes", "highlights", "risk_notes"]
        .into_iter()
        .enumerate()
    {
        let mut items = input.remove(kind).unwrap_or(json!([]));
        if let Value::Array(items) = &mut items {
            for (i, item) in items.iter_mut().enumerate() {
                if let Value::Object(item) = item {
                    let mut with_id = serde_json::Map::new();
                    with_id.insert(
                        "id".into(),
                        json!(format!("0198b7c1-3000-7000-8000-0000000{n}{i:04}")),
                    );
                    with_id.insert("position".into(), json!(i + 1));
                    with_id.append(item);
                    *item = with_id;
                }
            }
        }
        out.insert(kind.into(), items);
    }
    out.insert("related".into(), json!([]));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_article_is_valid_and_fills_every_part() {
        let input: ArticleInput = parse_json(DEMO_ARTICLE.as_bytes()).expect("demo parses");
        let (draft, _) = domain::validate(input).expect("demo is valid");
        assert!(draft.slug.is_some() && draft.body.is_some() && draft.analysis.is_some());
        assert!(!draft.key_takeaways.is_empty() && !draft.quotes.is_empty());
        assert!(
            !draft.highlights.is_empty() && !draft.risk_notes.is_empty() && !draft.tags.is_empty()
        );
    }
}
