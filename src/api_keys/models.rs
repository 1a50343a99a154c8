//! Diesel rows of the `api_keys` table; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::api_keys;

/// A stored API key (the digest of its secret, never the secret).
#[derive(Debug, Clone, Queryable)]
pub struct ApiKeyRow {
    pub id: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// An API key to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub id: &'a str,
    pub secret_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}
