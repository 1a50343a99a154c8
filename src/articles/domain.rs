//! Turning an `ArticleInput` into a validated `ArticleDraft`, collecting every field error.
//! Pure: no database, no HTTP.

use chrono::{DateTime, Utc};

use super::dto::{ArticleInput, ArticleStatus};
use crate::children::kinds::validate_list;
use crate::children::{ChildDraft, Highlights, KeyTakeaways, Quotes, RiskNotes};
use crate::error::{AppError, FieldErrors};
use crate::validate;

/// Most tags per article.
pub const MAX_TAGS: usize = 20;
/// Most related articles per article.
pub const MAX_RELATED: usize = 20;
/// Longest tag.
pub const MAX_TAG_CHARS: usize = 50;
/// Longest slug.
pub const MAX_SLUG: usize = 120;

/// A validated article body, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    /// `None` means: generate on create, keep on replace.
    pub slug: Option<String>,
    pub title: String,
    pub dek: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub summary: Option<String>,
    pub body: Option<String>,
    pub analysis: Option<String>,
    pub kicker: Option<String>,
    pub source: Option<String>,
    pub language: String,
    pub tags: Vec<String>,
    pub key_takeaways: Vec<ChildDraft>,
    pub quotes: Vec<ChildDraft>,
    pub highlights: Vec<ChildDraft>,
    pub risk_notes: Vec<ChildDraft>,
    pub related: Vec<String>,
}

/// The read-only fields a client sent back; they must equal the stored values.
#[derive(Debug, Clone, Default)]
pub struct ReadOnlyEcho {
    pub id: Option<String>,
    pub status: Option<ArticleStatus>,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: Option<i64>,
    pub author_id: Option<String>,
}

impl ReadOnlyEcho {
    /// Whether the client sent any read-only field at all.
    pub fn is_empty(&self) -> bool {
        self.id.is_none()
            && self.status.is_none()
            && self.publish_at.is_none()
            && self.published_at.is_none()
            && self.created_at.is_none()
            && self.updated_at.is_none()
            && self.version.is_none()
            && self.author_id.is_none()
    }
}

/// Validates every field; all problems are reported at once.
pub fn validate(input: ArticleInput) -> Result<(ArticleDraft, ReadOnlyEcho), AppError> {
    let mut errs = FieldErrors::default();

    if let Some(slug) = &input.slug {
        if !validate::is_slug(slug) || slug.len() > MAX_SLUG {
            errs.push(
                "/slug",
                format!("must match ^[a-z0-9]+(-[a-z0-9]+)*$ and be at most {MAX_SLUG} characters"),
            );
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
    }
    for (i, tag) in input.tags.iter().enumerate() {
        if !validate::is_slug(tag) || tag.len() > MAX_TAG_CHARS {
            errs.push(
                format!("/tags/{i}"),
                "must be a slug (^[a-z0-9]+(-[a-z0-9]+)*$) of at most 50 characters",
            );
        } else if input.tags[..i].contains(tag) {
            errs.push(format!("/tags/{i}"), "appears twice");
        }
    }

    let key_takeaways =
        validate_list::<KeyTakeaways>(&input.key_takeaways, "/key_takeaways", &mut errs);
    let quotes = validate_list::<Quotes>(&input.quotes, "/quotes", &mut errs);
    let highlights = validate_list::<Highlights>(&input.highlights, "/highlights", &mut errs);
    let risk_notes = validate_list::<RiskNotes>(&input.risk_notes, "/risk_notes", &mut errs);

    if input.related.len() > MAX_RELATED {
        errs.push(
            "/related",
            format!("at most {MAX_RELATED} related articles are allowed"),
        );
    }
    let related: Vec<String> = input.related.iter().map(|r| r.id().to_owned()).collect();
    for (i, id) in related.iter().enumerate() {
        if uuid::Uuid::parse_str(id).is_err() {
            errs.push(format!("/related/{i}"), "must be an article id (a UUID)");
        } else if related[..i].contains(id) {
            errs.push(format!("/related/{i}"), "appears twice");
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
    fn nul_bytes_are_refused_anywhere() {
        let err = validate(input(serde_json::json!({"title": "a\u{0}b"}))).expect_err("nul");
        assert!(matches!(err, AppError::Validation(_)));
    }
}
