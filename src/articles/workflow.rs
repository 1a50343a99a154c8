//! The workflow of an article — draft, scheduled, published, archived — as one pure decision:
//! what a transition does to an article's status and publication times, or that it does
//! nothing.

use chrono::NaiveDateTime;

use super::domain::ArticleState;
use super::dto::ArticleStatus;
use crate::error::AppError;

/// A workflow action on an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Publish,
    Unpublish,
    Archive,
    /// Publish automatically at this time (UTC, in the future).
    Schedule(NaiveDateTime),
    /// The scheduler publishing an article whose time has come.
    PublishDue,
}

/// The workflow columns a transition writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowChange {
    pub status: ArticleStatus,
    pub publish_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    /// The time lists sort the article by: first publication, or creation while unpublished.
    pub listed_at: NaiveDateTime,
}

/// What a transition does to an article at `now`: `Ok(None)` when it would change nothing.
/// `published_at` is set on first publication and kept afterwards; a scheduled publication
/// counts from the scheduled time.
pub fn decide_transition(
    state: &ArticleState,
    action: Transition,
    now: NaiveDateTime,
) -> Result<Option<WorkflowChange>, AppError> {
    let (status, publish_at, first_published) = match action {
        Transition::Publish => (ArticleStatus::Published, None, now),
        Transition::Unpublish => (ArticleStatus::Draft, None, now),
        Transition::Archive => (ArticleStatus::Archived, None, now),
        Transition::Schedule(at) => (ArticleStatus::Scheduled, Some(at), now),
        Transition::PublishDue => match state.publish_at {
            Some(at) if state.status == ArticleStatus::Scheduled && at <= now => {
                (ArticleStatus::Published, None, at)
            }
            // Published, unscheduled or rescheduled by someone else meanwhile.
            _ => return Ok(None),
        },
    };
    if status == ArticleStatus::Scheduled && state.status == ArticleStatus::Published {
        return Err(AppError::Conflict(
            "the article is already published; unpublish it before scheduling".into(),
        ));
    }
    if state.status == status && state.publish_at == publish_at {
        return Ok(None);
    }
    let published_at = match status {
        ArticleStatus::Published => state.published_at.or(Some(first_published)),
        _ => state.published_at,
    };
    Ok(Some(WorkflowChange {
        status,
        publish_at,
        published_at,
        listed_at: published_at.unwrap_or(state.created_at),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 8, 18)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("time")
    }

    fn state(status: ArticleStatus) -> ArticleState {
        ArticleState {
            id: "a".into(),
            slug: "s".into(),
            status,
            author_id: "u".into(),
            version: 3,
            publish_at: None,
            published_at: None,
            created_at: at(1),
            updated_at: at(2),
        }
    }

    #[test]
    fn first_publication_sets_published_at_and_later_ones_keep_it() {
        let first = decide_transition(&state(ArticleStatus::Draft), Transition::Publish, at(5))
            .expect("ok")
            .expect("changes");
        assert_eq!(first.published_at, Some(at(5)));
        assert_eq!(first.listed_at, at(5));
        let mut again = state(ArticleStatus::Draft);
        again.published_at = Some(at(3));
        let second = decide_transition(&again, Transition::Publish, at(9))
            .expect("ok")
            .expect("changes");
        assert_eq!(second.published_at, Some(at(3)));
    }

    #[test]
    fn a_transition_to_the_current_state_changes_nothing() {
        let none = decide_transition(&state(ArticleStatus::Archived), Transition::Archive, at(5));
        assert_eq!(none.ok(), Some(None));
    }

    #[test]
    fn a_published_article_cannot_be_scheduled() {
        let err = decide_transition(
            &state(ArticleStatus::Published),
            Transition::Schedule(at(9)),
            at(5),
        );
        assert!(matches!(err, Err(AppError::Conflict(_))));
    }

    #[test]
    fn a_due_publication_counts_from_the_scheduled_time() {
        let mut due = state(ArticleStatus::Scheduled);
        due.publish_at = Some(at(4));
        let change = decide_transition(&due, Transition::PublishDue, at(5))
            .expect("ok")
            .expect("changes");
        assert_eq!(change.status, ArticleStatus::Published);
        assert_eq!(change.published_at, Some(at(4)));
        assert_eq!(change.publish_at, None);
    }

    #[test]
    fn a_due_publication_of_an_article_no_longer_scheduled_changes_nothing() {
        let mut moved = state(ArticleStatus::Scheduled);
        moved.publish_at = Some(at(8));
        assert_eq!(
            decide_transition(&moved, Transition::PublishDue, at(5)).ok(),
            Some(None)
        );
        assert_eq!(
            decide_transition(&state(ArticleStatus::Draft), Transition::PublishDue, at(5)).ok(),
            Some(None)
        );
    }
}
