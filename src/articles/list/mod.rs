//! Listing and searching articles: filters, sorts and keyset pages, with visibility enforced in
//! the query itself.
//!
//! `params` reads the query string and the opaque cursor (the HTTP edge); `query` builds and
//! runs the SQL from the checked [`ListQuery`] alone; `handlers` shapes the page.

pub mod dto;
pub mod handlers;
pub mod params;
pub mod query;

use chrono::NaiveDateTime;

use super::dto::ArticleStatus;

pub use params::{ListParams, SELECTABLE_FIELDS};
pub use query::{explain, page, ListedRow};

/// The orders a list can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    PublishedDesc,
    PublishedAsc,
    UpdatedDesc,
    Title,
    Relevance,
}

impl Sort {
    /// Parses the name clients use.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "-published_at" => Some(Self::PublishedDesc),
            "published_at" => Some(Self::PublishedAsc),
            "-updated_at" => Some(Self::UpdatedDesc),
            "title" => Some(Self::Title),
            "relevance" => Some(Self::Relevance),
            _ => None,
        }
    }

    /// The name clients use.
    pub fn name(self) -> &'static str {
        match self {
            Self::PublishedDesc => "-published_at",
            Self::PublishedAsc => "published_at",
            Self::UpdatedDesc => "-updated_at",
            Self::Title => "title",
            Self::Relevance => "relevance",
        }
    }
}

/// A sort key value of the last row of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    Time(NaiveDateTime),
    Text(String),
    Rank(f64),
}

/// The position after which a page starts: the last row's sort key and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyset {
    pub key: KeyValue,
    pub id: String,
}

/// A parsed, checked list request.
#[derive(Debug)]
pub struct ListQuery {
    pub tag: Option<String>,
    /// Only articles crediting the author with this slug.
    pub author: Option<String>,
    pub q: Option<String>,
    pub status: Option<ArticleStatus>,
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
    pub sort: Sort,
    pub limit: i64,
    /// Where the page starts: after this row of the previous page.
    pub after_row: Option<Keyset>,
    pub include_children: bool,
    pub fields: Option<Vec<String>>,
    /// The filters in canonical form: the cursor fingerprint.
    pub filters: String,
}
