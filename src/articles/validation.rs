//! Turning an `ArticleInput` into a validated `ArticleDraft`, collecting every field error.
//! Pure: no database, no HTTP. Linear in the size of the input: lists longer than their limit
//! are refused before their elements are looked at, and duplicates are found with a set.

use std::collections::HashSet;

use super::domain::{ArticleDraft, ReadOnlyEcho};
use super::dto::ArticleInput;
use crate::children::kinds::validate_list;
use crate::children::{Highlights, KeyTakeaways, Quotes, RiskNotes};
use crate::error::{AppError, FieldErrors};
use crate::validate;

/// Most tags per article.
pub const MAX_TAGS: usize = 20;
/// Most related articles per article.
pub const MAX_RELATED: usize = 20;
/// Most credited authors per article.
pub const MAX_AUTHORS: usize = 20;
/// Longest tag.
pub const MAX_TAG_CHARS: usize = 50;
/// Longest slug.
pub const MAX_SLUG: usize = 120;

/// Validates every field; all problems are reported at once.
pub fn validate(input: ArticleInput) -> Result<(ArticleDraft, ReadOnlyEcho), AppError> {
    let mut errs = FieldErrors::default();

    if let Some(slug) = &input.slug {
        if !validate::is_slug(slug) || slug.len() > MAX_SLUG {
            errs.push(
                "/slug",
                format!("must match ^[a-z0-9]+(-[a-z0-9]+)*$ and be at most {MAX_SLUG} characters"),
            );
        } else if is_uuid_shaped(slug) {
            // `/articles/{id_or_slug}` must never be ambiguous.
            errs.push("/slug", "must not have the shape of a UUID");
        }
    }
    validate::text(&mut errs, "/title", &input.title, 1, 300);
    validate::opt_text(&mut errs, "/dek", input.dek.as_deref(), 500);
    validate::opt_text(&mut errs, "/seo_title", input.seo_title.as_deref(), 300);
    validate::opt_text(
        &mut errs,
        "/seo_description",
        input.seo_description.as_deref(),
        500,
    );
    validate::opt_text(&mut errs, "/summary", input.summary.as_deref(), 2000);
    validate::opt_text(&mut errs, "/body", input.body.as_deref(), 200_000);
    validate::opt_text(&mut errs, "/analysis", input.analysis.as_deref(), 200_000);
    validate::opt_text(&mut errs, "/kicker", input.kicker.as_deref(), 300);
    validate::opt_text(&mut errs, "/source", input.source.as_deref(), 500);

    let language = input.language.clone().unwrap_or_else(|| "en".into());
    if language.len() > 35 || language_tags::LanguageTag::parse(&language).is_err() {
        errs.push(
            "/language",
            "must be a BCP 47 language tag such as en, de-CH or sr-Latn",
        );
    }

    if input.tags.len() > MAX_TAGS {
        errs.push(
            "/tags",
            format!(
                "at most {MAX_TAGS} tags are allowed (got {})",
                input.tags.len()
            ),
        );
    } else {
        let mut seen = HashSet::new();
        for (i, tag) in input.tags.iter().enumerate() {
            if !validate::is_slug(tag) || tag.len() > MAX_TAG_CHARS {
                errs.push(
                    format!("/tags/{i}"),
                    "must be a slug (^[a-z0-9]+(-[a-z0-9]+)*$) of at most 50 characters",
                );
            } else if !seen.insert(tag.as_str()) {
                errs.push(format!("/tags/{i}"), "appears twice");
            }
        }
    }

    let key_takeaways =
        validate_list::<KeyTakeaways>(&input.key_takeaways, "/key_takeaways", &mut errs);
    let quotes = validate_list::<Quotes>(&input.quotes, "/quotes", &mut errs);
    let highlights = validate_list::<Highlights>(&input.highlights, "/highlights", &mut errs);
    let risk_notes = validate_list::<RiskNotes>(&input.risk_notes, "/risk_notes", &mut errs);

    let mut related = Vec::new();
    if input.related.len() > MAX_RELATED {
        errs.push(
            "/related",
            format!(
                "at most {MAX_RELATED} related articles are allowed (got {})",
                input.related.len()
            ),
        );
    } else {
        let mut seen = HashSet::new();
        for (i, r) in input.related.iter().enumerate() {
            let id = r.id();
            if uuid::Uuid::parse_str(id).is_err() {
                errs.push(format!("/related/{i}"), "must be an article id (a UUID)");
            } else if !seen.insert(id) {
                errs.push(format!("/related/{i}"), "appears twice");
            }
            related.push(id.to_owned());
        }
    }

    let mut authors = Vec::new();
    if input.authors.len() > MAX_AUTHORS {
        errs.push(
            "/authors",
            format!(
                "at most {MAX_AUTHORS} authors are allowed (got {})",
                input.authors.len()
            ),
        );
    } else {
        let mut seen = HashSet::new();
        for (i, a) in input.authors.iter().enumerate() {
            let id = a.id();
            if uuid::Uuid::parse_str(id).is_err() {
                errs.push(format!("/authors/{i}"), "must be an author id (a UUID)");
            } else if !seen.insert(id) {
                errs.push(format!("/authors/{i}"), "appears twice");
            }
            authors.push(id.to_owned());
        }
    }

    let draft = ArticleDraft {
        slug: input.slug,
        title: input.title,
        dek: input.dek,
        seo_title: input.seo_title,
        seo_description: input.seo_description,
        summary: input.summary,
        body: input.body,
        analysis: input.analysis,
        kicker: input.kicker,
        source: input.source,
        language,
        tags: input.tags,
        key_takeaways,
        quotes,
        highlights,
        risk_notes,
        related,
        authors,
    };
    let echo = ReadOnlyEcho {
        id: input.id,
        status: input.status,
        publish_at: input.publish_at,
        published_at: input.published_at,
        created_at: input.created_at,
        updated_at: input.updated_at,
        version: input.version,
        author_id: input.author_id,
    };
    errs.finish((draft, echo))
}

/// Whether a string parses as a UUID in any of the forms the `uuid` crate accepts.
fn is_uuid_shaped(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// A slug made from a title: transliterated to ASCII, lower-case, hyphenated, at most 120
/// characters, cut at a word boundary. Never empty.
pub fn slug_from_title(title: &str) -> String {
    let full = slug::slugify(title);
    let mut out = String::new();
    for word in full.split('-').filter(|w| !w.is_empty()) {
        let extra = if out.is_empty() {
            word.len()
        } else {
            word.len() + 1
        };
        if out.len() + extra > MAX_SLUG {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // A single word longer than the limit, or nothing transliterable at all.
        out = full
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(MAX_SLUG)
            .collect();
    }
    if out.is_empty() {
        out.push_str("article");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_transliterated_and_cut_at_a_word() {
        assert_eq!(
            slug_from_title("Zürich: Ökonomen warnen!"),
            "zurich-okonomen-warnen"
        );
        assert_eq!(slug_from_title("Война и мир"), "voina-i-mir");
        assert_eq!(slug_from_title("!!! ???"), "article");
        let long = "word ".repeat(60);
        let s = slug_from_title(&long);
        assert!(s.len() <= MAX_SLUG && validate::is_slug(&s), "{s}");
    }

    fn input(json: serde_json::Value) -> ArticleInput {
        serde_json::from_value(json).expect("input")
    }

    #[test]
    fn every_invalid_field_is_reported_with_its_pointer() {
        let err = validate(input(serde_json::json!({
            "title": "",
            "slug": "Bad Slug",
            "language": "not a tag!",
            "tags": ["ok", "ok", "NO"],
            "quotes": [{"text": "fine", "speaker": ""}],
            "risk_notes": [{"title": "t", "category": "x".repeat(51)}],
        })))
        .expect_err("invalid");
        let AppError::Validation(errors) = err else {
            panic!("not a validation error")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        for p in [
            "/title",
            "/slug",
            "/language",
            "/tags/1",
            "/tags/2",
            "/quotes/0/speaker",
            "/risk_notes/0/category",
        ] {
            assert!(pointers.contains(&p), "{p} missing from {pointers:?}");
        }
    }

    #[test]
    fn a_slug_shaped_like_a_uuid_is_refused() {
        for slug in [
            "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d",
            "0198b7c12f4e7cc19a516f1d2a3b4c5d",
        ] {
            let err = validate(input(serde_json::json!({"title": "t", "slug": slug})));
            assert!(matches!(err, Err(AppError::Validation(_))), "{slug}");
        }
        assert!(validate(input(
            serde_json::json!({"title": "t", "slug": "cafe-2026"})
        ))
        .is_ok());
    }

    #[test]
    fn over_long_lists_are_refused_without_looking_at_their_elements() {
        let tags: Vec<String> = (0..100_000).map(|i| format!("tag-{i}")).collect();
        let related: Vec<String> = (0..100_000).map(|i| format!("not-an-id-{i}")).collect();
        let err = validate(input(
            serde_json::json!({"title": "t", "tags": tags, "related": related}),
        ))
        .expect_err("too many");
        let AppError::Validation(errors) = err else {
            panic!("not a validation error")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/tags", "/related"]);
    }

    #[test]
    fn duplicate_tags_are_found_at_their_second_place() {
        let err = validate(input(
            serde_json::json!({"title": "t", "tags": ["a", "b", "a"]}),
        ))
        .expect_err("duplicate");
        let AppError::Validation(errors) = err else {
            panic!("not a validation error")
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/tags/2");
    }

    #[test]
    fn nul_bytes_are_refused_anywhere() {
        let err = validate(input(serde_json::json!({"title": "a\u{0}b"}))).expect_err("nul");
        assert!(matches!(err, AppError::Validation(_)));
    }
}
