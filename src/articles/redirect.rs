//! The HTTP edge of old slugs: what `GET`/`HEAD /articles/{id_or_slug}` answers when the key
//! names no article now. An old slug of an article the caller may see is a `301` to the
//! article's current slug; anything else, an old slug of an article now unpublished included
//! for anonymous callers, is the usual 404, so that nothing about hidden articles leaks.

use actix_web::http::header;
use actix_web::HttpResponse;

use super::http::{PRIVATE_CACHE, PUBLIC_CACHE};

/// A `301` to the current slug of a moved article, keeping the query string (`formats=…`).
pub fn moved(slug: &str, query: &str, public: bool) -> HttpResponse {
    let location = if query.is_empty() {
        format!("/api/v1/articles/{slug}")
    } else {
        format!("/api/v1/articles/{slug}?{query}")
    };
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .insert_header((
            header::CACHE_CONTROL,
            if public { PUBLIC_CACHE } else { PRIVATE_CACHE },
        ))
        .finish()
}
