//! `/media` endpoints: upload, list, read, describe and delete images. Every route needs a
//! signed-in user; see the module doc of `media` for who may change what.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::dto::{MediaList, MediaUpload, Medium, MediumPatch, MAX_ALT, MAX_CAPTION, MAX_CREDIT};
use super::store::{self, MediumChanges};
use crate::audit::{ClientIp, Origin};
use crate::auth::AuthUser;
use crate::error::{AppError, FieldErrors, Problem};
use crate::extract::ApiJson;
use crate::page::{Page, PageParams};
use crate::state::AppState;

const PRIVATE_CACHE: &str = "private, no-store";

fn not_found() -> AppError {
    AppError::NotFound("no medium with this id".into())
}

/// Upload an image.
///
/// Send `multipart/form-data` with the image in a part named `file` and, optionally, `alt`,
/// `caption` and `credit`. The type is recognised from the file's bytes: JPEG, PNG, WebP, GIF
/// and AVIF are accepted, anything else (SVG included) is a 415. Uploading the same bytes
/// again makes a second medium with its own texts; the file is stored once.
#[utoipa::path(
    post,
    path = "/api/v1/media",
    tag = "media",
    security(("bearer" = [])),
    request_body(content = MediaUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Uploaded", body = Medium,
            headers(("Location" = String, description = "URL of the new medium"))),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 413, description = "The file is larger than BYLINE_MAX_MEDIA_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data, or the file is not a JPEG, PNG, WebP, GIF or AVIF image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file part, an unknown or repeated part, a text too long, or an image with too many pixels", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or the media store is unavailable", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn create_medium(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let max_bytes = state.config.media.max_bytes;
    super::upload::check_request(&req, max_bytes)?;
    let upload = super::upload::read(form, max_bytes).await?;
    let origin = Origin::new(&user, ip);
    let row = super::create(&state, &user, origin, upload).await?;
    let medium = Medium::from(row);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/media/{}", medium.id)))
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(medium))
}

/// List the media library, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/media",
    tag = "media",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of media", body = MediaList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_media(
    state: web::Data<AppState>,
    _user: AuthUser,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let (limit, before) = (page.limit + 1, page.after.clone());
    let rows = state
        .db
        .run(move |conn| Ok(store::list(conn, limit, before.as_deref())?))
        .await?;
    let (rows, meta) = page.finish(rows, |r| &r.id);
    let data = rows.into_iter().map(Medium::from).collect();
    Ok(meta.respond(
        "/api/v1/media",
        &MediaList {
            data,
            meta: meta.clone(),
        },
    ))
}

/// Fetch one medium.
#[utoipa::path(
    get,
    path = "/api/v1/media/{id}",
    tag = "media",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The medium's id")),
    responses(
        (status = 200, description = "The medium", body = Medium),
        crate::error::responses::Unauthorized,
        (status = 404, description = "No such medium", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_medium(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let row = state
        .db
        .run(move |conn| Ok(store::find(conn, &id)?))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(Medium::from(row)))
}

/// Change a medium's alt text, caption or credit; `null` clears one.
///
/// Editors and admins may change any medium, authors only those they uploaded.
#[utoipa::path(
    patch,
    path = "/api/v1/media/{id}",
    tag = "media",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The medium's id")),
    request_body = MediumPatch,
    responses(
        (status = 200, description = "The changed medium", body = Medium),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "An author changing a medium someone else uploaded", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such medium", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn update_medium(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: ApiJson<MediumPatch>,
) -> Result<HttpResponse, AppError> {
    let MediumPatch {
        alt,
        caption,
        credit,
    } = body.0;
    let mut errs = FieldErrors::default();
    for (pointer, value, max) in [
        ("/alt", &alt, MAX_ALT),
        ("/caption", &caption, MAX_CAPTION),
        ("/credit", &credit, MAX_CREDIT),
    ] {
        crate::validate::opt_text(&mut errs, pointer, value.clone().flatten().as_deref(), max);
    }
    errs.finish(())?;
    let changes = MediumChanges {
        alt,
        caption,
        credit,
        updated_at: None,
    };
    let id = id.into_inner();
    let origin = Origin::new(&user, ip);
    let row = state
        .db
        .run(move |conn| super::update(conn, &id, changes, &user, &origin))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(Medium::from(row)))
}

/// Delete a medium that nothing uses.
///
/// Editors and admins may delete any medium, authors only those they uploaded. A medium used
/// as a featured image or an avatar is a 409. The file goes with the last medium that has it.
#[utoipa::path(
    delete,
    path = "/api/v1/media/{id}",
    tag = "media",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The medium's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "An author deleting a medium someone else uploaded", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such medium", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The medium is in use", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn delete_medium(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let origin = Origin::new(&user, ip);
    let deleted = state
        .db
        .run(move |conn| super::delete(conn, &id, &user, &origin))
        .await?
        .ok_or_else(not_found)?;
    super::remove_files(&state, &deleted).await;
    Ok(HttpResponse::NoContent().finish())
}
