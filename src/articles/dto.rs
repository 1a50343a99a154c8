//! Wire types of articles: the document clients read, and the body they write.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::authors::dto::{AuthorRef, AuthorRefInput};
use crate::children::dto::{
    Highlight, KeyTakeaway, Quote, QuoteInput, RiskNote, RiskNoteInput, TextItemInput,
};

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Being written; visible to its author, editors and admins only.
    Draft,
    /// Waiting for `publish_at`.
    Scheduled,
    /// Public.
    Published,
    /// Withdrawn from public view, kept for the record.
    Archived,
}

impl ArticleStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "scheduled" => Some(Self::Scheduled),
            "published" => Some(Self::Published),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// A tag: a slug of at most 50 characters, distinct within one article. Described by hand
/// because schema attributes cannot constrain the items of a `Vec<String>`.
pub struct TagName;

impl utoipa::PartialSchema for TagName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(crate::validate::SLUG_PATTERN))
            .min_length(Some(1))
            .max_length(Some(super::domain::MAX_TAG_CHARS))
            .examples([serde_json::json!("ferries")])
            .into()
    }
}

impl ToSchema for TagName {}

/// A related article as a client may send it back: its id, or the summary object it was given.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RelatedRef {
    /// The related article's id.
    Id(String),
    /// A related summary as returned by GET; only `id` is used.
    Echo(RelatedEcho),
}

impl RelatedRef {
    /// The referenced article id.
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Echo(e) => &e.id,
        }
    }
}

/// A related-article summary echoed back in a PUT.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedEcho {
    /// The related article's id.
    pub id: String,
    /// Ignored on write.
    #[serde(default)]
    pub slug: Option<String>,
    /// Ignored on write.
    #[serde(default)]
    pub title: Option<String>,
    /// Ignored on write.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
}

/// The body of `POST /articles` and `PUT /articles/{id}`: the whole document.
///
/// Read-only fields may be sent back unchanged so that GET → edit → PUT round-trips; a changed
/// read-only field is a 422 that names the action to use instead.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = crate::demo::input_example)]
pub struct ArticleInput {
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// URL name, `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 120 characters, unique. Generated from the
    /// title (transliterated) on create when omitted; kept on PUT when omitted.
    #[serde(default)]
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        example = "velmora-council-approves-electric-harbour-ferry-plan"
    )]
    pub slug: Option<String>,
    /// Headline, 1–300 characters.
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Velmora council approves electric harbour ferry plan"
    )]
    pub title: String,
    /// Standfirst under the headline, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub dek: Option<String>,
    /// Title for search engines, up to 300 characters.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub seo_title: Option<String>,
    /// Description for search engines, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub seo_description: Option<String>,
    /// A short summary, up to 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    /// The article text in Markdown, up to 200,000 characters.
    #[serde(default)]
    #[schema(max_length = 200000)]
    pub body: Option<String>,
    /// Analysis in Markdown, up to 200,000 characters.
    #[serde(default)]
    #[schema(max_length = 200000)]
    pub analysis: Option<String>,
    /// A label above the headline, up to 300 characters.
    #[serde(default)]
    #[schema(max_length = 300, example = "Transport")]
    pub kicker: Option<String>,
    /// Attribution of the reporting, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub source: Option<String>,
    /// BCP 47 language tag; `en` when omitted.
    #[serde(default)]
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
    /// Up to 20 distinct tags, each a slug of at most 50 characters.
    #[serde(default)]
    #[schema(value_type = Vec<TagName>, max_items = 20, example = json!(["velmora", "ferries"]))]
    pub tags: Vec<String>,
    /// Derived from `body` and `analysis`: ignored when sent back.
    #[serde(default, skip_serializing)]
    #[schema(minimum = 0)]
    pub word_count: Option<i64>,
    /// Derived from `body` and `analysis`: ignored when sent back.
    #[serde(default, skip_serializing)]
    #[schema(minimum = 0)]
    pub reading_time_minutes: Option<i64>,
    /// Read-only: use the publish, unpublish and archive actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ArticleStatus>,
    /// Read-only: use the schedule action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<DateTime<Utc>>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Read-only: use `If-Match` with the ETag for optimistic concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    /// Key takeaways in order, at most 200.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub key_takeaways: Vec<TextItemInput>,
    /// Attributed quotes in order, at most 200.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub quotes: Vec<QuoteInput>,
    /// Highlights in order, at most 200.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub highlights: Vec<TextItemInput>,
    /// Risk notes in order, at most 200.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub risk_notes: Vec<RiskNoteInput>,
    /// Related articles in order, by id (or the summaries GET returned), at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub related: Vec<RelatedRef>,
    /// The byline in order, by author id (or the objects GET returned), at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub authors: Vec<AuthorRefInput>,
}

/// A related article, as the caller may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RelatedArticle {
    /// The related article's id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its headline.
    pub title: String,
    /// When it was first published, if it was.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
}

/// An article with all its parts: one JSON document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::demo::document_example)]
pub struct Article {
    /// The article's id (UUID v7, time-ordered).
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// URL name, unique.
    #[schema(example = "velmora-council-approves-electric-harbour-ferry-plan")]
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Standfirst under the headline.
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
    /// The article text in Markdown.
    #[schema(required = true)]
    pub body: Option<String>,
    /// Analysis in Markdown.
    #[schema(required = true)]
    pub analysis: Option<String>,
    /// A label above the headline.
    #[schema(required = true)]
    pub kicker: Option<String>,
    /// Attribution of the reporting.
    #[schema(required = true)]
    pub source: Option<String>,
    /// BCP 47 language tag.
    #[schema(example = "en")]
    pub language: String,
    /// Tags in the order given.
    pub tags: Vec<String>,
    /// Where the article is in its life.
    pub status: ArticleStatus,
    /// When a scheduled article will be published.
    #[schema(required = true)]
    pub publish_at: Option<DateTime<Utc>>,
    /// When the article was first published; kept when it is unpublished.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    /// When the article was created.
    pub created_at: DateTime<Utc>,
    /// When the article or one of its parts last changed.
    pub updated_at: DateTime<Utc>,
    /// Starts at 1 and grows by one with every change to the article or its parts.
    #[schema(example = 1)]
    pub version: i64,
    /// The id of the user who created the article.
    pub author_id: String,
    /// Key takeaways in position order.
    pub key_takeaways: Vec<KeyTakeaway>,
    /// Attributed quotes in position order.
    pub quotes: Vec<Quote>,
    /// Highlights in position order.
    pub highlights: Vec<Highlight>,
    /// Risk notes in position order.
    pub risk_notes: Vec<RiskNote>,
    /// Related articles the caller may see, in the stored order.
    pub related: Vec<RelatedArticle>,
    /// The byline: the credited authors, in order.
    #[serde(default)]
    pub authors: Vec<AuthorRef>,
    /// Words in `body` and `analysis`, counted in their plain text.
    #[serde(default)]
    pub word_count: i64,
    /// Minutes to read `body` and `analysis` at 238 words a minute, rounded up; 0 when they
    /// are empty.
    #[serde(default)]
    pub reading_time_minutes: i64,
    /// `body` and `analysis` rendered from CommonMark (tables and strikethrough included) to
    /// sanitized HTML; present only with `?formats=html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<crate::articles::text::Rendered>,
    /// `body` and `analysis` as plain text without markup; present only with
    /// `?formats=plaintext`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<crate::articles::text::Rendered>,
    /// schema.org `NewsArticle` structured data for the article page; present only with
    /// `?formats=jsonld`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsonld: Option<crate::distribution::jsonld::NewsArticle>,
}

/// The body of `POST /articles/{id}/schedule`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// When to publish (RFC 3339, in the future). Stored in UTC.
    #[schema(example = "2026-12-01T06:00:00Z")]
    pub publish_at: DateTime<Utc>,
}

/// The body of `PATCH /articles/{id}`: a JSON merge patch (RFC 7396) of the scalar fields and
/// tags and authors. Omitted fields stay as they are; `null` removes an optional field. The read-only
/// fields of `ArticleInput` may be sent unchanged; children and related articles cannot be
/// patched.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"kicker": "Transport", "dek": null, "tags": ["velmora", "ferries"]}))]
pub struct ArticlePatch {
    /// A new slug (see `ArticleInput`); cannot be removed.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Option<String>,
    /// A new headline, 1–300 characters; cannot be removed.
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[schema(max_length = 500)]
    pub dek: Option<String>,
    #[schema(max_length = 300)]
    pub seo_title: Option<String>,
    #[schema(max_length = 500)]
    pub seo_description: Option<String>,
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    #[schema(max_length = 200000)]
    pub body: Option<String>,
    #[schema(max_length = 200000)]
    pub analysis: Option<String>,
    #[schema(max_length = 300)]
    pub kicker: Option<String>,
    #[schema(max_length = 500)]
    pub source: Option<String>,
    /// BCP 47 language tag; `null` resets it to `en`.
    #[schema(max_length = 35)]
    pub language: Option<String>,
    /// The whole new list of tags.
    #[schema(value_type = Option<Vec<TagName>>, max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// The whole new byline, by author id (or the objects GET returned); `null` empties it.
    #[schema(max_items = 20)]
    pub authors: Option<Vec<AuthorRefInput>>,
}
