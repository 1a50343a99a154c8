//! Wire shapes of lists: article summaries, pages and tag counts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::articles::dto::{ArticleStatus, RelatedArticle};
use crate::children::dto::{Highlight, KeyTakeaway, Quote, RiskNote};

/// An article in a list: everything but the body, the analysis and the parts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    /// The article's id.
    pub id: String,
    /// URL name.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Standfirst.
    #[schema(required = true)]
    pub dek: Option<String>,
    /// Title for search engines.
    #[schema(required = true)]
    pub seo_title: Option<String>,
    /// Description for search engines.
    #[schema(required = true)]
    pub seo_description: Option<String>,
    /// A short summary.
    #[schema(required = true)]
    pub summary: Option<String>,
    /// A label above the headline.
    #[schema(required = true)]
    pub kicker: Option<String>,
    /// Attribution of the reporting.
    #[schema(required = true)]
    pub source: Option<String>,
    /// BCP 47 language tag.
    pub language: String,
    /// Tags in the order given.
    pub tags: Vec<String>,
    /// Where the article is in its life.
    pub status: ArticleStatus,
    /// When a scheduled article will be published.
    #[schema(required = true)]
    pub publish_at: Option<DateTime<Utc>>,
    /// When the article was first published.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    /// When the article was created.
    pub created_at: DateTime<Utc>,
    /// When the article or one of its parts last changed.
    pub updated_at: DateTime<Utc>,
    /// The article's version.
    pub version: i64,
    /// The author's user id.
    pub author_id: String,
}

/// A page of articles. With `include=children` the items are full documents; with `fields=`
/// they hold only the fields asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticlePage {
    /// The articles of this page, in the requested order.
    #[schema(value_type = Vec<ArticleListItem>)]
    pub data: Vec<serde_json::Value>,
    /// Paging information.
    pub meta: crate::children::dto::ListMeta,
}

/// One tag with the number of published articles that carry it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagCount {
    /// The tag.
    #[schema(example = "ferries")]
    pub tag: String,
    /// How many published articles carry it.
    #[schema(example = 12)]
    pub count: i64,
}

/// Tags by use.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    /// Tags, most used first, then alphabetically.
    pub data: Vec<TagCount>,
    /// Paging information (the list is never paged: `next_cursor` is null).
    pub meta: crate::children::dto::ListMeta,
}

/// An item of a list page: the summary fields, the full document's fields with
/// `include=children`, or only the fields named by `fields=`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleListItem {
    pub id: Option<String>,
    pub slug: Option<String>,
    pub title: Option<String>,
    pub dek: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub summary: Option<String>,
    /// Only with `include=children`.
    pub body: Option<String>,
    /// Only with `include=children`.
    pub analysis: Option<String>,
    pub kicker: Option<String>,
    pub source: Option<String>,
    pub language: Option<String>,
    pub tags: Option<Vec<String>>,
    pub status: Option<ArticleStatus>,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: Option<i64>,
    pub author_id: Option<String>,
    /// Only with `include=children`.
    pub key_takeaways: Option<Vec<KeyTakeaway>>,
    /// Only with `include=children`.
    pub quotes: Option<Vec<Quote>>,
    /// Only with `include=children`.
    pub highlights: Option<Vec<Highlight>>,
    /// Only with `include=children`.
    pub risk_notes: Option<Vec<RiskNote>>,
    /// Only with `include=children`.
    pub related: Option<Vec<RelatedArticle>>,
    /// Only with `include=children`.
    pub authors: Option<Vec<crate::authors::dto::AuthorRef>>,
}
