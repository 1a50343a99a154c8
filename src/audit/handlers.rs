//! `GET /audit`, for admins: the audit log, newest first, filtered and paged. There is no
//! route that changes or deletes an entry.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::dto::{AuditEntry, AuditList, AuditParams};
use super::repo;
use crate::auth::AdminUser;
use crate::error::{AppError, Problem};
use crate::page::{Page, PageParams};
use crate::state::AppState;

/// List audit entries, newest first.
///
/// Filters combine: `actor` and `target` take ids, `action` an action or a prefix ending in
/// `.*`, and `after` (inclusive) and `before` (exclusive) RFC 3339 times. Keep the same filters
/// while following `next_cursor`; the `Link` header already does.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditParams, PageParams),
    responses(
        (status = 200, description = "A page of audit entries", body = AuditList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: AdminUser,
    page: Page,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, AppError> {
    let filter = params.into_inner().parse()?;
    let (limit, after) = (page.limit + 1, page.after.clone());
    let rows = state
        .db
        .run(move |conn| repo::list(conn, &filter, limit, after.as_deref()))
        .await?;
    let (rows, meta) = page.finish(rows, |r| &r.id);
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "private, no-store"));
    if let Some(cursor) = &meta.next_cursor {
        res.insert_header((header::LINK, next_link(&req, cursor)));
    }
    Ok(res.json(AuditList {
        data: rows.into_iter().map(AuditEntry::from).collect(),
        meta,
    }))
}

// The next page keeps the filters and the limit of this one.
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
