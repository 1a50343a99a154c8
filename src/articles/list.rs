//! Listing and searching articles: filters, sorts and keyset pages, with visibility enforced in
//! the query itself.
//!
//! The SQL is built once for both backends; only placeholders, title collation and the search
//! clause differ. Every sort has an index whose order is the sort, and the keyset condition
//! `(key, id) < (?, ?)` starts each page where the last ended, so page 500 costs what page 1 does.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use diesel::{QueryableByName, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::ArticleStatus;
use super::search::fts5_query;
use crate::auth::AuthUser;
use crate::cursor::{Cursor, CursorKey, CursorValue};
use crate::db::AnyConnection;
use crate::error::AppError;

/// Query parameters of `GET /articles`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only articles with this tag.
    #[param(example = "ferries", max_length = 50)]
    pub tag: Option<String>,
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
    fn parse(s: &str) -> Option<Self> {
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

/// A parsed, checked list request.
#[derive(Debug)]
pub struct ListQuery {
    pub tag: Option<String>,
    pub q: Option<String>,
    pub status: Option<ArticleStatus>,
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
    pub sort: Sort,
    pub limit: i64,
    pub cursor: Option<Cursor>,
    pub include_children: bool,
    pub fields: Option<Vec<String>>,
    /// The filters in canonical form: the cursor fingerprint.
    pub filters: String,
}

/// Top-level fields `fields=` may name.
pub const SELECTABLE_FIELDS: [&str; 25] = [
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
        let filters = format!(
            "tag={:?}&q={:?}&status={:?}&after={after:?}&before={before:?}",
            tag,
            q,
            status.map(ArticleStatus::as_str)
        );
        let cursor = p
            .cursor
            .filter(|c| !c.is_empty())
            .map(|c| key.decode(&c, sort.name(), &filters))
            .transpose()?;
        Ok(Self {
            tag,
            q,
            status,
            after,
            before,
            sort,
            limit,
            cursor,
            include_children,
            fields,
            filters,
        })
    }
}

/// One listed article: the summary columns and its relevance.
#[derive(Debug, Clone, QueryableByName)]
pub struct ListedRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub dek: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub seo_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub seo_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kicker: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<String>,
    #[diesel(sql_type = Text)]
    pub language: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub publish_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    pub updated_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub version: i64,
    #[diesel(sql_type = Text)]
    pub author_id: String,
    #[diesel(sql_type = Timestamp)]
    pub listed_at: NaiveDateTime,
    #[diesel(sql_type = Double)]
    pub rank: f64,
}

enum Bind {
    Text(String),
    Time(NaiveDateTime),
    Float(f64),
    Int(i64),
}

/// SQL text with its bind values, in the placeholder style of one backend.
struct Sql {
    text: String,
    binds: Vec<Bind>,
    postgres: bool,
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        if self.postgres {
            let n = self.binds.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }

    fn load<T>(self, conn: &mut AnyConnection) -> Result<Vec<T>, AppError>
    where
        T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
    {
        macro_rules! run {
            ($conn:expr, $db:ty) => {{
                let mut q = diesel::sql_query(self.text).into_boxed::<$db>();
                for b in self.binds {
                    q = match b {
                        Bind::Text(v) => q.bind::<Text, _>(v),
                        Bind::Time(v) => q.bind::<Timestamp, _>(v),
                        Bind::Float(v) => q.bind::<Double, _>(v),
                        Bind::Int(v) => q.bind::<BigInt, _>(v),
                    };
                }
                q.load::<T>($conn)?
            }};
        }
        Ok(match conn {
            AnyConnection::Postgresql(c) => run!(c, diesel::pg::Pg),
            AnyConnection::Sqlite(c) => run!(c, diesel::sqlite::Sqlite),
        })
    }
}

const SUMMARY_COLUMNS: &str = "a.id, a.slug, a.title, a.dek, a.seo_title, a.seo_description, a.summary, a.kicker, \
     a.source, a.language, a.status, a.publish_at, a.published_at, a.created_at, a.updated_at, a.version, \
     a.author_id, a.listed_at";

/// One page of the list (`limit + 1` rows are fetched to learn whether another page follows).
pub fn page(
    conn: &mut AnyConnection,
    q: &ListQuery,
    viewer: Option<&AuthUser>,
) -> Result<(Vec<ListedRow>, bool), AppError> {
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    let Some(sql) = build(q, viewer, postgres)? else {
        return Ok((vec![], false));
    };
    let mut rows: Vec<ListedRow> = sql.load(conn)?;
    let more = rows.len() as i64 > q.limit;
    rows.truncate(usize::try_from(q.limit).unwrap_or(20));
    Ok((rows, more))
}

/// One line of a query plan.
#[derive(Debug, QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// One line of a query plan.
#[derive(Debug, QueryableByName)]
struct PostgresPlanLine {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

/// The database's plan for the page query, for documentation and benchmarks.
pub fn explain(
    conn: &mut AnyConnection,
    q: &ListQuery,
    viewer: Option<&AuthUser>,
) -> Result<String, AppError> {
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    let Some(mut sql) = build(q, viewer, postgres)? else {
        return Ok("(no query: the search has no words)".into());
    };
    if postgres {
        sql.text.insert_str(0, "EXPLAIN ");
        let lines: Vec<PostgresPlanLine> = sql.load(conn)?;
        Ok(lines
            .into_iter()
            .map(|l| l.line)
            .collect::<Vec<_>>()
            .join("\n"))
    } else {
        sql.text.insert_str(0, "EXPLAIN QUERY PLAN ");
        let lines: Vec<SqlitePlanLine> = sql.load(conn)?;
        Ok(lines
            .into_iter()
            .map(|l| l.detail)
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// The page query, or `None` when a search has no words to look for.
fn build(
    q: &ListQuery,
    viewer: Option<&AuthUser>,
    postgres: bool,
) -> Result<Option<Sql>, AppError> {
    let mut sql = Sql {
        text: String::with_capacity(1024),
        binds: Vec::new(),
        postgres,
    };
    let title = if postgres {
        "a.title COLLATE \"C\""
    } else {
        "a.title"
    };

    let search = match (&q.q, postgres) {
        (None, _) => None,
        (Some(text), true) => Some(text.clone()),
        (Some(text), false) => match fts5_query(text) {
            Some(m) => Some(m),
            None => return Ok(None),
        },
    };
    let rank = match (&search, postgres) {
        (Some(_), true) => "ts_rank_cd(s.document, query)::float8",
        // Column weights mirror PostgreSQL's: title A, dek/summary/quotes B, body C.
        (Some(_), false) => "(-bm25(article_search, 0.0, 10.0, 4.0, 4.0, 1.0, 4.0))",
        (None, _) => "CAST(0 AS DOUBLE PRECISION)",
    };

    sql.push("SELECT ")
        .push(SUMMARY_COLUMNS)
        .push(", ")
        .push(rank)
        .push(" AS rank FROM ");
    match (&search, postgres) {
        (Some(text), true) => {
            sql.push("article_search s JOIN articles a ON a.id = s.article_id CROSS JOIN websearch_to_tsquery('english', ");
            sql.bind(Bind::Text(text.clone()))
                .push(") query WHERE s.document @@ query");
        }
        (Some(m), false) => {
            sql.push("article_search JOIN articles a ON a.id = article_search.article_id WHERE article_search MATCH ");
            sql.bind(Bind::Text(m.clone()));
        }
        (None, _) => {
            sql.push("articles a WHERE 1 = 1");
        }
    }

    match viewer {
        None => {
            sql.push(" AND a.status = 'published'");
        }
        Some(u) if u.role.edits_all_content() => {}
        Some(u) => {
            sql.push(" AND (a.status = 'published' OR a.author_id = ")
                .bind(Bind::Text(u.id.clone()))
                .push(")");
        }
    }
    if let Some(status) = q.status {
        sql.push(" AND a.status = ")
            .bind(Bind::Text(status.as_str().into()));
    }
    if let Some(tag) = &q.tag {
        sql.push(
            " AND EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ",
        )
        .bind(Bind::Text(tag.clone()))
        .push(")");
    }
    if let Some(after) = q.after {
        sql.push(" AND a.published_at >= ").bind(Bind::Time(after));
    }
    if let Some(before) = q.before {
        sql.push(" AND a.published_at < ").bind(Bind::Time(before));
    }

    let (key, order, cmp) = match q.sort {
        Sort::PublishedDesc => ("a.listed_at", "a.listed_at DESC, a.id DESC", "<"),
        Sort::PublishedAsc => ("a.listed_at", "a.listed_at ASC, a.id ASC", ">"),
        Sort::UpdatedDesc => ("a.updated_at", "a.updated_at DESC, a.id DESC", "<"),
        Sort::Title if postgres => (title, "a.title COLLATE \"C\" ASC, a.id ASC", ">"),
        Sort::Title => (title, "a.title ASC, a.id ASC", ">"),
        Sort::Relevance => (rank, "rank DESC, a.id DESC", "<"),
    };
    if let Some(c) = &q.cursor {
        let value = match &c.key {
            CursorValue::Time(micros) => Bind::Time(
                DateTime::from_timestamp_micros(*micros)
                    .ok_or_else(|| bad("the cursor is invalid"))?
                    .naive_utc(),
            ),
            CursorValue::Text(t) => Bind::Text(t.clone()),
            CursorValue::Rank(r) => Bind::Float(*r),
        };
        sql.push(&format!(" AND ({key}, a.id) {cmp} ("));
        sql.bind(value)
            .push(", ")
            .bind(Bind::Text(c.id.clone()))
            .push(")");
    }
    sql.push(" ORDER BY ")
        .push(order)
        .push(" LIMIT ")
        .bind(Bind::Int(q.limit + 1));
    Ok(Some(sql))
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
