//! Article endpoints: thin handlers that authorize, validate and call one repo function.

use actix_web::http::header::{self, HttpDate};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::domain;
use super::dto::{Article, ArticleInput};
use super::repo::{self, Transition};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::{AppError, Problem};
use crate::extract::{article_etag, ApiJson, IfMatch};
use crate::state::AppState;

const PUBLIC_CACHE: &str = "public, max-age=60, stale-while-revalidate=300";
const PRIVATE_CACHE: &str = "private, no-store";

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

fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
        })
}

/// Create an article, children included, in one transaction. It starts as a draft.
#[utoipa::path(
    post,
    path = "/api/v1/articles",
    tag = "articles",
    security(("bearer" = [])),
    request_body = ArticleInput,
    responses(
        (status = 201, description = "Created", body = Article,
            headers(("Location" = String, description = "URL of the new article"), ("ETag" = String, description = "Strong ETag of the new version"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_article(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<ArticleInput>,
) -> Result<HttpResponse, AppError> {
    let (draft, echo) = domain::validate(body.0)?;
    let article = state
        .db
        .run(move |conn| repo::create(conn, &user, draft, &echo, false))
        .await?;
    let mut res = article_response(StatusCode::CREATED, &article, false);
    let location = format!("/api/v1/articles/{}", article.id);
    res.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(|e| AppError::internal(e.to_string()))?,
    );
    Ok(res)
}

/// Fetch one article by id or slug, with all its parts.
///
/// Anonymous callers see published articles only; anything else is a 404.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}",
    tag = "articles",
    params(("id" = String, Path, description = "The article's id, or its slug")),
    responses(
        (status = 200, description = "The article", body = Article,
            headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = key.into_inner();
    let public = viewer.0.is_none();
    let article = state
        .db
        .run(move |conn| repo::load_document(conn, &key, viewer.0.as_ref()))
        .await?
        .ok_or_else(AppError::article_not_found)?;
    let etag = article_etag(&article.id, article.version);
    if none_match(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((
                header::CACHE_CONTROL,
                if public { PUBLIC_CACHE } else { PRIVATE_CACHE },
            ))
            .finish());
    }
    Ok(article_response(StatusCode::OK, &article, public))
}

/// Replace the whole article, children included, in one transaction.
///
/// Send back what GET returned, edited. A PUT that changes nothing keeps the version.
#[utoipa::path(
    put,
    path = "/api/v1/articles/{id}",
    tag = "articles",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the edit is based on"),
    ),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "The updated article", body = Article, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_article(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<ArticleInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (draft, echo) = domain::validate(body.0)?;
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| repo::replace(conn, &id, pre, &user, draft, &echo))
        .await?;
    Ok(article_response(StatusCode::OK, &article, false))
}

/// Change scalar fields and tags with a JSON merge patch (RFC 7396).
#[utoipa::path(
    patch,
    path = "/api/v1/articles/{id}",
    tag = "articles",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the edit is based on"),
    ),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "Fields to change; `null` removes an optional field"),
    responses(
        (status = 200, description = "The updated article", body = Article, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_article(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<Map<String, Value>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| repo::patch(conn, &id, pre, &user, body.0))
        .await?;
    Ok(article_response(StatusCode::OK, &article, false))
}

/// Delete an article and all its parts.
#[utoipa::path(
    delete,
    path = "/api/v1/articles/{id}",
    tag = "articles",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to delete this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_article(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let pre = if_match.precondition(&id);
    state
        .db
        .run(move |conn| repo::delete(conn, &id, pre, &user))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn run_transition(
    state: web::Data<AppState>,
    user: AuthUser,
    id: String,
    if_match: IfMatch,
    action: Transition,
) -> Result<HttpResponse, AppError> {
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| repo::transition(conn, &id, pre, &user, action))
        .await?;
    Ok(article_response(StatusCode::OK, &article, false))
}

macro_rules! transition_handler {
    ($name:ident, $path:literal, $action:expr, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(
            post,
            path = $path,
            tag = "articles",
            security(("bearer" = [])),
            params(
                ("id" = String, Path, description = "The article's id"),
                ("If-Match" = Option<String>, Header, description = "The ETag the action is based on"),
            ),
            responses(
                (status = 200, description = "The updated article", body = Article, headers(("ETag" = String))),
                (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "Only editors and admins may do this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
                (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $name(
            state: web::Data<AppState>,
            user: AuthUser,
            id: web::Path<String>,
            if_match: IfMatch,
        ) -> Result<HttpResponse, AppError> {
            run_transition(state, user, id.into_inner(), if_match, $action).await
        }
    };
}

transition_handler!(
    publish_article,
    "/api/v1/articles/{id}/publish",
    Transition::Publish,
    "Publish an article. `published_at` is set on first publication and kept afterwards."
);
transition_handler!(
    unpublish_article,
    "/api/v1/articles/{id}/unpublish",
    Transition::Unpublish,
    "Take an article back to draft; `published_at` is kept."
);
transition_handler!(
    archive_article,
    "/api/v1/articles/{id}/archive",
    Transition::Archive,
    "Archive an article: withdrawn from public view, kept for the record."
);
