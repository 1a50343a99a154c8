//! Article queries and write transactions. No HTTP types here.
//!
//! Every write transaction starts with `lock`, which bumps the article's version: that takes the
//! row lock on PostgreSQL and the write lock on SQLite, serialising writers per article, and turns
//! an `If-Match` mismatch into "0 rows updated" → 412. A write that changes nothing is rolled
//! back, so the version only grows with real changes.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::domain::{self, slug_from_title, ArticleDraft, ReadOnlyEcho};
use super::dto::{Article, ArticleInput, ArticleStatus, RelatedArticle};
use super::models::{ArticleRow, ArticleScalars};
use super::policy::{authorize_edit, authorize_workflow, can_see};
use super::{cache, search};
use crate::auth::AuthUser;
use crate::children::kinds::ChildSpec;
use crate::children::models::ChildRow;
use crate::children::{
    self, ChildDraft, ChildFields, ChildKind, Highlights, KeyTakeaways, Quotes, RiskNotes,
};
use crate::db::schema::{article_related, article_tags, articles};
use crate::db::{now, AnyConnection};
use crate::error::{AppError, FieldErrors};
use crate::extract::{from_value, Precondition};

/// Why a write transaction was rolled back.
pub enum Abort {
    /// The request would change nothing; the version must not grow.
    Unchanged,
    /// A real failure.
    Failed(AppError),
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

/// Runs a write transaction; `Ok(None)` when it changed nothing and was rolled back.
pub fn write<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, Abort>,
) -> Result<Option<T>, AppError> {
    match conn.transaction::<T, Abort, _>(f) {
        Ok(v) => {
            cache::invalidate();
            Ok(Some(v))
        }
        Err(Abort::Unchanged) => Ok(None),
        Err(Abort::Failed(e)) => Err(e),
    }
}

fn find_row(conn: &mut AnyConnection, id: &str) -> Result<Option<ArticleRow>, AppError> {
    Ok(articles::table.find(id).first(conn).optional()?)
}

/// Locks the article for a write by bumping its version, honouring the precondition. Answers
/// 404 when it does not exist or the caller cannot see it, 412 when the precondition fails.
/// The returned row carries the new version and the old `updated_at`.
pub fn lock(
    conn: &mut AnyConnection,
    id: &str,
    pre: Precondition,
    viewer: &AuthUser,
) -> Result<ArticleRow, AppError> {
    let target = articles::table.filter(articles::id.eq(id));
    let bump = articles::version.eq(articles::version + 1);
    let updated = match pre {
        Precondition::None => diesel::update(target).set(bump).execute(conn)?,
        Precondition::Version(v) => diesel::update(target.filter(articles::version.eq(v)))
            .set(bump)
            .execute(conn)?,
        Precondition::Unsatisfiable => 0,
    };
    let row = find_row(conn, id)?.filter(|r| can_see(Some(viewer), r));
    match row {
        None => Err(AppError::article_not_found()),
        Some(_) if updated == 0 => Err(AppError::PreconditionFailed),
        Some(row) => Ok(row),
    }
}

fn touch(conn: &mut AnyConnection, id: &str) -> Result<(), AppError> {
    diesel::update(articles::table.find(id))
        .set(articles::updated_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Marks an article changed after a child write (the version was bumped by `lock`), and
/// refreshes its search entry when quotes, which are searched, changed.
pub fn touch_after_child_write(
    conn: &mut AnyConnection,
    id: &str,
    kind: ChildKind,
) -> Result<(), AppError> {
    touch(conn, id)?;
    if kind == ChildKind::Quote {
        search::reindex(conn, id)?;
    }
    Ok(())
}

/// The article an id or slug names, if the viewer may see it.
pub fn find_visible(
    conn: &mut AnyConnection,
    key: &str,
    viewer: Option<&AuthUser>,
) -> Result<Option<ArticleRow>, AppError> {
    let row: Option<ArticleRow> = articles::table
        .filter(articles::id.eq(key).or(articles::slug.eq(key)))
        .first(conn)
        .optional()?;
    Ok(row.filter(|r| can_see(viewer, r)))
}

/// The full document of an article by id or slug, in a constant number of queries.
pub fn load_document(
    conn: &mut AnyConnection,
    key: &str,
    viewer: Option<&AuthUser>,
) -> Result<Option<Article>, AppError> {
    match find_visible(conn, key, viewer)? {
        Some(row) => Ok(Some(document_of(conn, row, viewer)?)),
        None => Ok(None),
    }
}

fn tags_of(conn: &mut AnyConnection, id: &str) -> Result<Vec<String>, AppError> {
    Ok(article_tags::table
        .filter(article_tags::article_id.eq(id))
        .order(article_tags::position.asc())
        .select(article_tags::tag)
        .load(conn)?)
}

type RelatedTuple = (
    String,
    String,
    String,
    Option<NaiveDateTime>,
    String,
    String,
);

fn related_of(conn: &mut AnyConnection, id: &str) -> Result<Vec<RelatedTuple>, AppError> {
    Ok(article_related::table
        .inner_join(articles::table.on(articles::id.eq(article_related::related_id)))
        .filter(article_related::article_id.eq(id))
        .order(article_related::position.asc())
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::published_at,
            articles::status,
            articles::author_id,
        ))
        .load(conn)?)
}

/// Assembles the document of a loaded row: three more queries, whatever the number of parts.
pub fn document_of(
    conn: &mut AnyConnection,
    row: ArticleRow,
    viewer: Option<&AuthUser>,
) -> Result<Article, AppError> {
    let tags = tags_of(conn, &row.id)?;
    let kids = children::repo::list_all(conn, &row.id)?;
    let related = related_of(conn, &row.id)?;
    Ok(assemble(row, tags, kids, related, viewer))
}

/// The tags of many articles in one query, by article id.
pub fn tags_of_many(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, Vec<String>>, AppError> {
    let rows: Vec<(String, String)> = article_tags::table
        .filter(article_tags::article_id.eq_any(ids))
        .order((article_tags::article_id.asc(), article_tags::position.asc()))
        .select((article_tags::article_id, article_tags::tag))
        .load(conn)?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (id, tag) in rows {
        map.entry(id).or_default().push(tag);
    }
    Ok(map)
}

/// Full documents of many articles in four queries, in the order of `ids`.
pub fn documents_of_many(
    conn: &mut AnyConnection,
    ids: &[String],
    viewer: Option<&AuthUser>,
) -> Result<Vec<Article>, AppError> {
    use crate::db::schema::article_children as ac;
    let rows: Vec<ArticleRow> = articles::table
        .filter(articles::id.eq_any(ids))
        .load(conn)?;
    let mut tags = tags_of_many(conn, ids)?;
    let mut kids: HashMap<String, Vec<ChildRow>> = HashMap::new();
    for child in ac::table
        .filter(ac::article_id.eq_any(ids))
        .order((ac::kind.asc(), ac::position.asc()))
        .load::<ChildRow>(conn)?
    {
        kids.entry(child.article_id.clone())
            .or_default()
            .push(child);
    }
    let related_rows: Vec<(String, RelatedTuple)> = article_related::table
        .inner_join(articles::table.on(articles::id.eq(article_related::related_id)))
        .filter(article_related::article_id.eq_any(ids))
        .order((
            article_related::article_id.asc(),
            article_related::position.asc(),
        ))
        .select((
            article_related::article_id,
            (
                articles::id,
                articles::slug,
                articles::title,
                articles::published_at,
                articles::status,
                articles::author_id,
            ),
        ))
        .load(conn)?;
    let mut related: HashMap<String, Vec<RelatedTuple>> = HashMap::new();
    for (owner, r) in related_rows {
        related.entry(owner).or_default().push(r);
    }
    let mut by_id: HashMap<String, ArticleRow> =
        rows.into_iter().map(|r| (r.id.clone(), r)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|row| {
            let id = row.id.clone();
            assemble(
                row,
                tags.remove(&id).unwrap_or_default(),
                kids.remove(&id).unwrap_or_default(),
                related.remove(&id).unwrap_or_default(),
                viewer,
            )
        })
        .collect())
}

fn assemble(
    row: ArticleRow,
    tags: Vec<String>,
    children_rows: Vec<ChildRow>,
    related_rows: Vec<RelatedTuple>,
    viewer: Option<&AuthUser>,
) -> Article {
    let mut kids: [Vec<ChildRow>; 4] = Default::default();
    for child in children_rows {
        if let Some(i) = ChildKind::ALL.iter().position(|k| k.as_str() == child.kind) {
            kids[i].push(child);
        }
    }
    let [key_takeaways, quotes, highlights, risk_notes] = kids;
    let related = related_rows
        .into_iter()
        .filter(|(_, _, _, _, status, author_id)| {
            status == ArticleStatus::Published.as_str()
                || viewer.is_some_and(|u| u.role.edits_all_content() || &u.id == author_id)
        })
        .map(|(id, slug, title, published_at, _, _)| RelatedArticle {
            id,
            slug,
            title,
            published_at: published_at.map(|t| t.and_utc()),
        })
        .collect();
    Article {
        status: ArticleStatus::parse(&row.status).unwrap_or(ArticleStatus::Draft),
        id: row.id,
        slug: row.slug,
        title: row.title,
        dek: row.dek,
        seo_title: row.seo_title,
        seo_description: row.seo_description,
        summary: row.summary,
        body: row.body,
        analysis: row.analysis,
        kicker: row.kicker,
        source: row.source,
        language: row.language,
        tags,
        publish_at: row.publish_at.map(|t| t.and_utc()),
        published_at: row.published_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        version: row.version,
        author_id: row.author_id,
        key_takeaways: key_takeaways
            .into_iter()
            .map(KeyTakeaways::output)
            .collect(),
        quotes: quotes.into_iter().map(Quotes::output).collect(),
        highlights: highlights.into_iter().map(Highlights::output).collect(),
        risk_notes: risk_notes.into_iter().map(RiskNotes::output).collect(),
        related,
    }
}

fn reload(conn: &mut AnyConnection, id: &str, viewer: &AuthUser) -> Result<Article, AppError> {
    let row = find_row(conn, id)?.ok_or_else(AppError::article_not_found)?;
    document_of(conn, row, Some(viewer))
}

fn scalars(draft: &ArticleDraft, slug: String) -> ArticleScalars {
    ArticleScalars {
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

fn free_slug(conn: &mut AnyConnection, base: &str, own_id: &str) -> Result<String, AppError> {
    let taken: Vec<String> = articles::table
        .filter(articles::slug.like(format!("{base}%")))
        .filter(articles::id.ne(own_id))
        .select(articles::slug)
        .load(conn)?;
    if !taken.iter().any(|s| s == base) {
        return Ok(base.to_owned());
    }
    let mut n = 2;
    loop {
        let suffix = format!("-{n}");
        let stem: String = base.chars().take(domain::MAX_SLUG - suffix.len()).collect();
        let candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
        if !taken.contains(&candidate) {
            return Ok(candidate);
        }
        n += 1;
    }
}

fn write_tags(conn: &mut AnyConnection, id: &str, tags: &[String]) -> Result<(), AppError> {
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

/// Stores the related list in order. Entries already stored stay valid; new ones must be
/// articles the writer can see, so the check reveals nothing the writer could not read.
fn write_related(
    conn: &mut AnyConnection,
    id: &str,
    related: &[String],
    writer: &AuthUser,
) -> Result<(), AppError> {
    let stored: Vec<String> = related_of(conn, id)?.into_iter().map(|r| r.0).collect();
    let mut errs = FieldErrors::default();
    for (i, rid) in related.iter().enumerate() {
        if rid == id {
            errs.push(
                format!("/related/{i}"),
                "an article cannot be related to itself",
            );
        } else if !stored.contains(rid)
            && find_row(conn, rid)?
                .filter(|r| can_see(Some(writer), r))
                .is_none()
        {
            errs.push(format!("/related/{i}"), "no article with this id");
        }
    }
    errs.finish(())?;
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

fn write_children(
    conn: &mut AnyConnection,
    id: &str,
    draft: &ArticleDraft,
) -> Result<(), AppError> {
    children::repo::replace(
        conn,
        id,
        ChildKind::KeyTakeaway,
        &draft.key_takeaways,
        "/key_takeaways",
    )?;
    children::repo::replace(conn, id, ChildKind::Quote, &draft.quotes, "/quotes")?;
    children::repo::replace(
        conn,
        id,
        ChildKind::Highlight,
        &draft.highlights,
        "/highlights",
    )?;
    children::repo::replace(
        conn,
        id,
        ChildKind::RiskNote,
        &draft.risk_notes,
        "/risk_notes",
    )
}

/// Creates an article with all its parts in one transaction. `published` makes it public at
/// once (used for the demo article); the API always creates drafts.
pub fn create(
    conn: &mut AnyConnection,
    author: &AuthUser,
    draft: ArticleDraft,
    echo: &ReadOnlyEcho,
    published: bool,
) -> Result<Article, AppError> {
    let mut errs = FieldErrors::default();
    for (present, field) in [
        (echo.id.is_some(), "id"),
        (echo.status.is_some(), "status"),
        (echo.publish_at.is_some(), "publish_at"),
        (echo.published_at.is_some(), "published_at"),
        (echo.created_at.is_some(), "created_at"),
        (echo.updated_at.is_some(), "updated_at"),
        (echo.version.is_some(), "version"),
        (echo.author_id.is_some(), "author_id"),
    ] {
        if present {
            errs.push(
                format!("/{field}"),
                "is set by the server; omit it when creating an article",
            );
        }
    }
    errs.finish(())?;
    let id = Uuid::now_v7().to_string();
    conn.transaction::<_, AppError, _>(|conn| {
        let at = now();
        let explicit_slug = draft.slug.is_some();
        // The id stands in for the slug until a free one is chosen: the first statement of the
        // transaction must be a write (see the module comment).
        let (status, published_at) = if published {
            (ArticleStatus::Published, Some(at))
        } else {
            (ArticleStatus::Draft, None)
        };
        diesel::insert_into(articles::table)
            .values((
                articles::id.eq(&id),
                scalars(&draft, draft.slug.clone().unwrap_or_else(|| id.clone())),
                articles::status.eq(status.as_str()),
                articles::published_at.eq(published_at),
                articles::created_at.eq(at),
                articles::listed_at.eq(published_at.unwrap_or(at)),
                articles::updated_at.eq(at),
                articles::version.eq(1_i64),
                articles::author_id.eq(&author.id),
            ))
            .execute(conn)?;
        if !explicit_slug {
            let slug = free_slug(conn, &slug_from_title(&draft.title), &id)?;
            diesel::update(articles::table.find(&id))
                .set(articles::slug.eq(slug))
                .execute(conn)?;
        }
        write_tags(conn, &id, &draft.tags)?;
        write_children(conn, &id, &draft)?;
        write_related(conn, &id, &draft.related, author)?;
        search::reindex(conn, &id)?;
        reload(conn, &id, author)
    })
    .inspect(|_| cache::invalidate())
}

fn check_echo(echo: &ReadOnlyEcho, row: &ArticleRow) -> Result<(), AppError> {
    let mut errs = FieldErrors::default();
    let stored_version = row.version - 1;
    let same_time = |sent: Option<chrono::DateTime<chrono::Utc>>, stored: Option<NaiveDateTime>| {
        sent.is_none_or(|s| Some(s.naive_utc()) == stored)
    };
    if echo.id.as_ref().is_some_and(|id| id != &row.id) {
        errs.push(
            "/id",
            "is read-only and must equal the article's id; to copy an article, POST it without id",
        );
    }
    if echo.version.is_some_and(|v| v != stored_version) {
        errs.push(
            "/version",
            format!("is read-only (the article is at version {stored_version}); send If-Match with the article's ETag for optimistic concurrency"),
        );
    }
    if echo.status.is_some_and(|s| s.as_str() != row.status) {
        errs.push(
            "/status",
            "is read-only; use POST /api/v1/articles/{id}/publish, /unpublish or /archive",
        );
    }
    if !same_time(echo.publish_at, row.publish_at) {
        errs.push(
            "/publish_at",
            "is read-only; it is set by scheduling the article",
        );
    }
    for (sent, stored, field) in [
        (echo.published_at, row.published_at, "published_at"),
        (echo.created_at, Some(row.created_at), "created_at"),
        (echo.updated_at, Some(row.updated_at), "updated_at"),
    ] {
        if !same_time(sent, stored) {
            errs.push(
                format!("/{field}"),
                "is read-only and set by the server; send it back unchanged or omit it",
            );
        }
    }
    if echo.author_id.as_ref().is_some_and(|a| a != &row.author_id) {
        errs.push(
            "/author_id",
            "is read-only; the author is the user who created the article",
        );
    }
    errs.finish(())
}

fn child_drafts(rows: &[ChildRow], kind: ChildKind) -> Vec<ChildDraft> {
    rows.iter()
        .filter(|r| r.kind == kind.as_str())
        .map(|r| ChildDraft {
            id: Some(r.id.clone()),
            fields: ChildFields::from_row(r),
        })
        .collect()
}

fn stored_draft(conn: &mut AnyConnection, row: &ArticleRow) -> Result<ArticleDraft, AppError> {
    let kids = children::repo::list_all(conn, &row.id)?;
    let related = related_of(conn, &row.id)?
        .into_iter()
        .map(|r| r.0)
        .collect();
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
        tags: tags_of(conn, &row.id)?,
        key_takeaways: child_drafts(&kids, ChildKind::KeyTakeaway),
        quotes: child_drafts(&kids, ChildKind::Quote),
        highlights: child_drafts(&kids, ChildKind::Highlight),
        risk_notes: child_drafts(&kids, ChildKind::RiskNote),
        related,
    })
}

/// Replaces the whole document, parts included, in one transaction.
pub fn replace(
    conn: &mut AnyConnection,
    id: &str,
    pre: Precondition,
    user: &AuthUser,
    mut draft: ArticleDraft,
    echo: &ReadOnlyEcho,
) -> Result<Article, AppError> {
    write(conn, |conn| {
        let row = lock(conn, id, pre, user)?;
        authorize_edit(user, &row)?;
        check_echo(echo, &row)?;
        draft.slug.get_or_insert_with(|| row.slug.clone());
        // Related articles the editor cannot see were not in what they read; keep them.
        for (rid, _, _, _, status, author_id) in related_of(conn, id)? {
            let visible = status == ArticleStatus::Published.as_str()
                || user.role.edits_all_content()
                || author_id == user.id;
            if !visible && !draft.related.contains(&rid) {
                draft.related.push(rid);
            }
        }
        if stored_draft(conn, &row)? == draft {
            return Err(Abort::Unchanged);
        }
        let slug = draft.slug.clone().unwrap_or_else(|| row.slug.clone());
        diesel::update(articles::table.find(id))
            .set((scalars(&draft, slug), articles::updated_at.eq(now())))
            .execute(conn)?;
        write_tags(conn, id, &draft.tags)?;
        write_children(conn, id, &draft)?;
        write_related(conn, id, &draft.related, user)?;
        search::reindex(conn, id)?;
        Ok(())
    })?;
    reload(conn, id, user)
}

/// Fields a merge patch may not touch, with the way to change them instead.
const NOT_PATCHABLE: [(&str, &str); 5] = [
    (
        "key_takeaways",
        "use PUT /api/v1/articles/{id}/key-takeaways or the key takeaway endpoints",
    ),
    (
        "quotes",
        "use PUT /api/v1/articles/{id}/quotes or the quote endpoints",
    ),
    (
        "highlights",
        "use PUT /api/v1/articles/{id}/highlights or the highlight endpoints",
    ),
    (
        "risk_notes",
        "use PUT /api/v1/articles/{id}/risk-notes or the risk note endpoints",
    ),
    (
        "related",
        "related articles are changed with PUT /api/v1/articles/{id}",
    ),
];

/// Applies an RFC 7396 merge patch to `target`.
pub fn merge_patch(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(&key);
            } else {
                merge_patch(map.entry(key).or_insert(Value::Null), value);
            }
        }
    }
}

fn patchable_json(row: &ArticleRow, tags: Vec<String>) -> Value {
    json!({
        "slug": row.slug, "title": row.title, "dek": row.dek, "seo_title": row.seo_title,
        "seo_description": row.seo_description, "summary": row.summary, "body": row.body,
        "analysis": row.analysis, "kicker": row.kicker, "source": row.source,
        "language": row.language, "tags": tags,
    })
}

/// Applies a JSON merge patch to the scalar fields and tags.
pub fn patch(
    conn: &mut AnyConnection,
    id: &str,
    pre: Precondition,
    user: &AuthUser,
    patch: Map<String, Value>,
) -> Result<Article, AppError> {
    let mut errs = FieldErrors::default();
    for (field, how) in NOT_PATCHABLE {
        if patch.contains_key(field) {
            errs.push(
                format!("/{field}"),
                format!("cannot be changed with PATCH; {how}"),
            );
        }
    }
    for field in ["title", "slug"] {
        if patch.get(field).is_some_and(Value::is_null) {
            errs.push(format!("/{field}"), "cannot be removed");
        }
    }
    errs.finish(())?;
    write(conn, |conn| {
        let row = lock(conn, id, pre, user)?;
        authorize_edit(user, &row)?;
        let tags = tags_of(conn, id)?;
        let mut merged = patchable_json(&row, tags.clone());
        merge_patch(&mut merged, Value::Object(patch));
        let input: ArticleInput = from_value(merged)?;
        let (draft, echo) = domain::validate(input)?;
        check_echo(&echo, &row)?;
        let slug = draft.slug.clone().unwrap_or_else(|| row.slug.clone());
        let new = scalars(&draft, slug);
        if new == ArticleScalars::of(&row) && draft.tags == tags {
            return Err(Abort::Unchanged);
        }
        diesel::update(articles::table.find(id))
            .set((new, articles::updated_at.eq(now())))
            .execute(conn)?;
        write_tags(conn, id, &draft.tags)?;
        search::reindex(conn, id)?;
        Ok(())
    })?;
    reload(conn, id, user)
}

/// Deletes an article; its parts go with it.
pub fn delete(
    conn: &mut AnyConnection,
    id: &str,
    pre: Precondition,
    user: &AuthUser,
) -> Result<(), AppError> {
    conn.transaction::<_, AppError, _>(|conn| {
        let row = lock(conn, id, pre, user)?;
        authorize_edit(user, &row)?;
        diesel::delete(articles::table.find(id)).execute(conn)?;
        Ok(())
    })?;
    cache::invalidate();
    Ok(())
}

/// A workflow action on an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Publish,
    Unpublish,
    Archive,
    /// Publish automatically at this time (UTC, in the future).
    Schedule(NaiveDateTime),
}

/// Moves an article through the workflow. `published_at` is set on first publication and kept.
pub fn transition(
    conn: &mut AnyConnection,
    id: &str,
    pre: Precondition,
    user: &AuthUser,
    action: Transition,
) -> Result<Article, AppError> {
    write(conn, |conn| {
        let row = lock(conn, id, pre, user)?;
        authorize_workflow(user)?;
        let (target, publish_at) = match action {
            Transition::Publish => (ArticleStatus::Published, None),
            Transition::Unpublish => (ArticleStatus::Draft, None),
            Transition::Archive => (ArticleStatus::Archived, None),
            Transition::Schedule(at) => (ArticleStatus::Scheduled, Some(at)),
        };
        if target == ArticleStatus::Scheduled && row.status == ArticleStatus::Published.as_str() {
            return Err(AppError::Conflict(
                "the article is already published; unpublish it before scheduling".into(),
            )
            .into());
        }
        if row.status == target.as_str() && row.publish_at == publish_at {
            return Err(Abort::Unchanged);
        }
        let at = now();
        let published_at = match target {
            ArticleStatus::Published => row.published_at.or(Some(at)),
            _ => row.published_at,
        };
        diesel::update(articles::table.find(id))
            .set((
                articles::status.eq(target.as_str()),
                articles::published_at.eq(published_at),
                articles::listed_at.eq(published_at.unwrap_or(row.created_at)),
                articles::publish_at.eq(publish_at),
                articles::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    reload(conn, id, user)
}

diesel::define_sql_function! {
    /// SQL `COALESCE` of two nullable timestamps and a fallback.
    #[sql_name = "COALESCE"]
    fn coalesce_time(a: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>, b: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>, c: diesel::sql_types::Timestamp) -> diesel::sql_types::Timestamp;
}

/// Publishes every scheduled article whose time has come, in one statement. Under concurrent
/// processes sharing a PostgreSQL database, the second `UPDATE` waits for the first's row locks
/// and then re-checks `status = 'scheduled'`, so each article is published exactly once.
/// `published_at` becomes the scheduled time unless the article was published before.
pub fn publish_due(conn: &mut AnyConnection) -> Result<usize, AppError> {
    let at = now();
    let first_published = coalesce_time(articles::published_at, articles::publish_at, at);
    let published = diesel::update(
        articles::table
            .filter(articles::status.eq(ArticleStatus::Scheduled.as_str()))
            .filter(articles::publish_at.le(at)),
    )
    .set((
        articles::status.eq(ArticleStatus::Published.as_str()),
        articles::version.eq(articles::version + 1),
        articles::published_at.eq(first_published.nullable()),
        articles::listed_at.eq(coalesce_time(
            articles::published_at,
            articles::publish_at,
            at,
        )),
        articles::publish_at.eq(None::<NaiveDateTime>),
        articles::updated_at.eq(at),
    ))
    .execute(conn)?;
    if published > 0 {
        cache::invalidate();
    }
    Ok(published)
}

/// Published-article counts per tag, most used first.
pub fn tag_counts(conn: &mut AnyConnection, limit: i64) -> Result<Vec<(String, i64)>, AppError> {
    use diesel::dsl::count_star;
    Ok(article_tags::table
        .inner_join(articles::table)
        .filter(articles::status.eq(ArticleStatus::Published.as_str()))
        .group_by(article_tags::tag)
        .select((article_tags::tag, count_star()))
        .order((count_star().desc(), article_tags::tag.asc()))
        .limit(limit)
        .load(conn)?)
}

/// Whether any article exists (the demo is loaded only into an empty database).
pub fn any_exists(conn: &mut AnyConnection) -> Result<bool, AppError> {
    Ok(articles::table
        .select(articles::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Inserts an article exactly as exported: its id, slug, status, times, version, author and
/// the ids of its parts. Related articles are linked afterwards with [`import_related`], once
/// every article of the import exists.
pub fn import_article(
    conn: &mut AnyConnection,
    draft: &ArticleDraft,
    echo: &ReadOnlyEcho,
) -> Result<String, AppError> {
    let missing = |field: &str| AppError::field(format!("/{field}"), "is required in an import");
    let id = echo.id.clone().ok_or_else(|| missing("id"))?;
    let slug = draft.slug.clone().ok_or_else(|| missing("slug"))?;
    let status = echo.status.ok_or_else(|| missing("status"))?;
    let created_at = echo
        .created_at
        .ok_or_else(|| missing("created_at"))?
        .naive_utc();
    let updated_at = echo
        .updated_at
        .ok_or_else(|| missing("updated_at"))?
        .naive_utc();
    let version = echo.version.ok_or_else(|| missing("version"))?;
    let author_id = echo.author_id.clone().ok_or_else(|| missing("author_id"))?;
    let published_at = echo.published_at.map(|t| t.naive_utc());
    diesel::insert_into(articles::table)
        .values((
            articles::id.eq(&id),
            scalars(draft, slug),
            articles::status.eq(status.as_str()),
            articles::publish_at.eq(echo.publish_at.map(|t| t.naive_utc())),
            articles::published_at.eq(published_at),
            articles::created_at.eq(created_at),
            articles::updated_at.eq(updated_at),
            articles::version.eq(version),
            articles::author_id.eq(&author_id),
            articles::listed_at.eq(published_at.unwrap_or(created_at)),
        ))
        .execute(conn)?;
    write_tags(conn, &id, &draft.tags)?;
    children::repo::insert_list(conn, &id, ChildKind::KeyTakeaway, &draft.key_takeaways)?;
    children::repo::insert_list(conn, &id, ChildKind::Quote, &draft.quotes)?;
    children::repo::insert_list(conn, &id, ChildKind::Highlight, &draft.highlights)?;
    children::repo::insert_list(conn, &id, ChildKind::RiskNote, &draft.risk_notes)?;
    search::reindex(conn, &id)?;
    Ok(id)
}

/// Links an imported article to its related articles, in order.
pub fn import_related(
    conn: &mut AnyConnection,
    id: &str,
    related: &[String],
    admin: &AuthUser,
) -> Result<(), AppError> {
    write_related(conn, id, related, admin)
}

/// Every article id, oldest first (for exports).
pub fn all_ids(conn: &mut AnyConnection) -> Result<Vec<String>, AppError> {
    Ok(articles::table
        .order((articles::created_at.asc(), articles::id.asc()))
        .select(articles::id)
        .load(conn)?)
}
