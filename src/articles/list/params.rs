//! The query string of `GET /articles` and its opaque cursor: parsed and checked into a
//! [`ListQuery`], every malformed value a 400.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{KeyValue, Keyset, ListQuery, ListedRow, Sort};
use crate::articles::dto::ArticleStatus;
use crate::cursor::{Cursor, CursorKey, CursorValue};
use crate::error::AppError;

/// Query parameters of `GET /articles`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only articles with this tag.
    #[param(example = "ferries", max_length = 50)]
    pub tag: Option<String>,
    /// Only articles whose byline credits the author with this slug.
    #[param(example = "mara-lind", max_length = 120)]
    pub author: Option<String>,
    /// Full-text search over title, dek, summary, body and quotes. Every word must match; the
    /// input is searched as plain text. Without `sort`, results come by relevance.
    #[param(example = "electric ferries", max_length = 500)]
    pub q: Option<String>,
    /// Only articles in this status (`draft`, `scheduled`, `published`, `archived`). Anonymous
    /// callers see published articles only, whatever they ask for.
    #[param(value_type = Option<ArticleStatus>)]
    pub status: Option<String>,
    /// Only articles first published at or after this time (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>, example = "2026-01-01T00:00:00Z")]
    pub published_after: Option<String>,
    /// Only articles first published before this time (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub published_before: Option<String>,
    /// `-published_at` (default), `published_at`, `-updated_at`, `title`, or `relevance` (with `q`).
    /// Never-published articles sort by their creation time in the published orders.
    #[param(value_type = Option<SortParam>, example = "-published_at")]
    pub sort: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// `meta.next_cursor` of the previous page, exactly as returned.
    pub cursor: Option<String>,
    /// `children` returns full documents (body, analysis, children, related) instead of summaries.
    #[param(value_type = Option<IncludeParam>, example = "children")]
    pub include: Option<String>,
    /// Comma-separated top-level fields to return, e.g. `id,slug,title`.
    #[param(example = "id,slug,title,published_at")]
    pub fields: Option<String>,
}

/// The values `sort` accepts (for the API description; parsed by [`Sort`]).
#[derive(Debug, Serialize, ToSchema)]
pub enum SortParam {
    #[serde(rename = "-published_at")]
    PublishedDesc,
    #[serde(rename = "published_at")]
    PublishedAsc,
    #[serde(rename = "-updated_at")]
    UpdatedDesc,
    #[serde(rename = "title")]
    Title,
    #[serde(rename = "relevance")]
    Relevance,
}

/// The values `include` accepts.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncludeParam {
    /// Full documents with body, analysis, children and related articles.
    Children,
}

/// Top-level fields `fields=` may name.
pub const SELECTABLE_FIELDS: [&str; 26] = [
    "id",
    "slug",
    "title",
    "dek",
    "seo_title",
    "seo_description",
    "summary",
    "body",
    "analysis",
    "kicker",
    "source",
    "language",
    "tags",
    "status",
    "publish_at",
    "published_at",
    "created_at",
    "updated_at",
    "version",
    "author_id",
    "key_takeaways",
    "quotes",
    "highlights",
    "risk_notes",
    "related",
    "authors",
];

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

fn time_param(name: &str, value: Option<&str>) -> Result<Option<NaiveDateTime>, AppError> {
    value
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc).naive_utc())
                .map_err(|_| {
                    bad(format!(
                        "{name} must be an RFC 3339 time such as 2026-08-18T14:05:00Z"
                    ))
                })
        })
        .transpose()
}

impl ListQuery {
    /// Checks every parameter; any malformed one is a 400.
    pub fn parse(p: ListParams, key: &CursorKey) -> Result<Self, AppError> {
        let all = [
            &p.tag,
            &p.author,
            &p.q,
            &p.status,
            &p.published_after,
            &p.published_before,
            &p.sort,
            &p.limit,
            &p.cursor,
            &p.include,
            &p.fields,
        ];
        if all
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| s.contains('\0')))
        {
            return Err(bad("query parameters must not contain NUL characters"));
        }
        let q = p.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        if q.as_ref().is_some_and(|q| q.chars().count() > 500) {
            return Err(bad("q must be at most 500 characters"));
        }
        let status = p
            .status
            .map(|s| {
                ArticleStatus::parse(&s)
                    .ok_or_else(|| bad("status must be draft, scheduled, published or archived"))
            })
            .transpose()?;
        let sort = match p.sort.as_deref() {
            None if q.is_some() => Sort::Relevance,
            None => Sort::PublishedDesc,
            Some(s) => Sort::parse(s).ok_or_else(|| {
                bad("sort must be -published_at, published_at, -updated_at, title or relevance")
            })?,
        };
        if sort == Sort::Relevance && q.is_none() {
            return Err(bad("sort=relevance needs a search query q"));
        }
        let limit = match p.limit.as_deref() {
            None => 20,
            Some(l) => l
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| bad("limit must be a whole number from 1 to 100"))?,
        };
        let include_children = match p.include.as_deref() {
            None | Some("") => false,
            Some("children") => true,
            Some(_) => return Err(bad("include may only be children")),
        };
        let fields = p
            .fields
            .map(|f| {
                let names: Vec<String> = f
                    .split(',')
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())
                    .collect();
                match names
                    .iter()
                    .find(|n| !SELECTABLE_FIELDS.contains(&n.as_str()))
                {
                    Some(unknown) => Err(bad(format!(
                        "fields: {unknown:?} is not a field of an article"
                    ))),
                    None if names.is_empty() => Err(bad("fields must name at least one field")),
                    None => Ok(names),
                }
            })
            .transpose()?;
        let after = time_param("published_after", p.published_after.as_deref())?;
        let before = time_param("published_before", p.published_before.as_deref())?;
        let tag = p.tag.filter(|t| !t.is_empty());
        let author = p.author.filter(|a| !a.is_empty());
        let mut filters = format!(
            "tag={:?}&q={:?}&status={:?}&after={after:?}&before={before:?}",
            tag,
            q,
            status.map(ArticleStatus::as_str)
        );
        if let Some(author) = &author {
            filters.push_str(&format!("&author={author:?}"));
        }
        let after_row = p
            .cursor
            .filter(|c| !c.is_empty())
            .map(|c| key.decode(&c, sort.name(), &filters).and_then(keyset))
            .transpose()?;
        Ok(Self {
            tag,
            author,
            q,
            status,
            after,
            before,
            sort,
            limit,
            after_row,
            include_children,
            fields,
            filters,
        })
    }
}

fn keyset(c: Cursor) -> Result<Keyset, AppError> {
    let key = match c.key {
        CursorValue::Time(micros) => KeyValue::Time(
            DateTime::from_timestamp_micros(micros)
                .ok_or_else(|| bad("the cursor is invalid"))?
                .naive_utc(),
        ),
        CursorValue::Text(t) => KeyValue::Text(t),
        CursorValue::Rank(r) => KeyValue::Rank(r),
    };
    Ok(Keyset { key, id: c.id })
}

/// The cursor that continues after `last`.
pub fn next_cursor(q: &ListQuery, last: &ListedRow, key: &CursorKey) -> String {
    let value = match q.sort {
        Sort::PublishedDesc | Sort::PublishedAsc => {
            CursorValue::Time(last.listed_at.and_utc().timestamp_micros())
        }
        Sort::UpdatedDesc => CursorValue::Time(last.updated_at.and_utc().timestamp_micros()),
        Sort::Title => CursorValue::Text(last.title.clone()),
        Sort::Relevance => CursorValue::Rank(last.rank),
    };
    key.encode(&Cursor::after(
        q.sort.name(),
        &q.filters,
        value,
        last.id.clone(),
    ))
}
