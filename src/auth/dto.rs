//! Wire types of the `/auth` endpoints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials for `POST /auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email (compared case-insensitively).
    #[schema(example = "admin@localhost")]
    pub email: String,
    /// The account's password.
    #[schema(example = "correct-horse-battery-staple")]
    pub password: String,
}

/// A freshly issued access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// An HS256 JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
}
