//! Authentication: password hashing, access tokens, sessions with rotating refresh tokens,
//! login throttling, the extractors that make a route authenticated, and the `/auth`
//! endpoints.

pub mod dto;
pub mod extract;
pub mod handlers;
pub mod models;
pub mod password;
pub mod repo;
pub mod secret;
pub mod throttle;
pub mod token;

pub use extract::{AdminUser, AuthSession, AuthUser, MaybeAuthUser, MaybeClaims};
