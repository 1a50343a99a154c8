//! Field rules shared by every request body: text lengths, NUL bytes, slugs, URLs.
//!
//! Pure functions; each records problems into `FieldErrors` with a JSON Pointer.

use crate::error::FieldErrors;

/// The slug grammar as a regular expression, for the API description.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// The slug grammar: lower-case ASCII words joined by single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks a text value: no NUL byte, and a length in characters within `min..=max`.
///
/// NUL is refused before the database sees it: PostgreSQL cannot store it in `text` and SQLite
/// would silently truncate at it in some clients, so both backends answer 422 alike.
pub fn text(errs: &mut FieldErrors, pointer: &str, value: &str, min: usize, max: usize) {
    if value.contains('\0') {
        errs.push(pointer, "must not contain a NUL character");
        return;
    }
    let n = value.chars().count();
    if n < min || n > max {
        let rule = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min} to {max} characters")
        };
        errs.push(pointer, format!("{rule} (got {n})"));
    }
}

/// Like [`text`] for an optional value.
pub fn opt_text(errs: &mut FieldErrors, pointer: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        text(errs, pointer, v, 0, max);
    }
}

/// Checks an absolute http(s) URL.
pub fn http_url(errs: &mut FieldErrors, pointer: &str, value: &str) {
    if value.contains('\0') {
        errs.push(pointer, "must not contain a NUL character");
        return;
    }
    match url::Url::parse(value) {
        Ok(u)
            if (u.scheme() == "http" || u.scheme() == "https")
                && u.host().is_some()
                && value.len() <= 2000 => {}
        _ => errs.push(
            pointer,
            "must be an absolute http or https URL of at most 2000 characters",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_hyphenated_lowercase_words() {
        for ok in ["a", "ukraine-2026", "x-y-z"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "ü", "a_b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn text_counts_characters_not_bytes_and_refuses_nul() {
        let mut errs = FieldErrors::default();
        text(&mut errs, "/t", "ééé", 1, 3);
        assert!(errs.is_empty());
        text(&mut errs, "/t", "", 1, 3);
        text(&mut errs, "/n", "a\0b", 0, 10);
        assert!(errs.finish(()).is_err());
    }

    #[test]
    fn urls_must_be_http() {
        let mut errs = FieldErrors::default();
        http_url(&mut errs, "/u", "https://example.com/a?b=c");
        assert!(errs.is_empty());
        http_url(&mut errs, "/u", "javascript:alert(1)");
        http_url(&mut errs, "/u", "ftp://example.com");
        assert!(errs.finish(()).is_err());
    }
}
