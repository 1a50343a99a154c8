//! Preview links: signed, expiring URLs under `/api/v1/preview/{token}` that show an article's
//! current document, whatever its status, to whoever holds the link — no account needed.
//!
//! - `token`: signing and checking tokens (pure).
//! - `store`: the `preview_links` table; a token is good only while its row exists.
//! - `handlers`: the HTTP edge. The use cases (create, revoke, read) are in
//!   `service::preview`, under the write pipeline's rules of who may edit an article.
//!
//! The previewed document shows related articles as an anonymous reader sees them: a preview
//! reveals the article it was made for, and nothing else that is not public.

pub mod dto;
pub mod handlers;
pub mod store;
pub mod token;
