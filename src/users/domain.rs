//! Roles and the rules that depend on them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including user management.
    Admin,
    /// All content work: edit any article, publish, delete.
    Editor,
    /// Creates articles; edits and deletes only their own while not published.
    Author,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Author => "author",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "editor" => Some(Self::Editor),
            "author" => Some(Self::Author),
            _ => None,
        }
    }

    /// Whether this role works on every article, not only its own.
    pub fn edits_all_content(self) -> bool {
        matches!(self, Self::Admin | Self::Editor)
    }
}

/// Normalises an email for storage and lookup: trimmed, lower-case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}
