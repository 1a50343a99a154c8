//! The application state every handler can reach.

use crate::auth::password::PasswordPool;
use crate::auth::throttle::LoginThrottle;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::cursor::CursorKey;
use crate::db::Db;

/// Shared, immutable after start-up (the pool and the throttle are internally synchronised).
pub struct AppState {
    /// The configuration the process started with.
    pub config: Config,
    /// The database pool.
    pub db: Db,
    /// Keys and rules for access tokens.
    pub tokens: TokenKeys,
    /// Signs and checks list cursors.
    pub cursor_key: CursorKey,
    /// Rendered documents for anonymous readers.
    pub read_cache: std::sync::Arc<crate::articles::cache::ReadCache>,
    /// Failed logins per email, kept in the database and shared by every process on it.
    pub throttle: LoginThrottle,
    /// Requests per caller, counted in this process.
    pub rate_limit: crate::rate_limit::RateLimit,
    /// Where requests hash and check passwords, a bounded number at a time.
    pub passwords: PasswordPool,
    /// Where uploaded media files and their renditions are kept.
    pub media: crate::media::storage::MediaStore,
}
