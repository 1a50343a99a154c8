//! The HTTP edge of old slugs: what `GET`/`HEAD /articles/{id_or_slug}` answers when the key
//! names no article now. An old slug of an article the caller may see is a `301` to the
//! article's current slug; anything else, an old slug of an article now unpublished included
//! for anonymous callers, is the usual 404, so that nothing about hidden articles leaks.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::http::{PRIVATE_CACHE, PUBLIC_CACHE};
use super::slugs;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::state::AppState;

/// The answer to a read whose key names no current article: a redirect or a 404.
pub async fn moved_or_not_found(
    state: &web::Data<AppState>,
    key: String,
    viewer: Option<AuthUser>,
) -> Result<HttpResponse, AppError> {
    let public = viewer.is_none();
    let slug = state
        .db
        .run(move |conn| Ok(slugs::moved_to(conn, &key, viewer.as_ref())?))
        .await?
        .ok_or_else(AppError::article_not_found)?;
    Ok(HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, format!("/api/v1/articles/{slug}")))
        .insert_header((
            header::CACHE_CONTROL,
            if public { PUBLIC_CACHE } else { PRIVATE_CACHE },
        ))
        .finish())
}
