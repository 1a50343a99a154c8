//! Wire types of the `/api-keys` endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::models::ApiKeyRow;
use crate::page::PageMeta;
use crate::users::domain::Role;
use crate::users::models::UserRow;

/// Body of `POST /api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyInput {
    /// What the key is for, 1 to 200 characters; also the author name of the articles it writes.
    #[schema(example = "Newsroom publishing bot")]
    pub name: String,
    /// What the key may do, with the same rules as a user of that role.
    pub role: Role,
}

/// An API key. Its secret is shown only once, when the key is created.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    /// The key's id: the `client_id` for `POST /auth/token`, and the `author_id` of the
    /// articles the key writes.
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// What the key is for.
    #[schema(example = "Newsroom publishing bot")]
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// When the key was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the key last obtained an access token; `null` if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<(ApiKeyRow, UserRow)> for ApiKey {
    fn from((key, user): (ApiKeyRow, UserRow)) -> Self {
        Self {
            id: key.id,
            name: user.name,
            role: Role::parse(&user.role).unwrap_or(Role::Author),
            created_at: key.created_at.and_utc(),
            last_used_at: key.last_used_at.map(|t| t.and_utc()),
        }
    }
}

/// A newly created API key, with its secret. Store the secret now: it is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKeySecret {
    /// The key's id: the `client_id` for `POST /auth/token`.
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// What the key is for.
    #[schema(example = "Newsroom publishing bot")]
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// The `client_secret` for `POST /auth/token`. Only its SHA-256 digest is stored.
    #[schema(example = "c2VjcmV0LXNob3duLW9uY2UtMzItYnl0ZXMtYmFzZTY0dXJs")]
    pub secret: String,
    /// When the key was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

/// A page of API keys that have not been revoked, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    /// The keys on this page, without secrets.
    pub data: Vec<ApiKey>,
    /// Paging information.
    pub meta: PageMeta,
}
