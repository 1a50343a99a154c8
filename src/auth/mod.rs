//! Authentication: password hashing, access tokens, the extractors that make a route
//! authenticated, and the `/auth` endpoints.

pub mod dto;
pub mod extract;
pub mod handlers;
pub mod password;
pub mod token;

pub use extract::{AuthUser, MaybeAuthUser};
