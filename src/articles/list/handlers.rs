//! List endpoints: `GET /articles` (summaries or full documents, one keyset page at a time)
//! and `GET /tags`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::dto::{ArticlePage, ArticleSummary, TagCount, TagList};
use super::params::{next_cursor, ListParams};
use super::{query, ListQuery, ListedRow};
use crate::articles::document::{self, Viewer};
use crate::articles::dto::ArticleStatus;
use crate::articles::http::{none_match, PRIVATE_CACHE, PUBLIC_CACHE};
use crate::articles::store;
use crate::auth::MaybeAuthUser;
use crate::children::dto::ListMeta;
use crate::error::{AppError, Problem};
use crate::state::AppState;

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
            let (rows, more) = query::page(conn, &query, viewer)?;
            let next = rows
                .last()
                .filter(|_| more)
                .map(|r| next_cursor(&query, r, &key));
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let items = if query.include_children {
                document::load(conn, &ids, Viewer::Reader(viewer))?
                    .into_iter()
                    .map(to_json)
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                let mut tags = document::tags_of_many(conn, &ids)?;
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
        .run(|conn| Ok(store::tag_counts(conn, MAX_TAGS)?))
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
