//! Preview link endpoints: thin handlers over `service::preview`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::dto::{PreviewLink, PreviewLinkRequest};
use super::token::{DEFAULT_TTL, MAX_TTL, MIN_TTL};
use crate::articles::dto::Article;
use crate::articles::http::{article_response, PRIVATE_CACHE};
use crate::articles::service::{preview, Editor};
use crate::error::{AppError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Create a preview link: a URL that shows the article's current document, whatever its
/// status, to anyone who has it, until it expires or is revoked.
///
/// Anyone who may edit the article may create one.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/preview-links",
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id")),
    request_body = PreviewLinkRequest,
    responses(
        (status = 201, description = "The new link", body = PreviewLink),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "ttl_seconds out of range", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn create_preview_link(
    state: web::Data<AppState>,
    editor: Editor,
    id: web::Path<String>,
    body: ApiJson<PreviewLinkRequest>,
) -> Result<HttpResponse, AppError> {
    let ttl = body.0.ttl_seconds.unwrap_or(DEFAULT_TTL);
    if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
        return Err(AppError::field(
            "/ttl_seconds",
            format!("must be from {MIN_TTL} to {MAX_TTL} seconds"),
        ));
    }
    let id = id.into_inner();
    let secret = state.config.jwt_secret.clone();
    let link = state
        .db
        .run(move |conn| preview::create(conn, &editor, &id, ttl, &secret))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(link))
}

/// Revoke every preview link of the article.
#[utoipa::path(
    delete,
    path = "/api/v1/articles/{id}/preview-links",
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id")),
    responses(
        (status = 204, description = "Every link of the article is revoked"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn revoke_preview_links(
    state: web::Data<AppState>,
    editor: Editor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state
        .db
        .run(move |conn| preview::revoke(conn, &editor, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read an article through a preview link: its current document, whatever its status.
///
/// Needs no Authorization (a token sent is ignored). Related articles appear as an anonymous
/// reader sees them. Never cached, never indexed.
#[utoipa::path(
    get,
    path = "/api/v1/preview/{token}",
    tag = "articles",
    security(()),
    params(("token" = String, Path, description = "The token of a preview link")),
    responses(
        (status = 200, description = "The article as it stands now", body = Article,
            headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String, description = "`private, no-store`"), ("X-Robots-Tag" = String, description = "`noindex`"))),
        (status = 404, description = "The token is unknown, tampered with, expired or revoked", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_preview(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let secret = state.config.jwt_secret.clone();
    let article = state
        .db
        .run(move |conn| preview::read(conn, &token, &secret))
        .await?;
    let mut res = article_response(StatusCode::OK, &article, false);
    res.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        header::HeaderValue::from_static("noindex"),
    );
    Ok(res)
}
