//! API keys for publishing clients: created by admins, exchanged at `POST /auth/token` for
//! short-lived access tokens (OAuth 2.0 client credentials), revoked at once by deleting them.
//!
//! Each key acts as its own account: a `users` row of kind `api_key` with the key's id, name
//! and role, so the articles it writes have an author and the usual role rules apply to it.
//! That account has no password and cannot log in; it is hidden from `/users`.

pub mod dto;
pub mod handlers;
pub mod models;
pub mod repo;
