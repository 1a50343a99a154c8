//! Media rows: insert, find, list, change, delete, and whether anything refers to a medium.
//! No HTTP types here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::media as m;
use crate::db::AnyConnection;

/// A stored medium.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = m)]
pub struct MediumRow {
    pub id: String,
    pub sha256: String,
    pub mime: String,
    pub bytes: i64,
    pub width: i32,
    pub height: i32,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub uploaded_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changes to a medium's texts: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = m)]
pub struct MediumChanges {
    pub alt: Option<Option<String>>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Stores a new medium.
pub fn insert(conn: &mut AnyConnection, row: &MediumRow) -> QueryResult<()> {
    diesel::insert_into(m::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Takes the medium's write lock as the transaction's first statement: on SQLite a
/// transaction that reads first cannot always start writing later ("database is locked" when
/// another connection wrote in between).
pub fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
    diesel::update(m::table.filter(m::id.eq(id)))
        .set(m::id.eq(m::id))
        .execute(conn)
        .map(drop)
}

/// The medium with this id.
pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<MediumRow>> {
    m::table
        .find(id)
        .select(MediumRow::as_select())
        .first(conn)
        .optional()
}

/// Up to `limit` media, newest first, older than the medium `before` when given.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    before: Option<&str>,
) -> QueryResult<Vec<MediumRow>> {
    let mut query = m::table
        .select(MediumRow::as_select())
        .order(m::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(m::id.lt(before.to_owned()));
    }
    query.load(conn)
}

/// The media type and width of the file stored under `sha256`, if any medium has it.
pub fn file_of(conn: &mut AnyConnection, sha256: &str) -> QueryResult<Option<(String, i32)>> {
    m::table
        .filter(m::sha256.eq(sha256))
        .select((m::mime, m::width))
        .first(conn)
        .optional()
}

/// Changes a medium's texts; `false` when there is no such medium.
pub fn update(conn: &mut AnyConnection, id: &str, changes: &MediumChanges) -> QueryResult<bool> {
    diesel::update(m::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|n| n > 0)
}

/// Deletes a medium's row; `false` when there was none.
pub fn delete(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    diesel::delete(m::table.find(id))
        .execute(conn)
        .map(|n| n > 0)
}

/// Whether anything refers to the medium `id`, which then cannot be deleted.
///
/// Each column that holds a media id (an article's featured image, an author's avatar) adds
/// one line to `references` (with `use diesel::dsl::{exists, select}`), e.g.
/// `|c, id| select(exists(articles::table.filter(articles::featured_image.eq(id)))).get_result(c),`
/// Such a column should not cascade on delete: a medium in use stays until what uses it lets
/// go.
pub fn in_use(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    type Reference = fn(&mut AnyConnection, &str) -> QueryResult<bool>;
    let references: &[Reference] = &[];
    for referenced in references {
        if referenced(conn, id)? {
            return Ok(true);
        }
    }
    Ok(false)
}
