//! Field rules shared by every request body: text lengths, NUL bytes, slugs, URLs.
//!
//! Pure functions; each records problems into `FieldErrors` with a JSON Pointer.

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use crate::error::{pointer_token, AppError, FieldErrors};

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

/// Parses a JSON document into `T`, mapping syntax errors to 400 and data errors to 422.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let pointer = json_pointer(err.path());
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let detail = without_position(&inner);
                AppError::field(with_missing_field(pointer, &detail), detail)
            }
            _ => AppError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    de.end()
        .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// Deserializes an already-parsed JSON value into `T`; every failure is a 422 naming the field.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let detail = without_position(err.inner());
        AppError::field(
            with_missing_field(json_pointer(err.path()), &detail),
            detail,
        )
    })
}

/// The pointer of a missing field, which serde reports at the object that lacks it; and of an
/// unknown field inside a tagged enum, whose buffered content loses the field's path.
pub fn with_missing_field(pointer: String, detail: &str) -> String {
    let named = |prefix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once('`'))
            .map(|(field, _)| format!("/{}", pointer_token(field)))
    };
    match (named("missing field `"), named("unknown field `")) {
        (Some(field), _) => format!("{pointer}{field}"),
        (None, Some(field)) if !pointer.ends_with(&field) => format!("{pointer}{field}"),
        _ => pointer,
    }
}

/// The JSON Pointer (RFC 6901) of a serde path.
pub fn json_pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&pointer_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// A serde_json data error without the " at line 1 column 42" it appends: the pointer says
/// where already.
pub fn without_position(err: &serde_json::Error) -> String {
    let msg = err.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
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
    fn missing_and_unknown_fields_are_pointed_at_once() {
        let missing = "missing field `password`";
        assert_eq!(with_missing_field(String::new(), missing), "/password");
        let unknown = "unknown field `client_id`, expected `username`";
        assert_eq!(with_missing_field(String::new(), unknown), "/client_id");
        assert_eq!(
            with_missing_field("/client_id".into(), unknown),
            "/client_id"
        );
        assert_eq!(with_missing_field("/a".into(), "invalid type"), "/a");
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
