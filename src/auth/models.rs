//! Diesel rows of sessions and refresh tokens; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{refresh_tokens, sessions};

/// What a session stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// One login with a password: a family of rotating refresh tokens.
    Login,
    /// An API key; the session shares the key's id and lives until the key is revoked.
    ApiKey,
}

impl SessionKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::ApiKey => "api_key",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "login" => Some(Self::Login),
            "api_key" => Some(Self::ApiKey),
            _ => None,
        }
    }
}

/// A stored session.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub created_at: NaiveDateTime,
    /// When the newest refresh token expires; `None` for API keys.
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A session to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub kind: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A stored refresh token (its digest, never the token).
#[derive(Debug, Clone, Queryable)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub session_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// A refresh token to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub token_hash: &'a str,
    pub session_id: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}
