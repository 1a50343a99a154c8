//! Article endpoints: thin handlers that parse the request, make one call into the write
//! pipeline or the read model, and shape the response.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::SubsecRound;
use serde_json::{Map, Value};

use super::cache::{self, Cached};
use super::domain::{self, Transition};
use super::dto::{Article, ArticleInput, ArticlePatch, ScheduleRequest};
use super::read::{find, Found};
use super::service::{self, Editor};
use crate::auth::extract::session_of;
use crate::auth::MaybeClaims;
use crate::error::{AppError, Problem};
use crate::extract::{ApiJson, IfMatch};
use crate::state::AppState;

use super::http::{article_response, document_response};

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
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn create_article(
    state: web::Data<AppState>,
    editor: Editor,
    body: ApiJson<ArticleInput>,
) -> Result<HttpResponse, AppError> {
    let (draft, echo) = validated(body.0).await?;
    let article = state
        .db
        .run(move |conn| service::articles::create(conn, &editor, draft, &echo, false))
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
    tag = "articles", security((), ("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id, or its slug"),
        super::formats::FormatsParam,
        ("If-None-Match" = Option<String>, Header, description = "ETags of copies the client holds; a match answers 304"),
        ("If-Modified-Since" = Option<String>, Header, description = "HTTP date; unchanged since answers 304 (ignored with If-None-Match)"),
    ),
    responses(
        (status = 200, description = "The article", body = Article,
            headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug of a published article: the article lives at its current slug",
            headers(("Location" = String, description = "`/api/v1/articles/{current_slug}`"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::InvalidToken,
        (status = 404, description = "No such article, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    claims: MaybeClaims,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = key.into_inner();
    let claims = claims.0;
    let formats = super::formats::Formats::of_query(req.query_string())?;
    if formats.any() {
        return super::formats::document_with(&req, &state, claims, key, formats).await;
    }
    let public = claims.is_none();
    let cacheable = public && state.read_cache.fresh().await;
    if cacheable {
        if let Some(hit) = state.read_cache.get(&key) {
            return Ok(document_response(&req, hit, true));
        }
    }
    let generation = cache::generation();
    let lookup = key.clone();
    let found = state
        .db
        .run(move |conn| {
            // The session check and the read share one trip to the blocking pool.
            let viewer = match &claims {
                Some(claims) => Some(session_of(conn, claims)?.user),
                None => None,
            };
            Ok(find(conn, &lookup, viewer.as_ref())?)
        })
        .await?;
    let document = match found {
        Found::Document(document) => document,
        Found::Moved(slug) => return Ok(super::redirect::moved(&slug, "", public)),
        Found::Nothing => return Err(AppError::article_not_found()),
    };
    if cacheable {
        let entry = Cached::new(
            document.body.clone(),
            document.etag.clone(),
            document.last_modified,
            generation,
        );
        state.read_cache.put(key, entry);
    }
    Ok(document_response(&req, document, public))
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
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::PreconditionFailed,
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn replace_article(
    state: web::Data<AppState>,
    editor: Editor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<ArticleInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (draft, echo) = validated(body.0).await?;
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| service::articles::replace(conn, &editor, &id, pre, draft, &echo))
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
    request_body(content = ArticlePatch, content_type = "application/merge-patch+json",
        description = "Fields to change; `null` removes an optional field"),
    responses(
        (status = 200, description = "The updated article", body = Article, headers(("ETag" = String))),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::PreconditionFailed,
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn update_article(
    state: web::Data<AppState>,
    editor: Editor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<Map<String, Value>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| service::articles::patch(conn, &editor, &id, pre, body.0))
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
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to delete this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::PreconditionFailed,
        crate::error::responses::Unavailable,
    )
)]
pub async fn delete_article(
    state: web::Data<AppState>,
    editor: Editor,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let pre = if_match.precondition(&id);
    state
        .db
        .run(move |conn| service::articles::delete(conn, &editor, &id, pre))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn run_transition(
    state: web::Data<AppState>,
    editor: Editor,
    id: String,
    if_match: IfMatch,
    action: Transition,
) -> Result<HttpResponse, AppError> {
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| service::workflow::transition(conn, &editor, &id, pre, action))
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
                crate::error::responses::Unauthorized,
                (status = 403, description = "Only editors and admins may do this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
                crate::error::responses::PreconditionFailed,
                crate::error::responses::Unavailable,
            )
        )]
        pub async fn $name(
            state: web::Data<AppState>,
            editor: Editor,
            id: web::Path<String>,
            if_match: IfMatch,
        ) -> Result<HttpResponse, AppError> {
            run_transition(state, editor, id.into_inner(), if_match, $action).await
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

/// Schedule an article to publish itself at `publish_at` (within 5 seconds of it).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/schedule",
    tag = "articles",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the action is based on"),
    ),
    request_body = ScheduleRequest,
    responses(
        (status = 200, description = "The scheduled article", body = Article, headers(("ETag" = String))),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "Only editors and admins may do this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already published", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::PreconditionFailed,
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "publish_at missing or not in the future", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn schedule_article(
    state: web::Data<AppState>,
    editor: Editor,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<ScheduleRequest>,
) -> Result<HttpResponse, AppError> {
    let at = body.0.publish_at.naive_utc().trunc_subsecs(6);
    if at <= crate::db::now() {
        return Err(AppError::field("/publish_at", "must be in the future"));
    }
    run_transition(
        state,
        editor,
        id.into_inner(),
        if_match,
        Transition::Schedule(at),
    )
    .await
}

/// Headers of `GET /articles/{id}` without the body: ETag, Last-Modified, Cache-Control.
#[utoipa::path(
    head,
    path = "/api/v1/articles/{id}",
    tag = "articles", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id, or its slug")),
    responses(
        (status = 200, description = "The article exists and is visible", headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug of a published article: the article lives at its current slug",
            headers(("Location" = String, description = "`/api/v1/articles/{current_slug}`"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 401, description = "Invalid token"),
        (status = 404, description = "No such article, or not visible to the caller"),
        (status = 503, description = "Database unavailable", headers(("Retry-After" = String))),
    )
)]
pub async fn head_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    claims: MaybeClaims,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    get_article(req, state, claims, key).await
}

/// Validates an article body; a large one on the blocking pool, so that a request's worth of
/// CPU never holds up the async workers.
async fn validated(
    input: ArticleInput,
) -> Result<(domain::ArticleDraft, domain::ReadOnlyEcho), AppError> {
    web::block(move || domain::validate(input))
        .await
        .map_err(|_| AppError::internal("blocking task was cancelled"))?
}
