//! Articles as the rules see them: the validated draft a write stores, the stored state a
//! decision needs, and the pure decisions of the write pipeline (echoed read-only fields, free
//! slugs, related articles, restoring a revision). Workflow transitions are in `workflow`.
//! No database, no HTTP.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::dto::{Article, ArticleStatus};
use crate::children::{ChildDraft, ChildFields};
use crate::error::{AppError, FieldErrors};

pub use super::validation::{
    slug_from_title, validate, MAX_AUTHORS, MAX_RELATED, MAX_SLUG, MAX_TAGS, MAX_TAG_CHARS,
};
pub use super::workflow::{decide_transition, Transition, WorkflowChange};

/// What an `If-Match` header requires of one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// No precondition, or `*`.
    None,
    /// The article must be at this version.
    Version(i64),
    /// No listed tag can match this article.
    Unsatisfiable,
}

/// What the rules need to know of a stored article: who owns it, where it is in the
/// workflow, and its bookkeeping times. Content is not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleState {
    pub id: String,
    pub slug: String,
    pub status: ArticleStatus,
    pub author_id: String,
    /// The version the article is at (inside a write: the version the write will produce).
    pub version: i64,
    pub publish_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A validated article body, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    /// `None` means: generate on create, keep on replace.
    pub slug: Option<String>,
    pub title: String,
    pub dek: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub summary: Option<String>,
    pub body: Option<String>,
    pub analysis: Option<String>,
    pub kicker: Option<String>,
    pub source: Option<String>,
    pub language: String,
    pub tags: Vec<String>,
    pub key_takeaways: Vec<ChildDraft>,
    pub quotes: Vec<ChildDraft>,
    pub highlights: Vec<ChildDraft>,
    pub risk_notes: Vec<ChildDraft>,
    pub related: Vec<String>,
    /// Credited author ids, in byline order.
    pub authors: Vec<String>,
}

impl ArticleDraft {
    /// Whether the scalar fields (everything but tags, children and related) are equal.
    pub fn same_scalars(&self, other: &Self) -> bool {
        fn scalars(d: &ArticleDraft) -> impl PartialEq + '_ {
            (
                (&d.slug, &d.title, &d.dek, &d.seo_title, &d.seo_description),
                (&d.summary, &d.body, &d.analysis, &d.kicker, &d.source),
                &d.language,
            )
        }
        scalars(self) == scalars(other)
    }

    /// Whether the scalar fields that full-text search covers (title, dek, summary, body) are
    /// equal; quotes are searched too and compared by the caller.
    pub fn same_searched_text(&self, other: &Self) -> bool {
        (&self.title, &self.dek, &self.summary, &self.body)
            == (&other.title, &other.dek, &other.summary, &other.body)
    }
}

/// The read-only fields a client sent back; they must equal the stored values.
#[derive(Debug, Clone, Default)]
pub struct ReadOnlyEcho {
    pub id: Option<String>,
    pub status: Option<ArticleStatus>,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: Option<i64>,
    pub author_id: Option<String>,
}

impl ReadOnlyEcho {
    /// Refuses every read-only field: a new article has none yet.
    pub fn refuse_on_create(&self) -> Result<(), AppError> {
        let mut errs = FieldErrors::default();
        for (present, field) in [
            (self.id.is_some(), "id"),
            (self.status.is_some(), "status"),
            (self.publish_at.is_some(), "publish_at"),
            (self.published_at.is_some(), "published_at"),
            (self.created_at.is_some(), "created_at"),
            (self.updated_at.is_some(), "updated_at"),
            (self.version.is_some(), "version"),
            (self.author_id.is_some(), "author_id"),
        ] {
            if present {
                errs.push(
                    format!("/{field}"),
                    "is set by the server; omit it when creating an article",
                );
            }
        }
        errs.finish(())
    }

    /// Checks that every read-only field sent back equals the stored value. `stored` is the
    /// article as it was before this write (its version included).
    pub fn check_against(&self, stored: &ArticleState) -> Result<(), AppError> {
        let mut errs = FieldErrors::default();
        let same_time = |sent: Option<DateTime<Utc>>, stored: Option<NaiveDateTime>| {
            sent.is_none_or(|s| Some(s.naive_utc()) == stored)
        };
        if self.id.as_ref().is_some_and(|id| id != &stored.id) {
            errs.push(
                "/id",
                "is read-only and must equal the article's id; to copy an article, POST it without id",
            );
        }
        if self.version.is_some_and(|v| v != stored.version) {
            errs.push(
                "/version",
                format!("is read-only (the article is at version {}); send If-Match with the article's ETag for optimistic concurrency", stored.version),
            );
        }
        if self.status.is_some_and(|s| s != stored.status) {
            errs.push(
                "/status",
                "is read-only; use POST /api/v1/articles/{id}/publish, /unpublish or /archive",
            );
        }
        if !same_time(self.publish_at, stored.publish_at) {
            errs.push(
                "/publish_at",
                "is read-only; it is set by scheduling the article",
            );
        }
        for (sent, value, field) in [
            (self.published_at, stored.published_at, "published_at"),
            (self.created_at, Some(stored.created_at), "created_at"),
            (self.updated_at, Some(stored.updated_at), "updated_at"),
        ] {
            if !same_time(sent, value) {
                errs.push(
                    format!("/{field}"),
                    "is read-only and set by the server; send it back unchanged or omit it",
                );
            }
        }
        if self
            .author_id
            .as_ref()
            .is_some_and(|a| a != &stored.author_id)
        {
            errs.push(
                "/author_id",
                "is read-only; the author is the user who created the article",
            );
        }
        errs.finish(())
    }
}

/// `base`, or `base-2`, `base-3`, … — the first that is not among `taken`, within the slug
/// length limit.
pub fn free_slug(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|s| s == base) {
        return base.to_owned();
    }
    let mut n = 2;
    loop {
        let suffix = format!("-{n}");
        let stem: String = base.chars().take(MAX_SLUG - suffix.len()).collect();
        let candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
        if !taken.contains(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// Checks a related list: never the article itself, and every id not already related must
/// be among `visible`, the articles the writer may see (so the check reveals nothing the
/// writer could not read).
pub fn check_related(
    id: &str,
    related: &[String],
    stored: &[String],
    visible: &[String],
) -> Result<(), AppError> {
    let mut errs = FieldErrors::default();
    for (i, rid) in related.iter().enumerate() {
        if rid == id {
            errs.push(
                format!("/related/{i}"),
                "an article cannot be related to itself",
            );
        } else if !stored.contains(rid) && !visible.contains(rid) {
            errs.push(format!("/related/{i}"), "no article with this id");
        }
    }
    errs.finish(())
}

fn child_drafts<T>(items: &[T], draft: impl Fn(&T) -> ChildDraft) -> Vec<ChildDraft> {
    items.iter().map(draft).collect()
}

/// The draft that makes an article's content equal to a document it had: title, slug, every
/// text field, tags, children with their ids, and related articles. Status and publication
/// times are not part of a draft.
pub fn draft_from_document(doc: &Article) -> ArticleDraft {
    let text_item = |id: &str, text: &str| ChildDraft {
        id: Some(id.to_owned()),
        fields: ChildFields {
            text: Some(text.to_owned()),
            ..ChildFields::default()
        },
    };
    ArticleDraft {
        slug: Some(doc.slug.clone()),
        title: doc.title.clone(),
        dek: doc.dek.clone(),
        seo_title: doc.seo_title.clone(),
        seo_description: doc.seo_description.clone(),
        summary: doc.summary.clone(),
        body: doc.body.clone(),
        analysis: doc.analysis.clone(),
        kicker: doc.kicker.clone(),
        source: doc.source.clone(),
        language: doc.language.clone(),
        tags: doc.tags.clone(),
        key_takeaways: child_drafts(&doc.key_takeaways, |k| text_item(&k.id, &k.text)),
        quotes: child_drafts(&doc.quotes, |q| ChildDraft {
            id: Some(q.id.clone()),
            fields: ChildFields {
                text: Some(q.text.clone()),
                speaker: Some(q.speaker.clone()),
                context: q.context.clone(),
                source_url: q.source_url.clone(),
                ..ChildFields::default()
            },
        }),
        highlights: child_drafts(&doc.highlights, |h| text_item(&h.id, &h.text)),
        risk_notes: child_drafts(&doc.risk_notes, |r| ChildDraft {
            id: Some(r.id.clone()),
            fields: ChildFields {
                title: Some(r.title.clone()),
                body: r.body.clone(),
                severity: Some(r.severity.as_str().to_owned()),
                category: r.category.clone(),
                ..ChildFields::default()
            },
        }),
        related: doc.related.iter().map(|r| r.id.clone()).collect(),
        authors: doc.authors.iter().map(|a| a.id.clone()).collect(),
    }
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
    fn a_taken_slug_gets_the_first_free_number() {
        assert_eq!(free_slug("vote", &[]), "vote");
        assert_eq!(
            free_slug("vote", &["vote".into(), "vote-2".into()]),
            "vote-3"
        );
        let long = "a".repeat(MAX_SLUG);
        let next = free_slug(&long, std::slice::from_ref(&long));
        assert!(next.len() <= MAX_SLUG && next.ends_with("-2"), "{next}");
    }

    #[test]
    fn related_articles_must_be_visible_and_not_the_article_itself() {
        let related = vec![
            "self".to_owned(),
            "old".into(),
            "seen".into(),
            "hidden".into(),
        ];
        let err = check_related("self", &related, &["old".into()], &["seen".into()]);
        let Err(AppError::Validation(errors)) = err else {
            panic!("expected a validation error")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/related/0", "/related/3"]);
    }

    #[test]
    fn echoed_read_only_fields_must_equal_the_stored_ones() {
        let stored = state(ArticleStatus::Draft);
        let same = ReadOnlyEcho {
            id: Some("a".into()),
            version: Some(3),
            status: Some(ArticleStatus::Draft),
            created_at: Some(at(1).and_utc()),
            ..ReadOnlyEcho::default()
        };
        assert!(same.check_against(&stored).is_ok());
        let changed = ReadOnlyEcho {
            version: Some(2),
            author_id: Some("someone-else".into()),
            ..ReadOnlyEcho::default()
        };
        let Err(AppError::Validation(errors)) = changed.check_against(&stored) else {
            panic!("expected a validation error")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/version", "/author_id"]);
    }
}
