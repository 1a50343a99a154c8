//! Article queries: plain reads and writes of the `articles`, `article_tags` and
//! `article_related` tables. No rules and no HTTP here; the write pipeline (`service`) decides,
//! these carry the decisions out.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::QueryResult;

use super::domain::{ArticleDraft, ArticleState, Precondition, WorkflowChange};
use super::dto::ArticleStatus;
use super::models::{ArticleRow, ArticleScalars};
use crate::children::{self, ChildKind};
use crate::db::schema::{article_authors, article_related, article_tags, articles};
use crate::db::AnyConnection;

/// The article an id or slug names. An id match wins over a slug match, explicitly: slugs
/// shaped like a UUID are refused on write, but one stored before that rule must not shadow
/// another article's id.
pub fn find_by_key(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<ArticleRow>> {
    if uuid::Uuid::parse_str(key).is_ok() {
        let by_id = articles::table.find(key).first(conn).optional()?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    articles::table
        .filter(articles::slug.eq(key))
        .first(conn)
        .optional()
}

/// The article with this id.
pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<ArticleRow>> {
    articles::table.find(id).first(conn).optional()
}

/// The outcome of taking an article's write lock.
pub enum Locked {
    /// The version was bumped; the row is as stored now, with the new version.
    Ready(Box<ArticleRow>),
    /// The article exists but the precondition failed; nothing was changed.
    Stale(ArticleState),
    /// No such article.
    Missing,
}

/// Takes the article's write lock by bumping its version, honouring the precondition. This is
/// the first statement of every write transaction: it takes the row lock on PostgreSQL and
/// the write lock on SQLite, so writers of one article are serialised, and an `If-Match`
/// mismatch becomes "0 rows updated".
pub fn lock(conn: &mut AnyConnection, id: &str, pre: Precondition) -> QueryResult<Locked> {
    let target = articles::table.filter(articles::id.eq(id));
    let bump = articles::version.eq(articles::version + 1);
    let updated: Option<ArticleRow> = match pre {
        Precondition::None => diesel::update(target)
            .set(bump)
            .returning(articles::all_columns)
            .get_result(conn)
            .optional()?,
        Precondition::Version(v) => diesel::update(target.filter(articles::version.eq(v)))
            .set(bump)
            .returning(articles::all_columns)
            .get_result(conn)
            .optional()?,
        Precondition::Unsatisfiable => None,
    };
    Ok(match updated {
        Some(row) => Locked::Ready(Box::new(row)),
        None => match find(conn, id)? {
            Some(row) => Locked::Stale(row.state()),
            None => Locked::Missing,
        },
    })
}

/// Marks the article changed at `at`; answers its row as it now stands.
pub fn touch(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> QueryResult<ArticleRow> {
    diesel::update(articles::table.find(id))
        .set(articles::updated_at.eq(at))
        .returning(articles::all_columns)
        .get_result(conn)
}

/// A new article's bookkeeping columns.
pub struct NewArticle<'a> {
    pub id: &'a str,
    pub slug: String,
    pub status: ArticleStatus,
    pub publish_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    pub author_id: &'a str,
}

/// Inserts the article row of `draft` (its tags, children and related are stored separately).
pub fn insert(
    conn: &mut AnyConnection,
    new: NewArticle<'_>,
    draft: &ArticleDraft,
) -> QueryResult<()> {
    diesel::insert_into(articles::table)
        .values((
            articles::id.eq(new.id),
            ArticleScalars::of_draft(draft, new.slug),
            articles::status.eq(new.status.as_str()),
            articles::publish_at.eq(new.publish_at),
            articles::published_at.eq(new.published_at),
            articles::created_at.eq(new.created_at),
            articles::listed_at.eq(new.published_at.unwrap_or(new.created_at)),
            articles::updated_at.eq(new.updated_at),
            articles::version.eq(new.version),
            articles::author_id.eq(new.author_id),
        ))
        .execute(conn)
        .map(drop)
}

/// Writes the scalar fields of `draft` under `slug`.
pub fn write_scalars(
    conn: &mut AnyConnection,
    id: &str,
    draft: &ArticleDraft,
    slug: String,
) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set(ArticleScalars::of_draft(draft, slug))
        .execute(conn)
        .map(drop)
}

/// Writes the workflow columns of a transition.
pub fn write_workflow(
    conn: &mut AnyConnection,
    id: &str,
    change: &WorkflowChange,
) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set((
            articles::status.eq(change.status.as_str()),
            articles::published_at.eq(change.published_at),
            articles::listed_at.eq(change.listed_at),
            articles::publish_at.eq(change.publish_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Deletes an article; tags, children, related links and revisions go with it (foreign keys).
pub fn delete(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
    diesel::delete(articles::table.find(id))
        .execute(conn)
        .map(drop)
}

/// The slugs other articles hold that start with `base`, for choosing a free one.
pub fn slugs_like(conn: &mut AnyConnection, base: &str, own_id: &str) -> QueryResult<Vec<String>> {
    articles::table
        .filter(articles::slug.like(format!("{base}%")))
        .filter(articles::id.ne(own_id))
        .select(articles::slug)
        .load(conn)
}

/// Sets an article's slug.
pub fn write_slug(conn: &mut AnyConnection, id: &str, slug: &str) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set(articles::slug.eq(slug))
        .execute(conn)
        .map(drop)
}

/// An article's tags, in order.
pub fn tags(conn: &mut AnyConnection, id: &str) -> QueryResult<Vec<String>> {
    article_tags::table
        .filter(article_tags::article_id.eq(id))
        .order(article_tags::position.asc())
        .select(article_tags::tag)
        .load(conn)
}

/// Stores an article's tags in order, replacing what was there.
pub fn write_tags(conn: &mut AnyConnection, id: &str, tags: &[String]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    for (i, tag) in tags.iter().enumerate() {
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(id),
                article_tags::tag.eq(tag),
                article_tags::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The ids of an article's credited authors, in byline order.
pub fn authors(conn: &mut AnyConnection, id: &str) -> QueryResult<Vec<String>> {
    article_authors::table
        .filter(article_authors::article_id.eq(id))
        .order(article_authors::position.asc())
        .select(article_authors::author_id)
        .load(conn)
}

/// Stores an article's byline in order, replacing what was there.
pub fn write_authors(conn: &mut AnyConnection, id: &str, authors: &[String]) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(id)))
        .execute(conn)?;
    for (i, author_id) in authors.iter().enumerate() {
        diesel::insert_into(article_authors::table)
            .values((
                article_authors::article_id.eq(id),
                article_authors::author_id.eq(author_id),
                article_authors::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A related article as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedState {
    pub id: String,
    pub status: ArticleStatus,
    pub author_id: String,
}

/// The ids an article relates to, in order, with what visibility rules need of them.
pub fn related(conn: &mut AnyConnection, id: &str) -> QueryResult<Vec<RelatedState>> {
    let rows: Vec<(String, String, String)> = article_related::table
        .inner_join(articles::table.on(articles::id.eq(article_related::related_id)))
        .filter(article_related::article_id.eq(id))
        .order(article_related::position.asc())
        .select((articles::id, articles::status, articles::author_id))
        .load(conn)?;
    Ok(rows.into_iter().map(related_state).collect())
}

/// The articles among `ids` that exist, with what visibility rules need of them.
pub fn states_of(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<RelatedState>> {
    let rows: Vec<(String, String, String)> = articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::status, articles::author_id))
        .load(conn)?;
    Ok(rows.into_iter().map(related_state).collect())
}

fn related_state((id, status, author_id): (String, String, String)) -> RelatedState {
    RelatedState {
        id,
        status: ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft),
        author_id,
    }
}

/// Stores the related list in order, replacing what was there.
pub fn write_related(conn: &mut AnyConnection, id: &str, related: &[String]) -> QueryResult<()> {
    diesel::delete(article_related::table.filter(article_related::article_id.eq(id)))
        .execute(conn)?;
    for (i, rid) in related.iter().enumerate() {
        diesel::insert_into(article_related::table)
            .values((
                article_related::article_id.eq(id),
                article_related::related_id.eq(rid),
                article_related::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The scalar fields and tags of a stored article as a draft, without its parts: what a merge
/// patch starts from.
pub fn stored_scalars(conn: &mut AnyConnection, row: &ArticleRow) -> QueryResult<ArticleDraft> {
    let s = ArticleScalars::of(row);
    Ok(ArticleDraft {
        slug: Some(s.slug),
        title: s.title,
        dek: s.dek,
        seo_title: s.seo_title,
        seo_description: s.seo_description,
        summary: s.summary,
        body: s.body,
        analysis: s.analysis,
        kicker: s.kicker,
        source: s.source,
        language: s.language,
        tags: tags(conn, &row.id)?,
        authors: authors(conn, &row.id)?,
        key_takeaways: Vec::new(),
        quotes: Vec::new(),
        highlights: Vec::new(),
        risk_notes: Vec::new(),
        related: Vec::new(),
    })
}

/// The content of a stored article as a draft: what a PUT of it unchanged would send.
pub fn stored_draft(conn: &mut AnyConnection, row: &ArticleRow) -> QueryResult<ArticleDraft> {
    let kids = children::repo::list_all(conn, &row.id)?;
    let of_kind = |kind: ChildKind| {
        kids.iter()
            .filter(|c| c.kind == kind)
            .map(children::Child::to_draft)
            .collect()
    };
    Ok(ArticleDraft {
        key_takeaways: of_kind(ChildKind::KeyTakeaway),
        quotes: of_kind(ChildKind::Quote),
        highlights: of_kind(ChildKind::Highlight),
        risk_notes: of_kind(ChildKind::RiskNote),
        related: related(conn, &row.id)?.into_iter().map(|r| r.id).collect(),
        ..stored_scalars(conn, row)?
    })
}

/// Scheduled articles whose time has come, oldest first.
pub fn due(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    articles::table
        .filter(articles::status.eq(ArticleStatus::Scheduled.as_str()))
        .filter(articles::publish_at.le(now))
        .order(articles::publish_at.asc())
        .select(articles::id)
        .load(conn)
}

/// Published-article counts per tag, most used first.
pub fn tag_counts(conn: &mut AnyConnection, limit: i64) -> QueryResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    article_tags::table
        .inner_join(articles::table)
        .filter(articles::status.eq(ArticleStatus::Published.as_str()))
        .group_by(article_tags::tag)
        .select((article_tags::tag, count_star()))
        .order((count_star().desc(), article_tags::tag.asc()))
        .limit(limit)
        .load(conn)
}

/// Whether any article exists (the demo is loaded only into an empty database).
pub fn any_exists(conn: &mut AnyConnection) -> QueryResult<bool> {
    articles::table
        .select(articles::id)
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Every article id, oldest first (for exports).
pub fn all_ids(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    articles::table
        .order((articles::created_at.asc(), articles::id.asc()))
        .select(articles::id)
        .load(conn)
}
