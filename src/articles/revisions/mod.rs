//! Revisions: every change to an article records the whole document as it stood after the
//! change, with who made it, how, and which top-level fields it changed. Written by the
//! article write pipeline in the change's own transaction; read and restored through
//! `handlers`.

pub mod dto;
pub mod handlers;
pub mod models;
pub mod store;

use diesel::QueryResult;
use serde_json::Value;

use self::models::NewRevision;
use super::dto::Article;
use crate::auth::AuthUser;
use crate::db::{now, AnyConnection};
use crate::error::AppError;

/// How a revision came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Publish,
    Unpublish,
    Archive,
    Schedule,
    Restore,
    Import,
}

impl Action {
    /// Every action, for the API description.
    pub const ALL: [Self; 8] = [
        Self::Create,
        Self::Update,
        Self::Publish,
        Self::Unpublish,
        Self::Archive,
        Self::Schedule,
        Self::Restore,
        Self::Import,
    ];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Publish => "publish",
            Self::Unpublish => "unpublish",
            Self::Archive => "archive",
            Self::Schedule => "schedule",
            Self::Restore => "restore",
            Self::Import => "import",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Fields every change touches, or that follow from others (`body`, `analysis`); listing them
/// in `changed` would say nothing.
const BOOKKEEPING: [&str; 4] = [
    "version",
    "updated_at",
    "word_count",
    "reading_time_minutes",
];

/// The top-level fields whose value differs between two documents, in document order. With
/// no earlier document, every field that holds something counts as changed.
pub fn changed_fields(before: Option<&Value>, after: &Value) -> Vec<String> {
    let Value::Object(after) = after else {
        return Vec::new();
    };
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    after
        .iter()
        .filter(|(k, _)| !BOOKKEEPING.contains(&k.as_str()))
        .filter(|(k, v)| match before {
            Some(b) => b.get(k.as_str()) != Some(*v),
            None => !empty(v),
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// Records the revision of `doc`, the article as it stands after a change, and answers the
/// fields the change touched. `keep` > 0 keeps only that many newest revisions.
pub fn record(
    conn: &mut AnyConnection,
    doc: &Article,
    action: Action,
    actor: Option<&AuthUser>,
    keep: i64,
) -> Result<Vec<String>, AppError> {
    let after = serde_json::to_value(doc).map_err(|e| AppError::internal(e.to_string()))?;
    let before: Option<Value> =
        store::latest_document(conn, &doc.id)?.and_then(|json| serde_json::from_str(&json).ok());
    let changed = changed_fields(before.as_ref(), &after);
    let changed_json =
        serde_json::to_string(&changed).map_err(|e| AppError::internal(e.to_string()))?;
    let document = after.to_string();
    store::insert(
        conn,
        &NewRevision {
            article_id: &doc.id,
            version: doc.version,
            action: action.as_str(),
            actor_id: actor.map(|a| a.id.as_str()),
            actor_name: actor.map(|a| a.name.as_str()),
            at: doc.updated_at.naive_utc(),
            changed: &changed_json,
            document: &document,
        },
    )?;
    if keep > 0 {
        store::prune(conn, &doc.id, keep)?;
    }
    Ok(changed)
}

/// Gives every article without a revision one of its current state (action `import`, no
/// actor), so that history starts somewhere for articles stored before revisions were kept.
pub fn backfill(conn: &mut AnyConnection) -> QueryResult<usize> {
    let ids = store::articles_without(conn)?;
    for chunk in ids.chunks(200) {
        for doc in super::document::load(conn, chunk, super::document::Viewer::Staff)? {
            let after = serde_json::to_value(&doc).unwrap_or(Value::Null);
            let changed = serde_json::to_string(&changed_fields(None, &after)).unwrap_or_default();
            store::insert(
                conn,
                &NewRevision {
                    article_id: &doc.id,
                    version: doc.version,
                    action: Action::Import.as_str(),
                    actor_id: None,
                    actor_name: None,
                    at: now(),
                    changed: &changed,
                    document: &after.to_string(),
                },
            )?;
        }
    }
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_lists_the_fields_that_differ_without_bookkeeping() {
        let before =
            json!({"title": "a", "tags": ["x"], "version": 1, "updated_at": "t1", "dek": null});
        let after =
            json!({"title": "b", "tags": ["x"], "version": 2, "updated_at": "t2", "dek": "d"});
        assert_eq!(changed_fields(Some(&before), &after), ["title", "dek"]);
    }

    #[test]
    fn a_first_revision_lists_every_field_that_holds_something() {
        let after = json!({"id": "i", "title": "t", "dek": null, "quotes": [], "tags": ["x"], "version": 1});
        assert_eq!(changed_fields(None, &after), ["id", "title", "tags"]);
    }

    #[test]
    fn actions_round_trip_through_their_names() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }
}
