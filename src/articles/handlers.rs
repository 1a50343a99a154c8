//! Article endpoints: thin handlers that authorize, validate and call one repo function.

use actix_web::http::header::{self, HttpDate};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use chrono::SubsecRound;

use super::cache::{self, Cached};
use super::domain;
use super::dto::{
    Article, ArticleInput, ArticlePage, ArticlePatch, ArticleStatus, ArticleSummary,
    ScheduleRequest, TagCount, TagList,
};
use super::list::{self, ListParams, ListQuery, ListedRow};
use super::repo::{self, Transition};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::children::dto::ListMeta;
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

fn not_modified_since(req: &HttpRequest, modified: std::time::SystemTime) -> bool {
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

fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/"))
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
    tag = "articles", security((), ("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id, or its slug"),
        ("If-None-Match" = Option<String>, Header, description = "ETags of copies the client holds; a match answers 304"),
        ("If-Modified-Since" = Option<String>, Header, description = "HTTP date; unchanged since answers 304 (ignored with If-None-Match)"),
    ),
    responses(
        (status = 200, description = "The article", body = Article,
            headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        crate::error::responses::InvalidToken,
        (status = 404, description = "No such article, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
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
    if let Some(hit) = state.read_cache.get(&key).filter(|_| public) {
        return Ok(document_response(&req, hit, true));
    }
    let generation = cache::generation();
    let lookup = key.clone();
    let article = state
        .db
        .run(move |conn| repo::load_document(conn, &lookup, viewer.0.as_ref()))
        .await?
        .ok_or_else(AppError::article_not_found)?;
    let body = serde_json::to_vec(&article).map_err(|e| AppError::internal(e.to_string()))?;
    let rendered = Cached::new(
        body.into(),
        article_etag(&article.id, article.version),
        std::time::SystemTime::from(article.updated_at),
        generation,
    );
    if public {
        state.read_cache.put(key, rendered.clone());
    }
    Ok(document_response(&req, rendered, public))
}

/// A rendered document with its validators, or 304 when the client's copy is current.
fn document_response(req: &HttpRequest, doc: Cached, public: bool) -> HttpResponse {
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
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to delete this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::PreconditionFailed,
        crate::error::responses::Unavailable,
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
                crate::error::responses::Unauthorized,
                (status = 403, description = "Only editors and admins may do this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
                crate::error::responses::PreconditionFailed,
                crate::error::responses::Unavailable,
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
    user: AuthUser,
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
        user,
        id.into_inner(),
        if_match,
        Transition::Schedule(at),
    )
    .await
}

fn summary(row: ListedRow, tags: Vec<String>) -> ArticleSummary {
    ArticleSummary {
        status: ArticleStatus::parse(&row.status).unwrap_or(ArticleStatus::Draft),
        id: row.id,
        slug: row.slug,
        title: row.title,
        dek: row.dek,
        seo_title: row.seo_title,
        seo_description: row.seo_description,
        summary: row.summary,
        kicker: row.kicker,
        source: row.source,
        language: row.language,
        tags,
        publish_at: row.publish_at.map(|t| t.and_utc()),
        published_at: row.published_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        version: row.version,
        author_id: row.author_id,
    }
}

fn to_json<T: serde::Serialize>(item: T) -> Result<Value, AppError> {
    serde_json::to_value(item).map_err(|e| AppError::internal(e.to_string()))
}

fn keep_fields(item: Value, fields: Option<&[String]>) -> Value {
    match (item, fields) {
        (Value::Object(map), Some(fields)) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| fields.contains(k))
                .collect(),
        ),
        (item, _) => item,
    }
}

fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != "cursor" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("cursor", cursor);
    format!("<{}?{}>; rel=\"next\"", req.path(), query.finish())
}

/// A weak ETag over a list body, for `If-None-Match` on collections.
fn weak_etag(body: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(body);
    format!("W/\"{}\"", hex::encode(&digest[..12]))
}

fn collection_response(
    req: &HttpRequest,
    body: Vec<u8>,
    public: bool,
) -> actix_web::HttpResponseBuilder {
    let etag = weak_etag(&body);
    let mut res = if none_match(req, &etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag)).insert_header((
        header::CACHE_CONTROL,
        if public { PUBLIC_CACHE } else { PRIVATE_CACHE },
    ));
    res
}

/// List and search articles, newest first, one keyset page at a time.
///
/// Anonymous callers see published articles only. Follow `meta.next_cursor` (or the `Link`
/// header) for the next page; its cost does not grow with the page's depth.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "articles", security((), ("bearer" = [])),
    params(
        ListParams,
        ("If-None-Match" = Option<String>, Header, description = "ETag of a page the client holds; a match answers 304"),
    ),
    responses(
        (status = 200, description = "A page of articles", body = ArticlePage,
            headers(("ETag" = String, description = "Weak ETag of this page"), ("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "Malformed parameter or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::InvalidToken,
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let query = ListQuery::parse(params.into_inner(), &state.cursor_key)?;
    let public = viewer.0.is_none();
    let key = state.cursor_key.clone();
    let (data, next, limit) = state
        .db
        .run(move |conn| {
            let viewer = viewer.0.as_ref();
            let (rows, more) = list::page(conn, &query, viewer)?;
            let next = rows
                .last()
                .filter(|_| more)
                .map(|r| list::next_cursor(&query, r, &key));
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let items = if query.include_children {
                repo::documents_of_many(conn, &ids, viewer)?
                    .into_iter()
                    .map(to_json)
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                let mut tags = repo::tags_of_many(conn, &ids)?;
                rows.into_iter()
                    .map(|r| {
                        let t = tags.remove(&r.id).unwrap_or_default();
                        to_json(summary(r, t))
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            let data = items
                .into_iter()
                .map(|i| keep_fields(i, query.fields.as_deref()))
                .collect();
            Ok((data, next, query.limit))
        })
        .await?;
    let link = next.as_deref().map(|c| next_link(&req, c));
    let page = ArticlePage {
        data,
        meta: ListMeta {
            limit,
            next_cursor: next,
        },
    };
    let body = serde_json::to_vec(&page).map_err(|e| AppError::internal(e.to_string()))?;
    let mut res = collection_response(&req, body.clone(), public);
    if let Some(link) = link {
        res.insert_header((header::LINK, link));
    }
    Ok(res.content_type("application/json").body(body))
}

/// Tags with the number of published articles that carry them, most used first.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "articles", security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Tags by use", body = TagList, headers(("ETag" = String, description = "Weak ETag"))),
        crate::error::responses::InvalidToken,
        (status = 304, description = "Not modified (If-None-Match matched)"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_tags(
    req: HttpRequest,
    state: web::Data<AppState>,
    // An invalid token is a 401 on every read, even where the answer does not depend on it.
    _viewer: MaybeAuthUser,
) -> Result<HttpResponse, AppError> {
    const MAX_TAGS: i64 = 1000;
    let rows = state
        .db
        .run(|conn| repo::tag_counts(conn, MAX_TAGS))
        .await?;
    let data = rows
        .into_iter()
        .map(|(tag, count)| TagCount { tag, count })
        .collect();
    let list = TagList {
        data,
        meta: ListMeta {
            limit: MAX_TAGS,
            next_cursor: None,
        },
    };
    let body = serde_json::to_vec(&list).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(collection_response(&req, body.clone(), true)
        .content_type("application/json")
        .body(body))
}

/// Headers of `GET /articles/{id}` without the body: ETag, Last-Modified, Cache-Control.
#[utoipa::path(
    head,
    path = "/api/v1/articles/{id}",
    tag = "articles", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id, or its slug")),
    responses(
        (status = 200, description = "The article exists and is visible", headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 401, description = "Invalid token"),
        (status = 404, description = "No such article, or not visible to the caller"),
        (status = 503, description = "Database unavailable", headers(("Retry-After" = String))),
    )
)]
pub async fn head_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    get_article(req, state, viewer, key).await
}

/// Headers of `GET /articles` without the body.
#[utoipa::path(
    head,
    path = "/api/v1/articles",
    tag = "articles", security((), ("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "The page exists", headers(("ETag" = String), ("Link" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "Malformed parameter or cursor"),
        (status = 401, description = "Invalid token"),
        (status = 503, description = "Database unavailable", headers(("Retry-After" = String))),
    )
)]
pub async fn head_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    list_articles(req, state, viewer, params).await
}
