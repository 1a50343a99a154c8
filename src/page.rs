//! Keyset pagination by key for the admin collections (`/users`, `/api-keys`, `/audit`, an
//! article's revisions): the `limit` and `cursor` query parameters, and the `meta` of the
//! `{"data": [...], "meta": {...}}` envelope.
//!
//! Keys are UUIDv7 ids, whose order is creation order, or revision numbers. The cursor is the
//! last key of a page, encoded so that clients treat it as opaque; one that does not decode to
//! a key is a 400.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::future::{ready, Ready};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::AppError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 20;
/// The largest `limit` accepted.
pub const MAX_LIMIT: i64 = 100;

/// The query parameters of a paginated collection, as documented.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// The `meta.next_cursor` of the previous page; omit it for the first page.
    pub cursor: Option<String>,
}

/// A parsed page request: how many items, and after which id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Items per page.
    pub limit: i64,
    /// Only ids after this one.
    pub after: Option<String>,
}

impl Page {
    /// Parses `limit` and `cursor` from a query string; other parameters are ignored.
    pub fn parse(query: &str) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| AppError::BadRequest(format!("malformed query string: {e}")))?;
        let mut page = Self {
            limit: DEFAULT_LIMIT,
            after: None,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "limit" => {
                    page.limit = value
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            AppError::BadRequest(format!(
                                "limit must be a whole number from 1 to {MAX_LIMIT}"
                            ))
                        })?;
                }
                "cursor" => page.after = Some(decode_cursor(&value)?),
                _ => {}
            }
        }
        Ok(page)
    }

    /// Turns `limit + 1` fetched rows into one page and its `meta`.
    pub fn finish<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> &str) -> (Vec<T>, PageMeta) {
        let more = usize::try_from(self.limit).is_ok_and(|n| rows.len() > n);
        if more {
            rows.truncate(usize::try_from(self.limit).unwrap_or(rows.len()));
        }
        let next_cursor = more
            .then(|| rows.last().map(|r| encode_cursor(id_of(r))))
            .flatten();
        (
            rows,
            PageMeta {
                limit: self.limit,
                next_cursor,
            },
        )
    }
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

/// The `meta` member of a collection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageMeta {
    /// The page size used.
    #[schema(example = 20)]
    pub limit: i64,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(example = "MDE5OGI3YzEtMmY0ZS03Y2MxLTlhNTEtNmYxZDJhM2I0YzVk")]
    pub next_cursor: Option<String>,
}

impl PageMeta {
    /// The `Link: <…>; rel="next"` header value for the next page, if there is one.
    pub fn next_link(&self, path: &str) -> Option<String> {
        self.next_cursor
            .as_ref()
            .map(|c| format!("<{path}?limit={}&cursor={c}>; rel=\"next\"", self.limit))
    }

    /// A 200 with a page of the admin collection at `path`: private to the caller, with the
    /// `Link` header when another page follows.
    pub fn respond(&self, path: &str, page: &impl Serialize) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        res.insert_header((header::CACHE_CONTROL, "private, no-store"));
        if let Some(link) = self.next_link(path) {
            res.insert_header((header::LINK, link));
        }
        res.json(page)
    }
}

fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<String, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| match Uuid::parse_str(&s) {
            Ok(id) => Some(id.to_string()),
            // Collections keyed by a number (revisions by version) page by it.
            Err(_) => s.parse::<u32>().ok().map(|n| n.to_string()),
        })
        .ok_or_else(|| {
            AppError::BadRequest(
                "cursor is not valid; pass meta.next_cursor from the previous page unchanged"
                    .into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d";

    #[test]
    fn limit_defaults_to_20_and_must_be_1_to_100() {
        assert_eq!(Page::parse("").expect("empty").limit, 20);
        assert_eq!(Page::parse("limit=100&x=1").expect("max").limit, 100);
        for bad in ["limit=0", "limit=101", "limit=ten", "limit=-1", "limit="] {
            assert!(Page::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_tampered_ones_are_refused() {
        let page = Page {
            limit: 1,
            after: None,
        };
        let (rows, meta) = page.finish(vec![ID, "later"], |r| r);
        assert_eq!(rows, [ID]);
        let cursor = meta.next_cursor.expect("a next page");
        let next = Page::parse(&format!("cursor={cursor}")).expect("cursor");
        assert_eq!(next.after.as_deref(), Some(ID));
        for bad in ["cursor=%%%", "cursor=bm90LWFuLWlk", "cursor=AAAA"] {
            assert!(Page::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let page = Page {
            limit: 2,
            after: None,
        };
        let (rows, meta) = page.finish(vec!["a", "b"], |r| r);
        assert_eq!(rows.len(), 2);
        assert!(meta.next_cursor.is_none() && meta.next_link("/x").is_none());
    }
}
