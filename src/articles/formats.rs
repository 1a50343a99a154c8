//! The `formats` query parameter of `GET /articles/{id_or_slug}`: extra renderings of the
//! document a client asks for, as a comma-separated list (`formats=html,jsonld`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cache::Cached;
use super::dto::Article;
use super::http::document_response;
use super::read::{self, Found};
use super::rendered;
use super::text::{self, Rendered};
use crate::auth::extract::session_of;
use crate::auth::token::Claims;
use crate::distribution::jsonld;
use crate::error::AppError;
use crate::extract::article_etag;
use crate::state::AppState;

/// The extra renderings asked for; all `false` when `formats` is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Formats {
    /// `html`: the body and analysis rendered as sanitized HTML.
    pub html: bool,
    /// `plaintext`: the body and analysis as plain text.
    pub plaintext: bool,
    /// `jsonld`: schema.org `NewsArticle` structured data.
    pub jsonld: bool,
}

/// Query parameters of `GET /articles/{id_or_slug}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatsParam {
    /// Extra renderings to add to the document, comma-separated: `jsonld` adds `"jsonld"`, a
    /// schema.org `NewsArticle` for the page's `application/ld+json` script. `html` and
    /// `plaintext` are reserved. Any other value is a 400.
    #[param(example = "jsonld")]
    pub formats: Option<String>,
}

impl Formats {
    /// Whether any extra rendering was asked for.
    pub fn any(self) -> bool {
        self.html || self.plaintext || self.jsonld
    }

    /// Parses a comma-separated list; empty items are skipped, an unknown one is a 400 that
    /// names it.
    pub fn parse(list: &str) -> Result<Self, AppError> {
        let mut formats = Self::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "html" => formats.html = true,
                "plaintext" => formats.plaintext = true,
                "jsonld" => formats.jsonld = true,
                other => {
                    return Err(AppError::BadRequest(format!(
                        "formats: {other:?} is not a format; use html, plaintext or jsonld"
                    )))
                }
            }
        }
        Ok(formats)
    }

    /// The formats a query string asks for (other parameters are left to others).
    pub fn of_query(query: &str) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| AppError::BadRequest(format!("malformed query string: {e}")))?;
        match pairs.into_iter().rev().find(|(k, _)| k == "formats") {
            Some((_, list)) => Self::parse(&list),
            None => Ok(Self::default()),
        }
    }
}

/// The document of the article `key` names with the renderings `formats` asks for, read from
/// the database (never from the read cache, which holds plain documents), with the same
/// validators as the plain document.
pub async fn document_with(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    claims: Option<Claims>,
    key: String,
    formats: Formats,
) -> Result<HttpResponse, AppError> {
    let public = claims.is_none();
    let article = state
        .db
        .run(move |conn| {
            let viewer = match &claims {
                Some(claims) => Some(session_of(conn, claims)?.user),
                None => None,
            };
            let found = match read::find(conn, &key, viewer.as_ref())? {
                Found::Document(found) => found,
                Found::Moved(slug) => return Ok(Err(slug)),
                Found::Nothing => return Err(AppError::article_not_found()),
            };
            let mut article: Article = serde_json::from_slice(&found.body)
                .map_err(|e| AppError::internal(e.to_string()))?;
            if formats.html || formats.plaintext {
                // Rendered when the article changed; rendered here only for a document stored
                // before renderings were.
                let (html, plaintext) = match rendered::formats_of(conn, &article.id)? {
                    Some(stored) => stored,
                    None => {
                        let (body, analysis) =
                            (article.body.as_deref(), article.analysis.as_deref());
                        (
                            Rendered::of(body, analysis, text::html),
                            Rendered::of(body, analysis, text::plaintext),
                        )
                    }
                };
                article.html = formats.html.then_some(html);
                article.plaintext = formats.plaintext.then_some(plaintext);
            }
            Ok(Ok(article))
        })
        .await?;
    let mut article = match article {
        Ok(article) => article,
        Err(slug) => return Ok(super::redirect::moved(&slug, req.query_string(), public)),
    };
    if formats.jsonld {
        // The featured image joins once articles have one.
        let bylines: Vec<jsonld::Person> = article
            .authors
            .iter()
            .map(|a| jsonld::Person::new(a.name.clone(), None))
            .collect();
        article.jsonld = Some(jsonld::news_article(
            &article,
            &state.config.site,
            &bylines,
            None,
        ));
    }
    let body = serde_json::to_vec(&article).map_err(|e| AppError::internal(e.to_string()))?;
    let rendered = Cached::new(
        body.into(),
        article_etag(&article.id, article.version),
        std::time::SystemTime::from(article.updated_at),
        0,
    );
    Ok(document_response(req, rendered, public))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_sets_each_named_format() {
        let f = Formats::parse("jsonld, html").expect("valid");
        assert_eq!(
            f,
            Formats {
                html: true,
                plaintext: false,
                jsonld: true
            }
        );
        assert!(!Formats::parse("").expect("empty").any());
    }

    #[test]
    fn an_unknown_format_is_a_400_naming_it() {
        let e = Formats::parse("jsonld,xml").expect_err("unknown");
        assert!(
            matches!(&e, AppError::BadRequest(d) if d.contains("\"xml\"")),
            "{e}"
        );
    }

    #[test]
    fn the_query_string_is_read_for_formats_only() {
        assert!(
            Formats::of_query("formats=jsonld&x=1")
                .expect("valid")
                .jsonld
        );
        assert!(
            Formats::of_query("formats=html%2Cjsonld")
                .expect("valid")
                .jsonld
        );
        assert!(!Formats::of_query("").expect("empty").any());
    }
}
