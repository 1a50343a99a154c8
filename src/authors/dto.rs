//! Wire types of authors: the author itself, its short form in an article's byline, and the
//! bodies that create and change one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::models::AuthorRow;
use crate::page::PageMeta;

/// A public author: the byline an article credits, not a login account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Author {
    /// The author's id (UUID v7).
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// URL name, unique among authors.
    #[schema(example = "mara-lind")]
    pub slug: String,
    /// The name shown in bylines.
    #[schema(example = "Mara Lind")]
    pub name: String,
    /// A short biography.
    #[schema(required = true)]
    pub bio: Option<String>,
    /// The author's picture; always `null` for now.
    #[schema(value_type = Option<Object>, required = true)]
    pub avatar: Option<serde_json::Value>,
    /// The user account that writes as this author, if any.
    #[schema(required = true)]
    pub user_id: Option<String>,
    /// When the author was created.
    pub created_at: DateTime<Utc>,
    /// When the author last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<AuthorRow> for Author {
    fn from(row: AuthorRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            bio: row.bio,
            avatar: None,
            user_id: row.user_id,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A page of authors, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorList {
    /// The authors on this page.
    pub data: Vec<Author>,
    /// Paging information.
    pub meta: PageMeta,
}

/// An author as an article's byline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuthorRef {
    /// The author's id.
    pub id: String,
    /// The author's slug.
    pub slug: String,
    /// The name shown in the byline.
    pub name: String,
    /// The author's picture; always `null` for now.
    #[schema(value_type = Option<Object>, required = true)]
    pub avatar: Option<serde_json::Value>,
}

/// A credited author as a client writes it: its id, or the object an article document holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AuthorRefInput {
    /// The author's id.
    Id(String),
    /// A byline entry as returned by GET; only `id` is used.
    Echo(AuthorEcho),
}

impl AuthorRefInput {
    /// The referenced author id.
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Echo(e) => &e.id,
        }
    }
}

/// A byline entry echoed back in a write.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorEcho {
    /// The author's id.
    pub id: String,
    /// Ignored on write.
    #[serde(default)]
    pub slug: Option<String>,
    /// Ignored on write.
    #[serde(default)]
    pub name: Option<String>,
    /// Ignored on write.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub avatar: Option<serde_json::Value>,
}

/// The body of `POST /authors`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorInput {
    /// URL name, `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 120 characters, unique, never shaped like
    /// a UUID. Made from the name (transliterated) when omitted.
    #[serde(default)]
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        example = "mara-lind"
    )]
    pub slug: Option<String>,
    /// The name shown in bylines, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, example = "Mara Lind")]
    pub name: String,
    /// A short biography, up to 5,000 characters.
    #[serde(default)]
    #[schema(
        max_length = 5000,
        example = "Covers transport and the harbour for the Velmora desk."
    )]
    pub bio: Option<String>,
    /// The id of the user account that writes as this author; it must exist.
    #[serde(default)]
    pub user_id: Option<String>,
}

/// The body of `PATCH /authors/{id}`: a JSON merge patch (RFC 7396). Omitted fields stay as
/// they are; `null` removes `bio` or `user_id`. `slug` and `name` cannot be removed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"bio": "Transport and harbour correspondent."}))]
pub struct AuthorPatch {
    /// A new slug (see `AuthorInput`).
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        nullable = false
    )]
    pub slug: Option<String>,
    /// A new name, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, nullable = false)]
    pub name: Option<String>,
    /// A new biography, up to 5,000 characters; `null` removes it.
    #[schema(max_length = 5000)]
    pub bio: Option<String>,
    /// The user account that writes as this author; `null` removes the link.
    pub user_id: Option<String>,
}
