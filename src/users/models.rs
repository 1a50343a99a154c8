//! Diesel rows of the `users` table; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;

/// A stored user.
#[derive(Debug, Clone, Queryable)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub password_hash: String,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `person` or `api_key` (see `AccountKind`).
    pub kind: String,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub active: bool,
    pub password_hash: &'a str,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub kind: &'a str,
}

/// Changes to a user; `updated_at` is always set, so the changeset is never empty.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}
