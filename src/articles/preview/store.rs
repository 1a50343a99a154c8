//! Queries on `preview_links`. No rules and no HTTP here.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::QueryResult;

use crate::db::schema::preview_links;
use crate::db::AnyConnection;

/// Stores a link to article `article_id`.
pub fn insert(
    conn: &mut AnyConnection,
    id: &str,
    article_id: &str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(preview_links::table)
        .values((
            preview_links::id.eq(id),
            preview_links::article_id.eq(article_id),
            preview_links::created_at.eq(created_at),
            preview_links::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The article and expiry of link `id`, if it exists.
pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<(String, NaiveDateTime)>> {
    preview_links::table
        .find(id)
        .select((preview_links::article_id, preview_links::expires_at))
        .first(conn)
        .optional()
}

/// Deletes every link of article `article_id`, and the expired links of any article; answers
/// how many links of the article there were.
pub fn revoke_all(
    conn: &mut AnyConnection,
    article_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(preview_links::table.filter(preview_links::expires_at.le(now))).execute(conn)?;
    diesel::delete(preview_links::table.filter(preview_links::article_id.eq(article_id)))
        .execute(conn)
}
