//! `GET /media/{sha256}.{ext}`: the files themselves, for readers (no token), with their type,
//! immutable caching and `?w=` renditions made on first request and kept in the store.
//!
//! A file is served only while a medium has its digest, whatever the store still holds.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use tokio::sync::Semaphore;

use super::dto::ImageFile;
use super::image::{self, Format, RENDITION_WIDTHS};
use super::storage;
use super::store;
use crate::error::AppError;
use crate::state::AppState;

/// A file's URL never changes meaning: its name is the digest of its bytes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn not_found() -> AppError {
    AppError::NotFound("no media file at this address".into())
}

/// At most one resize per core at once: each can take a large image's worth of memory.
fn resizes() -> &'static Semaphore {
    static RESIZES: OnceLock<Semaphore> = OnceLock::new();
    RESIZES
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(1, usize::from)))
}

/// An image file, or a narrower rendition of it.
///
/// `?w=` asks for a rendition that wide (aspect kept), made on the first request and kept. An
/// image that is that wide or narrower is never upscaled: the answer is the original, with
/// its own ETag. GIF (whose animation a resize would lose) and AVIF are always answered as
/// uploaded.
#[utoipa::path(
    get,
    path = "/media/{file}",
    tag = "media",
    security(()),
    params(
        ("file" = String, Path, description = "`{sha256}.{ext}`, as in a medium's `url`",
            example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg"),
        ("w" = Option<u32>, Query, description = "Width of the rendition: 320, 640, 1024 or 1600"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag you hold; 304 when it is current"),
    ),
    responses(
        (status = 200, description = "The image",
            content(
                (ImageFile = "image/jpeg"), (ImageFile = "image/png"), (ImageFile = "image/webp"),
                (ImageFile = "image/gif"), (ImageFile = "image/avif"),
            ),
            headers(
                ("ETag" = String, description = "The SHA-256 of the original, plus the width for a rendition"),
                ("Cache-Control" = String, description = "`public, max-age=31536000, immutable`"),
                ("X-Content-Type-Options" = String, description = "`nosniff`"),
            )),
        (status = 304, description = "The ETag in If-None-Match is current"),
        (status = 400, description = "`w` is not 320, 640, 1024 or 1600", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No medium has this file", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or the media store is unavailable", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn serve_media_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let width = requested_width(req.query_string())?;
    let (sha256, format) = parse_file_name(&file).ok_or_else(not_found)?;
    let sha = sha256.to_owned();
    let (mime, original_width) = state
        .db
        .run(move |conn| Ok(store::file_of(conn, &sha)?))
        .await?
        .ok_or_else(not_found)?;
    if Format::from_mime(&mime) != Some(format) {
        return Err(not_found());
    }
    // Only a rendition that would be narrower than the original exists; otherwise the
    // original answers, under its own ETag.
    let width = width.filter(|&w| {
        i64::from(original_width) > i64::from(w)
            && matches!(format, Format::Jpeg | Format::Png | Format::Webp)
    });
    let etag = match width {
        Some(w) => format!("\"{sha256}-w{w}\""),
        None => format!("\"{sha256}\""),
    };
    if crate::articles::http::none_match(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .finish());
    }
    let store_error = |e: storage::StorageError| super::store_unavailable(&e);
    let original_key = storage::original_key(sha256, format);
    let bytes = match width {
        Some(w) => {
            let key = storage::rendition_key(sha256, format, w);
            match state.media.get(&key).await.map_err(store_error)? {
                Some(bytes) => Some(bytes),
                None => make_rendition(&state, &original_key, &key, format, w).await?,
            }
        }
        None => None,
    };
    let (bytes, etag) = match bytes {
        Some(bytes) => (bytes, etag),
        None => {
            let original = state.media.get(&original_key).await.map_err(store_error)?;
            let original = original.ok_or_else(|| {
                tracing::warn!(key = %original_key, "a medium's file is missing from the store");
                not_found()
            })?;
            (original, format!("\"{sha256}\""))
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(format.mime())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}

/// Headers of `GET /media/{file}` without the body: type, length, ETag, caching.
#[utoipa::path(
    head,
    path = "/media/{file}",
    tag = "media",
    security(()),
    params(
        ("file" = String, Path, description = "`{sha256}.{ext}`, as in a medium's `url`"),
        ("w" = Option<u32>, Query, description = "Width of the rendition: 320, 640, 1024 or 1600"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag you hold; 304 when it is current"),
    ),
    responses(
        (status = 200, description = "The image exists", headers(("ETag" = String), ("Cache-Control" = String), ("Content-Type" = String))),
        (status = 304, description = "The ETag in If-None-Match is current"),
        (status = 400, description = "`w` is not 320, 640, 1024 or 1600"),
        (status = 404, description = "No medium has this file"),
        (status = 503, description = "The database or the media store is unavailable", headers(("Retry-After" = String))),
    )
)]
pub async fn head_media_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    serve_media_file(req, state, file).await
}

/// Makes and keeps the rendition `width` wide; `None` when it cannot be made (the original is
/// then served), which is logged.
async fn make_rendition(
    state: &AppState,
    original_key: &str,
    key: &str,
    format: Format,
    width: u32,
) -> Result<Option<Bytes>, AppError> {
    let store_error = |e: storage::StorageError| super::store_unavailable(&e);
    let Some(original) = state.media.get(original_key).await.map_err(store_error)? else {
        return Ok(None);
    };
    let _permit = resizes()
        .acquire()
        .await
        .map_err(|_| AppError::internal("the resize limiter is closed"))?;
    let made = web::block(move || image::rendition(&original, format, width))
        .await
        .map_err(|_| AppError::internal("blocking task was cancelled"))?;
    let rendition = match made {
        Ok(Some(bytes)) => Bytes::from(bytes),
        Ok(None) => return Ok(None),
        Err(e) => {
            tracing::warn!(error = %e, key = original_key, "cannot make a rendition; serving the original");
            return Ok(None);
        }
    };
    // Kept for next time; a failure to keep it only costs a resize on the next request.
    if let Err(e) = state.media.put(key, rendition.clone()).await {
        tracing::warn!(error = %e, key, "cannot keep a rendition");
    }
    Ok(Some(rendition))
}

/// `{sha256}.{ext}`: 64 lower-case hex digits and the extension of an accepted format.
fn parse_file_name(name: &str) -> Option<(&str, Format)> {
    let (sha256, ext) = name.split_once('.')?;
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then_some(())?;
    Some((sha256, Format::from_ext(ext)?))
}

/// The `w` query parameter, when given: one of [`RENDITION_WIDTHS`], else a 400 like every
/// other malformed query parameter. Other parameters are ignored.
fn requested_width(query: &str) -> Result<Option<u32>, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| AppError::BadRequest(format!("malformed query string: {e}")))?;
    let mut width = None;
    for (key, value) in pairs {
        if key == "w" {
            let w = value
                .parse::<u32>()
                .ok()
                .filter(|w| RENDITION_WIDTHS.contains(w))
                .ok_or_else(|| {
                    AppError::BadRequest("w must be one of 320, 640, 1024 and 1600".into())
                })?;
            width = Some(w);
        }
    }
    Ok(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn file_names_are_a_digest_and_a_known_extension() {
        assert_eq!(
            parse_file_name(&format!("{SHA}.png")),
            Some((SHA, Format::Png))
        );
        for bad in [
            format!("{SHA}.svg"),
            format!("{SHA}.PNG"),
            format!("{}.png", SHA.to_uppercase()),
            format!("{}.png", &SHA[1..]),
            SHA.to_string(),
            format!("../{SHA}.png"),
        ] {
            assert_eq!(parse_file_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_four_rendition_widths_are_accepted() {
        assert_eq!(requested_width("").expect("none"), None);
        assert_eq!(requested_width("w=640&x=1").expect("640"), Some(640));
        for bad in ["w=100", "w=", "w=abc", "w=-320", "w=320.0"] {
            assert!(requested_width(bad).is_err(), "{bad}");
        }
    }
}
