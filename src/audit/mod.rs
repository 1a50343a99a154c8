//! The audit log: an append-only record of who did what, when and from where, read by admins at
//! `GET /api/v1/audit`.
//!
//! Other modules write entries with [`record`], inside the transaction of the change they
//! describe, so an entry exists exactly when its change was committed. Nothing here updates or
//! deletes an entry, and the database refuses to (triggers in the migration).

pub mod dto;
pub mod handlers;
mod ip;
pub mod models;
pub mod repo;

pub use ip::ClientIp;

use serde_json::Value;

use crate::auth::AuthUser;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::users::models::UserRow;

/// The actions this crate records outside the article pipeline, which writes `article.*`.
pub mod action {
    /// A successful password login.
    pub const LOGIN: &str = "auth.login";
    /// A login refused for a wrong password, an unknown email or a disabled account.
    pub const LOGIN_FAILED: &str = "auth.login_failed";
    /// A login ended by its owner.
    pub const LOGOUT: &str = "auth.logout";
    /// A user changed their own password, ending all their sessions.
    pub const PASSWORD_CHANGE: &str = "auth.password_change";
    /// A used refresh token was presented again, and its whole login was revoked.
    pub const REFRESH_REUSE: &str = "auth.refresh_reuse";
    /// An admin created a user.
    pub const USER_CREATE: &str = "user.create";
    /// An admin changed a user.
    pub const USER_UPDATE: &str = "user.update";
    /// An admin deleted a user.
    pub const USER_DELETE: &str = "user.delete";
    /// An admin created an API key.
    pub const API_KEY_CREATE: &str = "api_key.create";
    /// An admin revoked an API key.
    pub const API_KEY_REVOKE: &str = "api_key.revoke";
    /// An admin created a webhook.
    pub const WEBHOOK_CREATE: &str = "webhook.create";
    /// An admin changed a webhook.
    pub const WEBHOOK_UPDATE: &str = "webhook.update";
    /// An admin deleted a webhook.
    pub const WEBHOOK_DELETE: &str = "webhook.delete";
    /// A user uploaded a medium.
    pub const MEDIA_CREATE: &str = "media.create";
    /// A user changed a medium's alt text, caption or credit.
    pub const MEDIA_UPDATE: &str = "media.update";
    /// A user deleted a medium.
    pub const MEDIA_DELETE: &str = "media.delete";
}

/// Who did something: a user or an API key, by id and by the name they had at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's (or API key's) id.
    pub id: String,
    /// Their display name when the entry was written.
    pub name: String,
}

impl From<&AuthUser> for Actor {
    fn from(user: &AuthUser) -> Self {
        Self {
            id: user.id.clone(),
            name: user.name.clone(),
        }
    }
}

impl From<&UserRow> for Actor {
    fn from(user: &UserRow) -> Self {
        Self {
            id: user.id.clone(),
            name: user.name.clone(),
        }
    }
}

/// What an entry is about: a kind (`article`, `user`, `api_key`, `session`, …) and an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The kind of thing, shown as `target.type`.
    pub kind: &'static str,
    /// Its id.
    pub id: String,
}

impl Target {
    /// A user account.
    pub fn user(id: impl Into<String>) -> Self {
        Self {
            kind: "user",
            id: id.into(),
        }
    }

    /// An API key.
    pub fn api_key(id: impl Into<String>) -> Self {
        Self {
            kind: "api_key",
            id: id.into(),
        }
    }

    /// A webhook.
    pub fn webhook(id: impl Into<String>) -> Self {
        Self {
            kind: "webhook",
            id: id.into(),
        }
    }

    /// An uploaded medium.
    pub fn medium(id: impl Into<String>) -> Self {
        Self {
            kind: "medium",
            id: id.into(),
        }
    }

    /// A login session (the family of one login's refresh tokens).
    pub fn session(id: impl Into<String>) -> Self {
        Self {
            kind: "session",
            id: id.into(),
        }
    }
}

/// An entry to record. Its id and time are set by [`record`].
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Who did it; `None` for the system itself and for callers not signed in.
    pub actor: Option<Actor>,
    /// What was done, `<resource>.<verb>`, e.g. `user.update`.
    pub action: String,
    /// What it was done to, if anything.
    pub target: Option<Target>,
    /// The client's IP address, when the change came in over HTTP.
    pub ip: Option<String>,
    /// Facts about the change, as a JSON object. Never secrets: no passwords, hashes or tokens.
    pub detail: Value,
}

/// Who makes a change and from where: the actor and client IP that every entry written for one
/// request shares.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Who is acting; `None` for the system itself and for callers not signed in.
    pub actor: Option<Actor>,
    /// The client's IP address, if the change came in over HTTP.
    pub ip: Option<String>,
}

impl Origin {
    /// A signed-in user acting from `ip`.
    pub fn new(user: &AuthUser, ip: ClientIp) -> Self {
        Self {
            actor: Some(Actor::from(user)),
            ip: ip.0,
        }
    }

    /// A caller who is not signed in, from `ip`.
    pub fn anonymous(ip: ClientIp) -> Self {
        Self {
            actor: None,
            ip: ip.0,
        }
    }

    /// The same origin acting as `actor`, e.g. once a login has shown who the caller is.
    pub fn as_actor(&self, actor: Actor) -> Self {
        Self {
            actor: Some(actor),
            ip: self.ip.clone(),
        }
    }

    /// An entry for `action` on `target` from this origin.
    pub fn entry(&self, action: &str, target: Option<Target>, detail: Value) -> NewEntry {
        NewEntry {
            actor: self.actor.clone(),
            action: action.to_owned(),
            target,
            ip: self.ip.clone(),
            detail,
        }
    }
}

/// Appends an entry to the audit log, with a new UUIDv7 id and the current time.
///
/// Call it on the connection of the transaction that makes the change, so that the entry is
/// committed, or rolled back, with it. A `detail` that is not a JSON object is stored as
/// `{"value": detail}` (`null` as `{}`), so that every entry's detail is an object.
pub fn record(conn: &mut AnyConnection, entry: NewEntry) -> Result<(), AppError> {
    repo::insert(conn, entry)
}
