//! Revision queries. No rules and no HTTP here.

use diesel::prelude::*;
use diesel::QueryResult;

use super::models::{NewRevision, RevisionRow};
use crate::db::schema::{article_revisions as r, articles};
use crate::db::AnyConnection;

const SUMMARY: (
    r::article_id,
    r::version,
    r::action,
    r::actor_id,
    r::actor_name,
    r::at,
    r::changed,
) = (
    r::article_id,
    r::version,
    r::action,
    r::actor_id,
    r::actor_name,
    r::at,
    r::changed,
);

/// Stores a revision.
pub fn insert(conn: &mut AnyConnection, revision: &NewRevision<'_>) -> QueryResult<()> {
    diesel::insert_into(r::table)
        .values(revision)
        .execute(conn)
        .map(drop)
}

/// The document of an article's newest revision, as stored JSON.
pub fn latest_document(conn: &mut AnyConnection, article_id: &str) -> QueryResult<Option<String>> {
    r::table
        .filter(r::article_id.eq(article_id))
        .order(r::version.desc())
        .select(r::document)
        .first(conn)
        .optional()
}

/// Up to `limit` revisions of an article older than `before` (all when `None`), newest first.
pub fn page(
    conn: &mut AnyConnection,
    article_id: &str,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<RevisionRow>> {
    let mut q = r::table
        .filter(r::article_id.eq(article_id))
        .select(SUMMARY)
        .order(r::version.desc())
        .limit(limit)
        .into_boxed();
    if let Some(v) = before {
        q = q.filter(r::version.lt(v));
    }
    q.load(conn)
}

/// One revision with its stored document.
pub fn get(
    conn: &mut AnyConnection,
    article_id: &str,
    version: i64,
) -> QueryResult<Option<(RevisionRow, String)>> {
    r::table
        .filter(r::article_id.eq(article_id))
        .filter(r::version.eq(version))
        .select((SUMMARY, r::document))
        .first(conn)
        .optional()
}

/// Every revision of the articles `ids` with its document, by article and version (exports).
pub fn all_of(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<(RevisionRow, String)>> {
    r::table
        .filter(r::article_id.eq_any(ids))
        .order((r::article_id.asc(), r::version.asc()))
        .select((SUMMARY, r::document))
        .load(conn)
}

/// Deletes all but the newest `keep` revisions of an article.
pub fn prune(conn: &mut AnyConnection, article_id: &str, keep: i64) -> QueryResult<()> {
    let cutoff: Option<i64> = r::table
        .filter(r::article_id.eq(article_id))
        .order(r::version.desc())
        .offset(keep)
        .select(r::version)
        .first(conn)
        .optional()?;
    if let Some(cutoff) = cutoff {
        diesel::delete(
            r::table
                .filter(r::article_id.eq(article_id))
                .filter(r::version.le(cutoff)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Articles that have no revision at all (stored before revisions were kept).
pub fn articles_without(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    articles::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            r::table.filter(r::article_id.eq(articles::id)),
        )))
        .select(articles::id)
        .load(conn)
}
