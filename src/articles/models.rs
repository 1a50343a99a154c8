//! Diesel rows of the `articles` table; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::domain::{ArticleDraft, ArticleState};
use super::dto::ArticleStatus;
use crate::db::schema::articles;

/// A stored article (without tags, children or related articles).
#[derive(Debug, Clone, Queryable)]
pub struct ArticleRow {
    pub id: String,
    pub slug: String,
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
    pub status: String,
    pub publish_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    pub author_id: String,
    /// `published_at`, or `created_at` while never published: the key lists sort by.
    pub listed_at: NaiveDateTime,
}

/// The editable scalar columns, written on create, PUT and PATCH.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct ArticleScalars {
    pub slug: String,
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
}

impl ArticleScalars {
    /// The scalars a stored row holds.
    pub fn of(row: &ArticleRow) -> Self {
        Self {
            slug: row.slug.clone(),
            title: row.title.clone(),
            dek: row.dek.clone(),
            seo_title: row.seo_title.clone(),
            seo_description: row.seo_description.clone(),
            summary: row.summary.clone(),
            body: row.body.clone(),
            analysis: row.analysis.clone(),
            kicker: row.kicker.clone(),
            source: row.source.clone(),
            language: row.language.clone(),
        }
    }
}

impl ArticleRow {
    /// What the rules need of this article. An unknown stored status reads as a draft, the
    /// least visible state.
    pub fn state(&self) -> ArticleState {
        ArticleState {
            id: self.id.clone(),
            slug: self.slug.clone(),
            status: ArticleStatus::parse(&self.status).unwrap_or(ArticleStatus::Draft),
            author_id: self.author_id.clone(),
            version: self.version,
            publish_at: self.publish_at,
            published_at: self.published_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl ArticleScalars {
    /// The scalars of a draft, stored under `slug`.
    pub fn of_draft(draft: &ArticleDraft, slug: String) -> Self {
        Self {
            slug,
            title: draft.title.clone(),
            dek: draft.dek.clone(),
            seo_title: draft.seo_title.clone(),
            seo_description: draft.seo_description.clone(),
            summary: draft.summary.clone(),
            body: draft.body.clone(),
            analysis: draft.analysis.clone(),
            kicker: draft.kicker.clone(),
            source: draft.source.clone(),
            language: draft.language.clone(),
        }
    }
}
