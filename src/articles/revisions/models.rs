//! Diesel rows of the `article_revisions` table; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::article_revisions;

/// A stored revision without its document.
#[derive(Debug, Clone, Queryable)]
pub struct RevisionRow {
    pub article_id: String,
    pub version: i64,
    pub action: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub at: NaiveDateTime,
    /// A JSON array of field names.
    pub changed: String,
}

/// A revision to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = article_revisions)]
pub struct NewRevision<'a> {
    pub article_id: &'a str,
    pub version: i64,
    pub action: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor_name: Option<&'a str>,
    pub at: NaiveDateTime,
    pub changed: &'a str,
    pub document: &'a str,
}
