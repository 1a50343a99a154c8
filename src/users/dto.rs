//! The wire shape of a user.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::Role;
use super::models::UserRow;

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
