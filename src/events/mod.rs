//! Events: the transactional outbox behind the change feed and webhooks.
//!
//! The article write pipeline calls [`record`] inside the change's own transaction, so an
//! event exists exactly when its change committed: a rolled-back write leaves none, and one
//! that committed keeps its event through any crash. Recording an event also queues one
//! delivery per webhook that subscribes to it, in the same transaction.

pub mod dto;
pub mod handlers;
pub mod store;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use self::dto::{Event, EventArticle};
use crate::articles::dto::ArticleStatus;
use crate::articles::revisions::Action;
use crate::db::{now, AnyConnection};
use crate::error::AppError;
use crate::webhooks;

/// What happened to an article.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub enum EventType {
    #[serde(rename = "article.created")]
    Created,
    #[serde(rename = "article.updated")]
    Updated,
    #[serde(rename = "article.published")]
    Published,
    #[serde(rename = "article.unpublished")]
    Unpublished,
    #[serde(rename = "article.archived")]
    Archived,
    #[serde(rename = "article.scheduled")]
    Scheduled,
    #[serde(rename = "article.deleted")]
    Deleted,
}

impl EventType {
    /// Every type, in the order the API lists them.
    pub const ALL: [Self; 7] = [
        Self::Created,
        Self::Updated,
        Self::Published,
        Self::Unpublished,
        Self::Archived,
        Self::Scheduled,
        Self::Deleted,
    ];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "article.created",
            Self::Updated => "article.updated",
            Self::Published => "article.published",
            Self::Unpublished => "article.unpublished",
            Self::Archived => "article.archived",
            Self::Scheduled => "article.scheduled",
            Self::Deleted => "article.deleted",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The event a revision action produces.
    pub fn of_action(action: Action) -> Self {
        match action {
            Action::Create | Action::Import => Self::Created,
            Action::Update | Action::Restore => Self::Updated,
            Action::Publish => Self::Published,
            Action::Unpublish => Self::Unpublished,
            Action::Archive => Self::Archived,
            Action::Schedule => Self::Scheduled,
        }
    }
}

/// The article an event is about, as it stands after the change (for a deletion: as it stood,
/// with the version the deletion would have produced).
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub id: &'a str,
    pub slug: &'a str,
    pub version: i64,
    pub status: ArticleStatus,
}

/// Whether an event touches what the public can see: the article is published after the
/// change, or was published before it (it left publication, or was deleted while public).
pub fn is_public(before: Option<ArticleStatus>, after: Option<ArticleStatus>) -> bool {
    before == Some(ArticleStatus::Published) || after == Some(ArticleStatus::Published)
}

/// Records the event of a change to `subject` and queues its webhook deliveries, in the
/// caller's transaction. `was` is the article's status before the change (`None` when it
/// did not exist).
pub fn record(
    conn: &mut AnyConnection,
    kind: EventType,
    subject: Subject<'_>,
    was: Option<ArticleStatus>,
) -> Result<(), AppError> {
    let after = (kind != EventType::Deleted).then_some(subject.status);
    let event = Event {
        id: Uuid::now_v7().to_string(),
        kind,
        occurred_at: DateTime::<Utc>::from_naive_utc_and_offset(now(), Utc),
        article: EventArticle {
            id: subject.id.to_owned(),
            slug: subject.slug.to_owned(),
            version: subject.version,
            status: subject.status,
        },
    };
    store::insert(conn, &event, is_public(was, after))?;
    webhooks::store::enqueue(conn, &event)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleStatus::*;

    #[test]
    fn public_events_are_those_where_the_article_is_or_was_published() {
        assert!(is_public(None, Some(Published)));
        assert!(is_public(Some(Published), Some(Published)));
        assert!(is_public(Some(Published), Some(Archived)));
        assert!(is_public(Some(Published), None));
        assert!(!is_public(None, Some(Draft)));
        assert!(!is_public(Some(Draft), Some(Scheduled)));
        assert!(!is_public(Some(Archived), None));
    }

    #[test]
    fn every_revision_action_has_an_event_type() {
        for action in Action::ALL {
            let kind = EventType::of_action(action);
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventType::of_action(Action::Restore), EventType::Updated);
        assert_eq!(EventType::of_action(Action::Import), EventType::Created);
    }
}
