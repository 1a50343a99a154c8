//! Feeds and sitemaps over HTTP, outside `/api/v1`: anonymous, published articles only, with a
//! strong ETag over the bytes (304 on `If-None-Match`) and the cache policy of article reads.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use sha2::Digest;
use utoipa::IntoParams;

use super::sitemaps::ARTICLES_PER_SITEMAP;
use crate::articles::http::{none_match, PUBLIC_CACHE};
use crate::error::{AppError, Problem};
use crate::state::AppState;

/// The media type of RSS 2.0.
pub const RSS: &str = "application/rss+xml; charset=utf-8";
/// The media type of Atom 1.0.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
/// The media type of sitemaps.
pub const XML: &str = "application/xml; charset=utf-8";

/// Query parameters of the feeds.
///
/// An `author` filter (by author slug) joins `tag` once articles have bylines; until then it
/// is refused as an unknown parameter rather than silently ignored.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// Only articles with this tag.
    #[param(
        example = "ferries",
        max_length = 50,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub tag: Option<String>,
}

impl FeedParams {
    /// The tag to filter by, checked: a tag is a slug of at most 50 characters.
    fn tag(self) -> Result<Option<String>, AppError> {
        match self.tag.filter(|t| !t.is_empty()) {
            Some(t) if t.chars().count() > 50 || !crate::validate::is_slug(&t) => {
                Err(AppError::BadRequest(format!(
                    "tag: {t:?} is not a tag (a slug of at most 50 characters)"
                )))
            }
            tag => Ok(tag),
        }
    }
}

/// `body` as `content_type` with its ETag, or 304 when the client holds these bytes.
fn xml_response(req: &HttpRequest, body: Vec<u8>, content_type: &'static str) -> HttpResponse {
    let digest = sha2::Sha256::digest(&body);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let fresh = none_match(req, &etag);
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, PUBLIC_CACHE));
    if fresh {
        res.finish()
    } else {
        res.content_type(content_type).body(body)
    }
}

/// RSS 2.0 feed of the latest 50 published articles, newest first.
///
/// Each item has the title, the canonical link (`BYLINE_SITE_URL` + `BYLINE_ARTICLE_PATH`), the
/// article id as a guid that is not a permalink, `pubDate`, a description (`seo_description`,
/// `dek` or `summary`) and the tags as categories.
#[utoipa::path(
    get,
    path = "/feeds/rss.xml",
    tag = "distribution",
    security(()),
    params(
        FeedParams,
        ("If-None-Match" = Option<String>, Header, description = "ETag of a copy the client holds; a match answers 304"),
    ),
    responses(
        (status = 200, description = "The feed", body = String, content_type = "application/rss+xml",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "Malformed or unknown parameter", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_rss_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, AppError> {
    let tag = params.into_inner().tag()?;
    let site = state.config.site.clone();
    let body = state
        .db
        .run(move |conn| super::rss(conn, &site, tag.as_deref()))
        .await?;
    Ok(xml_response(&req, body, RSS))
}

/// Atom 1.0 feed of the latest 50 published articles, newest first.
///
/// Each entry has the title, the canonical link, `urn:uuid:<article id>` as its id,
/// `published`, `updated`, a summary and the tags as categories.
#[utoipa::path(
    get,
    path = "/feeds/atom.xml",
    tag = "distribution",
    security(()),
    params(
        FeedParams,
        ("If-None-Match" = Option<String>, Header, description = "ETag of a copy the client holds; a match answers 304"),
    ),
    responses(
        (status = 200, description = "The feed", body = String, content_type = "application/atom+xml",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "Malformed or unknown parameter", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_atom_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, AppError> {
    let tag = params.into_inner().tag()?;
    let site = state.config.site.clone();
    let body = state
        .db
        .run(move |conn| super::atom(conn, &site, tag.as_deref()))
        .await?;
    Ok(xml_response(&req, body, ATOM))
}

/// Google News sitemap: the articles published in the last 48 hours, newest first, at most
/// 1,000, each with the publication's name and language, its publication date and title.
#[utoipa::path(
    get,
    path = "/sitemaps/news.xml",
    tag = "distribution",
    security(()),
    params(("If-None-Match" = Option<String>, Header, description = "ETag of a copy the client holds; a match answers 304")),
    responses(
        (status = 200, description = "The news sitemap", body = String, content_type = "application/xml",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_news_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let site = state.config.site.clone();
    let now = chrono::Utc::now().naive_utc();
    let body = state
        .db
        .run(move |conn| super::news_sitemap(conn, &site, now))
        .await?;
    Ok(xml_response(&req, body, XML))
}

/// Sitemap of every published article (`loc`, `lastmod`); over 50,000 articles, a sitemap
/// index of `/sitemaps/articles-{n}.xml` pages instead.
#[utoipa::path(
    get,
    path = "/sitemaps/articles.xml",
    tag = "distribution",
    security(()),
    params(("If-None-Match" = Option<String>, Header, description = "ETag of a copy the client holds; a match answers 304")),
    responses(
        (status = 200, description = "A `urlset`, or a `sitemapindex` over 50,000 articles", body = String, content_type = "application/xml",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_articles_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let site = state.config.site.clone();
    let body = state
        .db
        .run(move |conn| super::articles_sitemap(conn, &site, ARTICLES_PER_SITEMAP))
        .await?;
    Ok(xml_response(&req, body, XML))
}

/// One page of the article sitemap: 50,000 published articles in publication order.
#[utoipa::path(
    get,
    path = "/sitemaps/articles-{n}.xml",
    tag = "distribution",
    security(()),
    params(
        ("n" = i64, Path, minimum = 1, description = "The page, from 1"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of a copy the client holds; a match answers 304"),
    ),
    responses(
        (status = 200, description = "A `urlset`", body = String, content_type = "application/xml",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 404, description = "No such page", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_articles_sitemap_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    n: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let not_found = || AppError::NotFound("no sitemap page with this number".into());
    let n: i64 = n.parse().map_err(|_| not_found())?;
    let site = state.config.site.clone();
    let body = state
        .db
        .run(move |conn| super::articles_sitemap_page(conn, &site, n, ARTICLES_PER_SITEMAP))
        .await?
        .ok_or_else(not_found)?;
    Ok(xml_response(&req, body, XML))
}
