//! Diesel rows of the `authors` table; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::authors;

/// A stored author.
#[derive(Debug, Clone, Queryable)]
pub struct AuthorRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub user_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The editable columns, written on create and on every change.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = authors, treat_none_as_null = true)]
pub struct AuthorFields {
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub user_id: Option<String>,
}
