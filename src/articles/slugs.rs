//! Old slugs of published articles: queries on `article_slug_history`. When the slug of an
//! article that has been published changes, the old one is kept and answers a redirect to the
//! article's current slug; an article that takes an old slug ends its redirect. The write
//! pipeline calls [`retire`] and [`release`] inside its transaction; reads call [`moved_to`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::QueryResult;

use super::dto::ArticleStatus;
use super::policy::can_see;
use crate::auth::AuthUser;
use crate::db::schema::{article_slug_history, articles};
use crate::db::AnyConnection;

/// Keeps `slug`, which article `article_id` no longer holds, as an old slug of it.
pub fn retire(
    conn: &mut AnyConnection,
    slug: &str,
    article_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    release(conn, slug)?;
    diesel::insert_into(article_slug_history::table)
        .values((
            article_slug_history::slug.eq(slug),
            article_slug_history::article_id.eq(article_id),
            article_slug_history::retired_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Ends the redirect of `slug`, now the current slug of an article.
pub fn release(conn: &mut AnyConnection, slug: &str) -> QueryResult<()> {
    diesel::delete(article_slug_history::table.filter(article_slug_history::slug.eq(slug)))
        .execute(conn)
        .map(drop)
}

/// The current slug of the article that once had slug `old`, if the viewer may see that
/// article. Chains collapse: whatever slugs came between, the answer is the slug it has now.
pub fn moved_to(
    conn: &mut AnyConnection,
    old: &str,
    viewer: Option<&AuthUser>,
) -> QueryResult<Option<String>> {
    // No stored slug holds NUL, and PostgreSQL would refuse the query.
    if old.contains('\0') {
        return Ok(None);
    }
    let found: Option<(String, String, String)> = article_slug_history::table
        .inner_join(articles::table)
        .filter(article_slug_history::slug.eq(old))
        .select((articles::slug, articles::status, articles::author_id))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(slug, status, author_id)| {
        let status = ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft);
        (can_see(viewer, status, &author_id) && slug != old).then_some(slug)
    }))
}
