//! The wire shapes of users: the user itself, and the bodies that create and change one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::domain::Role;
use super::models::UserRow;
use crate::page::PageMeta;

/// A user account. The password is never returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// The user's id (UUID v7).
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// Login email, stored in lower case.
    #[schema(example = "editor@example.com")]
    pub email: String,
    /// Display name.
    #[schema(example = "Mara Lind")]
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// Disabled users cannot log in and their tokens stop working.
    pub active: bool,
    /// When the account was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            role: Role::parse(&row.role).unwrap_or(Role::Author),
            id: row.id,
            email: row.email,
            name: row.name,
            active: row.active,
            created_at: row.created_at.and_utc(),
        }
    }
}

/// A page of users, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// The users on this page.
    pub data: Vec<User>,
    /// Paging information.
    pub meta: PageMeta,
}

/// Body of `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// Login email; stored in lower case and unique regardless of case.
    #[schema(example = "editor@example.com")]
    pub email: String,
    /// Display name, 1 to 200 characters; the part of the email before `@` when omitted.
    #[serde(default)]
    #[schema(example = "Mara Lind")]
    pub name: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// The initial password, 12 to 1,000 characters. It is stored as an Argon2id hash and never
    /// returned.
    #[schema(example = "a-long-initial-passphrase")]
    pub password: String,
}

/// Body of `PATCH /users/{id}`: the fields to change. `null` is not accepted for any of them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// A new login email.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, example = "mara.lind@example.com")]
    pub email: Option<String>,
    /// A new display name, 1 to 200 characters.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, example = "Mara Lind")]
    pub name: Option<String>,
    /// A new role. The last active admin cannot be demoted.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// `false` disables the account: it can no longer log in, and every session of it ends at
    /// once. The last active admin cannot be disabled.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, example = false)]
    pub active: Option<bool>,
    /// Resets the password (12 to 1,000 characters). Every session of the user ends.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, example = "a-new-long-passphrase-2026")]
    pub password: Option<String>,
}

// A field that is present must hold a value: `null` is a 422 rather than "no change".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
