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

/// A freshly issued access token and the refresh token that obtains the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// An HS256 JWT to send as `Authorization: Bearer <token>`.
    #[schema(
        example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTk4YjdjMS0yZjRlLTdjYzEtOWE1MS02ZjFkMmEzYjRjNWQifQ.c2lnbmF0dXJl"
    )]
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// An opaque token for `POST /auth/refresh`. It works once: each refresh answers a new one.
    /// Presenting a used one again ends the whole login.
    #[schema(example = "b3BhcXVlLXJhbmRvbS0zMi1ieXRlcy1iYXNlNjR1cmwtZW5jb2Rl")]
    pub refresh_token: String,
}

/// The answer of `POST /auth/token`: an access token, and for the password grant the refresh
/// token of the new login too. An API key has no refresh token: its client asks again.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    /// An HS256 JWT to send as `Authorization: Bearer <token>`.
    #[schema(
        example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTk4YjdjMS0yZjRlLTdjYzEtOWE1MS02ZjFkMmEzYjRjNWQifQ.c2lnbmF0dXJl"
    )]
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Only for the password grant: as `refresh_token` in the answer of `POST /auth/login`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "b3BhcXVlLXJhbmRvbS0zMi1ieXRlcy1iYXNlNjR1cmwtZW5jb2Rl"
    )]
    pub refresh_token: Option<String>,
}

/// Body of `POST /auth/refresh`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    #[schema(example = "b3BhcXVlLXJhbmRvbS0zMi1ieXRlcy1iYXNlNjR1cmwtZW5jb2Rl")]
    pub refresh_token: String,
}

/// Body of `PUT /auth/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password the account has now.
    #[schema(example = "correct-horse-battery-staple")]
    pub current_password: String,
    /// The new password, 12 to 1,000 characters.
    #[schema(example = "a-new-long-passphrase-2026")]
    pub new_password: String,
}

/// Body of `POST /auth/token` (OAuth 2.0, RFC 6749), as JSON or as an
/// `application/x-www-form-urlencoded` form. `grant_type` picks the grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TokenRequest {
    /// An API key's id and secret (client credentials grant, RFC 6749 §4.4). Answers an access
    /// token without a refresh token.
    #[schema(title = "client_credentials")]
    ClientCredentials {
        /// The API key's id.
        #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
        client_id: String,
        /// The API key's secret, as shown once when the key was created.
        #[schema(example = "c2VjcmV0LXNob3duLW9uY2UtMzItYnl0ZXMtYmFzZTY0dXJs")]
        client_secret: String,
        /// Accepted for OAuth clients that always send one, and ignored: the key's role decides.
        #[serde(default)]
        #[schema(example = "write")]
        scope: Option<String>,
    },
    /// A person's email and password (resource owner password grant, RFC 6749 §4.3), as
    /// Swagger UI's "Authorize" sends them. The same login as `POST /auth/login`, with the same
    /// throttle and audit entries; answers a token pair.
    #[schema(title = "password")]
    Password {
        /// The account's email (compared case-insensitively).
        #[schema(example = "admin@localhost")]
        username: String,
        /// The account's password.
        #[schema(example = "correct-horse-battery-staple")]
        password: String,
        /// Accepted for OAuth clients that always send one, and ignored: the account's role
        /// decides.
        #[serde(default)]
        #[schema(example = "write")]
        scope: Option<String>,
    },
}
