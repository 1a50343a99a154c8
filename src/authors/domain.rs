//! Authors as the rules see them: a validated body, ready to store. Pure: no database, no
//! HTTP.

use super::dto::AuthorInput;
use crate::articles::domain::{slug_from_title, MAX_SLUG};
use crate::error::{AppError, FieldErrors};
use crate::validate;

/// Longest author name.
pub const MAX_NAME: usize = 200;
/// Longest biography.
pub const MAX_BIO: usize = 5000;

/// A validated author body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorDraft {
    /// `None` means: make one from the name.
    pub slug: Option<String>,
    pub name: String,
    pub bio: Option<String>,
    pub user_id: Option<String>,
}

/// Validates every field of an author body; all problems are reported at once. Whether
/// `user_id` names a user is checked against the database by the caller.
pub fn validate(input: AuthorInput) -> Result<AuthorDraft, AppError> {
    let mut errs = FieldErrors::default();
    if let Some(slug) = &input.slug {
        if !validate::is_slug(slug) || slug.len() > MAX_SLUG {
            errs.push(
                "/slug",
                format!("must match ^[a-z0-9]+(-[a-z0-9]+)*$ and be at most {MAX_SLUG} characters"),
            );
        } else if uuid::Uuid::parse_str(slug).is_ok() {
            // `/authors/{id_or_slug}` must never be ambiguous.
            errs.push("/slug", "must not have the shape of a UUID");
        }
    }
    validate::text(&mut errs, "/name", &input.name, 1, MAX_NAME);
    validate::opt_text(&mut errs, "/bio", input.bio.as_deref(), MAX_BIO);
    if let Some(user_id) = &input.user_id {
        if uuid::Uuid::parse_str(user_id).is_err() {
            errs.push("/user_id", "must be a user id (a UUID)");
        }
    }
    errs.finish(AuthorDraft {
        slug: input.slug,
        name: input.name,
        bio: input.bio,
        user_id: input.user_id,
    })
}

/// The slug made from an author's name: transliterated, hyphenated, at most 120 characters.
pub fn slug_from_name(name: &str) -> String {
    if slug::slugify(name).is_empty() {
        "author".into()
    } else {
        slug_from_title(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> AuthorInput {
        serde_json::from_value(json).expect("input")
    }

    #[test]
    fn every_invalid_field_is_reported_with_its_pointer() {
        let err = validate(input(serde_json::json!({
            "name": "", "slug": "Bad Slug", "bio": "b".repeat(MAX_BIO + 1), "user_id": "nobody"
        })))
        .expect_err("invalid");
        let AppError::Validation(errors) = err else {
            panic!("not a validation error")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/slug", "/name", "/bio", "/user_id"]);
    }

    #[test]
    fn a_slug_shaped_like_a_uuid_is_refused() {
        let err = validate(input(serde_json::json!({
            "name": "n", "slug": "0198b7c12f4e7cc19a516f1d2a3b4c5d"
        })));
        assert!(matches!(err, Err(AppError::Validation(_))));
    }

    #[test]
    fn names_become_slugs_and_nothing_becomes_author() {
        assert_eq!(slug_from_name("Zoë Ørsted"), "zoe-orsted");
        assert_eq!(slug_from_name("!!!"), "author");
    }
}
