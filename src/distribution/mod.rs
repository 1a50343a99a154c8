//! Distribution (SPEC §10): what search engines and feed readers fetch.
//!
//! - `site`: the public site's address, article path pattern and publisher (canonical URLs).
//! - `jsonld`: schema.org `NewsArticle` structured data of one article document.
//! - `feeds`, `sitemaps`: RSS, Atom, sitemaps and the Google News sitemap as bytes.
//! - `repo`: the queries (published articles only, one statement per document).
//! - `handlers`: the HTTP edge, outside `/api/v1`, with ETags and 304s.
//!
//! Nothing here caches: each request reads the database, so an article that leaves
//! publication is gone from the next feed or sitemap.

pub mod feeds;
pub mod handlers;
pub mod jsonld;
pub mod repo;
pub mod site;
pub mod sitemaps;

use chrono::{NaiveDateTime, TimeDelta};

use crate::db::AnyConnection;
use crate::error::AppError;
use site::Site;

fn xml_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("writing XML: {e}"))
}

/// `/feeds/rss.xml`: the latest published articles, with `tag` when given.
pub fn rss(conn: &mut AnyConnection, site: &Site, tag: Option<&str>) -> Result<Vec<u8>, AppError> {
    let rows = repo::latest(conn, tag)?;
    feeds::rss(&rows, site, tag).map_err(xml_error)
}

/// `/feeds/atom.xml`: the latest published articles, with `tag` when given.
pub fn atom(conn: &mut AnyConnection, site: &Site, tag: Option<&str>) -> Result<Vec<u8>, AppError> {
    let rows = repo::latest(conn, tag)?;
    feeds::atom(&rows, site, tag).map_err(xml_error)
}

/// `/sitemaps/news.xml`: the articles published in the [`sitemaps::NEWS_HOURS`] before `now`.
pub fn news_sitemap(
    conn: &mut AnyConnection,
    site: &Site,
    now: NaiveDateTime,
) -> Result<Vec<u8>, AppError> {
    let since = now - TimeDelta::hours(sitemaps::NEWS_HOURS);
    let rows = repo::published_since(conn, since, sitemaps::NEWS_MAX)?;
    sitemaps::news(&rows, site).map_err(xml_error)
}

/// `/sitemaps/articles.xml`: every published article, or, when there are more than
/// `page_size`, an index of sitemaps of `page_size` articles each. One query while the
/// articles fit in one file; a count besides when they do not.
pub fn articles_sitemap(
    conn: &mut AnyConnection,
    site: &Site,
    page_size: i64,
) -> Result<Vec<u8>, AppError> {
    let rows = repo::in_publication_order(conn, 0, page_size + 1)?;
    if rows.len() as i64 <= page_size {
        return sitemaps::urlset(&rows, site).map_err(xml_error);
    }
    let total = repo::count_published(conn)?;
    sitemaps::index(sitemaps::page_count(total, page_size), site).map_err(xml_error)
}

/// `/sitemaps/articles-{n}.xml`: page `n` (1-based) of the published articles in publication
/// order, `None` past the last page. Page 1 always exists, empty or not.
pub fn articles_sitemap_page(
    conn: &mut AnyConnection,
    site: &Site,
    n: i64,
    page_size: i64,
) -> Result<Option<Vec<u8>>, AppError> {
    let Some(offset) = n.checked_sub(1).and_then(|p| p.checked_mul(page_size)) else {
        return Ok(None);
    };
    if offset < 0 {
        return Ok(None);
    }
    let rows = repo::in_publication_order(conn, offset, page_size)?;
    if rows.is_empty() && n > 1 {
        return Ok(None);
    }
    sitemaps::urlset(&rows, site).map(Some).map_err(xml_error)
}
