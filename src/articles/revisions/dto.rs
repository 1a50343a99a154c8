//! Wire shapes of revisions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::models::RevisionRow;
use crate::articles::dto::Article;
use crate::children::dto::ListMeta;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorRef {
    /// The user's id.
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// The user's name at the time of the change.
    #[schema(example = "Mara Lind")]
    pub name: String,
}

/// One recorded change of an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Revision {
    /// The article version this change produced.
    #[schema(example = 4)]
    pub version: i64,
    /// How the change came about: `create`, `update`, `publish`, `unpublish`, `archive`,
    /// `schedule`, `restore` or `import`.
    #[schema(example = "update")]
    pub action: String,
    /// Who made it; `null` for the scheduler and for history recorded by an upgrade.
    pub actor: Option<ActorRef>,
    /// When (RFC 3339, UTC): the article's `updated_at` at this version.
    pub at: DateTime<Utc>,
    /// The top-level fields whose value differs from the previous revision (`version` and
    /// `updated_at`, which every change touches, are not listed).
    #[schema(example = json!(["title", "quotes"]))]
    pub changed: Vec<String>,
}

impl From<RevisionRow> for Revision {
    fn from(row: RevisionRow) -> Self {
        let actor = match (row.actor_id, row.actor_name) {
            (Some(id), name) => Some(ActorRef {
                id,
                name: name.unwrap_or_default(),
            }),
            _ => None,
        };
        Self {
            version: row.version,
            action: row.action,
            actor,
            at: row.at.and_utc(),
            changed: serde_json::from_str(&row.changed).unwrap_or_default(),
        }
    }
}

/// One revision with the whole document as it stood after the change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionDetail {
    #[serde(flatten)]
    pub revision: Revision,
    /// The article document at this version.
    pub document: Article,
}

/// A page of revisions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionPage {
    /// The revisions on this page.
    pub data: Vec<Revision>,
    /// Paging information.
    pub meta: ListMeta,
}

/// A revision as exported and imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedRevision {
    pub article_id: String,
    pub version: i64,
    pub action: String,
    pub actor: Option<ActorRef>,
    pub at: DateTime<Utc>,
    pub changed: Vec<String>,
    pub document: serde_json::Value,
}
