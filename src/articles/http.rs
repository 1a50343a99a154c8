//! HTTP caching of article reads: the headers of a document response (`ETag`,
//! `Last-Modified`, `Cache-Control`) and conditional requests (`If-None-Match`,
//! `If-Modified-Since` → 304).

use actix_web::http::header::{self, HttpDate};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::cache::Cached;
use super::dto::Article;
use crate::extract::article_etag;

pub const PUBLIC_CACHE: &str = "public, max-age=60, stale-while-revalidate=300";
pub const PRIVATE_CACHE: &str = "private, no-store";

/// A response carrying an article with its ETag, Last-Modified and Cache-Control headers.
pub fn article_response(status: StatusCode, article: &Article, public: bool) -> HttpResponse {
    let modified = std::time::SystemTime::from(article.updated_at);
    HttpResponse::build(status)
        .insert_header((header::ETAG, article_etag(&article.id, article.version)))
        .insert_header((header::LAST_MODIFIED, HttpDate::from(modified)))
        .insert_header((
            header::CACHE_CONTROL,
            if public { PUBLIC_CACHE } else { PRIVATE_CACHE },
        ))
        .json(article)
}

pub fn not_modified_since(req: &HttpRequest, modified: std::time::SystemTime) -> bool {
    let since = req
        .headers()
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok())
        .map(std::time::SystemTime::from);
    // HTTP dates have whole seconds.
    let modified = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| std::time::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()))
        .unwrap_or(modified);
    since.is_some_and(|since| modified <= since)
}

pub fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/"))
        })
}

/// A rendered document with its validators, or 304 when the client's copy is current.
pub fn document_response(req: &HttpRequest, doc: Cached, public: bool) -> HttpResponse {
    let cache_control = if public { PUBLIC_CACHE } else { PRIVATE_CACHE };
    // If-Modified-Since counts only without If-None-Match (RFC 9110 §13.1.3).
    let fresh = if req.headers().contains_key(header::IF_NONE_MATCH) {
        none_match(req, &doc.etag)
    } else {
        not_modified_since(req, doc.last_modified)
    };
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, doc.etag))
        .insert_header((header::LAST_MODIFIED, HttpDate::from(doc.last_modified)))
        .insert_header((header::CACHE_CONTROL, cache_control));
    if fresh {
        res.finish()
    } else {
        res.content_type("application/json").body(doc.body)
    }
}
