//! schema.org `NewsArticle` structured data for an article page, as Google's Article
//! structured-data guidelines describe it. A pure function of the document, the site settings
//! and the byline and image the caller passes; it reads nothing else.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::site::Site;
use crate::articles::dto::Article;

/// The longest headline Google shows for an article, in characters.
pub const MAX_HEADLINE_CHARS: usize = 110;

/// A schema.org `NewsArticle`, ready for the page's `application/ld+json` script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewsArticle {
    /// Always `https://schema.org`.
    #[serde(rename = "@context")]
    #[schema(example = "https://schema.org")]
    pub context: String,
    /// Always `NewsArticle`.
    #[serde(rename = "@type")]
    #[schema(example = "NewsArticle")]
    pub type_: String,
    /// `seo_title`, else `title`, cut at a word boundary to at most 110 characters.
    #[schema(max_length = 110)]
    pub headline: String,
    /// `seo_description`, else `dek`, else `summary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the article was first published (ISO 8601 with offset); absent if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-08-18T14:05:00+00:00")]
    pub date_published: Option<String>,
    /// When the article last changed (ISO 8601 with offset).
    #[schema(example = "2026-08-18T14:05:00+00:00")]
    pub date_modified: String,
    /// The byline, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<Person>,
    /// The featured image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image: Vec<ImageObject>,
    /// The publisher (`BYLINE_PUBLISHER_NAME`, `BYLINE_PUBLISHER_LOGO_URL`).
    pub publisher: Organization,
    /// The article's BCP 47 language tag.
    #[schema(example = "en")]
    pub in_language: String,
    /// The article's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The canonical URL of the article page (`BYLINE_SITE_URL` + `BYLINE_ARTICLE_PATH`).
    #[schema(
        example = "https://news.example/articles/velmora-council-approves-electric-harbour-ferry-plan"
    )]
    pub main_entity_of_page: String,
}

/// A schema.org `Person`: one name of the byline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    /// Always `Person`.
    #[serde(rename = "@type")]
    #[schema(example = "Person")]
    pub type_: String,
    /// The name as printed in the byline.
    pub name: String,
    /// The author's page, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Person {
    /// A byline name, with the author's page when there is one.
    pub fn new(name: impl Into<String>, url: Option<String>) -> Self {
        Self {
            type_: "Person".into(),
            name: name.into(),
            url,
        }
    }
}

/// A schema.org `ImageObject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImageObject {
    /// Always `ImageObject`.
    #[serde(rename = "@type")]
    #[schema(example = "ImageObject")]
    pub type_: String,
    /// An absolute URL of the image.
    pub url: String,
    /// Width in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl ImageObject {
    /// An image at `url`, of the given size when known.
    pub fn new(url: impl Into<String>, width: Option<u32>, height: Option<u32>) -> Self {
        Self {
            type_: "ImageObject".into(),
            url: url.into(),
            width,
            height,
        }
    }
}

/// A schema.org `Organization`: the publisher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Organization {
    /// Always `Organization`.
    #[serde(rename = "@type")]
    #[schema(example = "Organization")]
    pub type_: String,
    /// The publisher's name.
    #[schema(example = "Byline")]
    pub name: String,
    /// The publisher's logo, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<ImageObject>,
}

/// ISO 8601 with an explicit offset, as Google asks for article dates.
pub fn iso8601(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    let next_is_space = text
        .chars()
        .nth(keep.chars().count())
        .is_some_and(char::is_whitespace);
    let cut = match keep.rfind(char::is_whitespace) {
        _ if next_is_space => keep.as_str(),
        Some(at) if at > 0 => &keep[..at],
        // One word longer than the limit: cut inside it.
        _ => keep.as_str(),
    };
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    format!("{cut}…")
}

/// The `NewsArticle` of `article` on `site`, with the byline `authors` (in order) and the
/// featured `image`, which the caller supplies from the article's bylines and media.
pub fn news_article(
    article: &Article,
    site: &Site,
    authors: &[Person],
    image: Option<&ImageObject>,
) -> NewsArticle {
    let headline = article
        .seo_title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(&article.title);
    let description = [&article.seo_description, &article.dek, &article.summary]
        .into_iter()
        .flatten()
        .find(|d| !d.trim().is_empty())
        .cloned();
    NewsArticle {
        context: "https://schema.org".into(),
        type_: "NewsArticle".into(),
        headline: truncate_words(headline, MAX_HEADLINE_CHARS),
        description,
        date_published: article.published_at.map(iso8601),
        date_modified: iso8601(article.updated_at),
        author: authors.to_vec(),
        image: image.into_iter().cloned().collect(),
        publisher: Organization {
            type_: "Organization".into(),
            name: site.publisher_name.clone(),
            logo: site
                .publisher_logo_url
                .as_ref()
                .map(|url| ImageObject::new(url.clone(), None, None)),
        },
        in_language: article.language.clone(),
        keywords: article.tags.clone(),
        main_entity_of_page: site.article_url(&article.id, &article.slug),
    }
}

#[cfg(test)]
mod tests;
