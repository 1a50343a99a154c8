//! Roles, account kinds, and the rules for emails, names and passwords.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldErrors;
use crate::validate;

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

/// Whether an account is a person who logs in with a password or the principal of an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// A person with an email and a password.
    Person,
    /// The account an API key acts as; it has no password and is managed through `/api-keys`.
    ApiKey,
}

impl AccountKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::ApiKey => "api_key",
        }
    }
}

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords are refused, so that hashing one stays cheap.
pub const MAX_PASSWORD_CHARS: usize = 1_000;
/// The longest email address SMTP can carry.
const MAX_EMAIL_CHARS: usize = 254;
/// The longest display name.
pub const MAX_NAME_CHARS: usize = 200;

/// Checks and normalises an email: one `@` with text on both sides, no spaces or control
/// characters, at most 254 characters. Returns the lower-case form that is stored.
pub fn parse_email(errs: &mut FieldErrors, pointer: &str, raw: &str) -> String {
    let email = normalize_email(raw);
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.chars().count() <= MAX_EMAIL_CHARS;
    if !well_formed {
        errs.push(
            pointer,
            format!("must be an email address such as editor@example.com, at most {MAX_EMAIL_CHARS} characters"),
        );
    }
    email
}

/// Checks a new password's length (in characters) and that it holds no NUL.
pub fn check_password(errs: &mut FieldErrors, pointer: &str, password: &str) {
    validate::text(
        errs,
        pointer,
        password,
        MIN_PASSWORD_CHARS,
        MAX_PASSWORD_CHARS,
    );
}

/// Checks a display name.
pub fn check_name(errs: &mut FieldErrors, pointer: &str, name: &str) {
    validate::text(errs, pointer, name, 1, MAX_NAME_CHARS);
    if !name.is_empty() && name.trim().is_empty() {
        errs.push(pointer, "must not be only spaces");
    }
}

/// The name a user gets when none is given: the part of the email before `@`.
pub fn default_name(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    local.chars().take(MAX_NAME_CHARS).collect()
}

/// A new person account, checked; the password is still in plain text, to be hashed.
#[derive(Debug)]
pub struct NewAccount {
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The password, checked for length.
    pub password: String,
}

/// Checks the fields of a new account, collecting every problem into one 422.
pub fn parse_new_account(
    email: &str,
    name: Option<&str>,
    role: Role,
    password: String,
) -> Result<NewAccount, crate::error::AppError> {
    let mut errs = FieldErrors::default();
    let email = parse_email(&mut errs, "/email", email);
    let name = match name {
        Some(n) => {
            check_name(&mut errs, "/name", n);
            n.to_owned()
        }
        None => default_name(&email),
    };
    check_password(&mut errs, "/password", &password);
    errs.finish(NewAccount {
        email,
        name,
        role,
        password,
    })
}

/// A checked `PATCH /users/{id}` body; a new password is still in plain text, to be hashed.
#[derive(Debug, Default)]
pub struct AccountPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// Checks the fields of a user patch, collecting every problem into one 422.
pub fn parse_patch(patch: super::dto::UserPatch) -> Result<AccountPatch, crate::error::AppError> {
    let mut errs = FieldErrors::default();
    let email = patch.email.map(|e| parse_email(&mut errs, "/email", &e));
    if let Some(name) = &patch.name {
        check_name(&mut errs, "/name", name);
    }
    if let Some(password) = &patch.password {
        check_password(&mut errs, "/password", password);
    }
    errs.finish(AccountPatch {
        email,
        name: patch.name,
        role: patch.role,
        active: patch.active,
        password: patch.password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email_ok(raw: &str) -> Option<String> {
        let mut errs = FieldErrors::default();
        let email = parse_email(&mut errs, "/email", raw);
        errs.finish(email).ok()
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(
            email_ok("  Mara.Lind@Example.COM ").as_deref(),
            Some("mara.lind@example.com")
        );
        assert_eq!(
            email_ok("admin@localhost").as_deref(),
            Some("admin@localhost")
        );
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@",
            "a b@example.com",
            "a@b@c",
            "a\0@b.c",
        ] {
            assert_eq!(email_ok(bad), None, "{bad:?}");
        }
        assert_eq!(email_ok(&format!("{}@example.com", "a".repeat(250))), None);
    }

    #[test]
    fn passwords_need_twelve_characters_counted_as_characters() {
        let mut errs = FieldErrors::default();
        check_password(&mut errs, "/password", "ééééééééééé");
        assert!(
            !errs.is_empty(),
            "11 characters are too few, even in 22 bytes"
        );
        let mut errs = FieldErrors::default();
        check_password(&mut errs, "/password", "éééééééééééé");
        assert!(errs.is_empty());
    }

    #[test]
    fn the_default_name_is_the_local_part_of_the_email() {
        assert_eq!(default_name("mara@example.com"), "mara");
    }
}
