//! Revision endpoints: the history of an article, one revision, and restoring one. Visible to
//! whoever may edit the article (authors: their own), never to anonymous callers.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::dto::{Revision, RevisionDetail, RevisionPage};
use crate::articles::dto::Article;
use crate::articles::http::article_response;
use crate::articles::policy::{authorize_edit, can_see};
use crate::articles::service::{self, Editor};
use crate::articles::store;
use crate::children::dto::ListMeta;
use crate::error::{AppError, Problem};
use crate::extract::IfMatch;
use crate::page::{Page, PageParams};
use crate::state::AppState;

const PRIVATE_CACHE: &str = "private, no-store";

/// The id of the article `key` names, if the editor may edit it (404 when they may not even
/// see it, 403 when they may see but not edit it).
fn editable(
    conn: &mut crate::db::AnyConnection,
    editor: &Editor,
    key: &str,
) -> Result<String, AppError> {
    let user = editor
        .user
        .as_ref()
        .ok_or_else(|| AppError::internal("revisions need a user"))?;
    let state = store::find_by_key(conn, key)?
        .map(|r| r.state())
        .filter(|s| can_see(Some(user), s.status, &s.author_id))
        .ok_or_else(AppError::article_not_found)?;
    authorize_edit(user, &state)?;
    Ok(state.id)
}

/// List an article's revisions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}/revisions",
    tag = "revisions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id, or its slug"),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of revisions", body = RevisionPage,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_revisions(
    state: web::Data<AppState>,
    editor: Editor,
    key: web::Path<String>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let key = key.into_inner();
    let query = page.clone();
    let (id, rows) = state
        .db
        .run(move |conn| {
            let id = editable(conn, &editor, &key)?;
            let before = query.after.as_deref().and_then(|v| v.parse().ok());
            let rows = super::store::page(conn, &id, before, query.limit + 1)?;
            Ok((id, rows))
        })
        .await?;
    let versions: Vec<String> = rows.iter().map(|r| r.version.to_string()).collect();
    let (versions, meta) = page.finish(versions, |v| v);
    let data: Vec<Revision> = rows
        .into_iter()
        .take(versions.len())
        .map(Revision::from)
        .collect();
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, PRIVATE_CACHE));
    if let Some(link) = meta.next_link(&format!("/api/v1/articles/{id}/revisions")) {
        res.insert_header((header::LINK, link));
    }
    Ok(res.json(RevisionPage {
        data,
        meta: ListMeta {
            limit: meta.limit,
            next_cursor: meta.next_cursor,
        },
    }))
}

/// Fetch one revision with the whole document as it stood after that change.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}/revisions/{version}",
    tag = "revisions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id, or its slug"),
        ("version" = i64, Path, description = "The article version the revision produced", minimum = 1),
    ),
    responses(
        (status = 200, description = "The revision", body = RevisionDetail),
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_revision(
    state: web::Data<AppState>,
    editor: Editor,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let (row, json) = state
        .db
        .run(move |conn| {
            let id = editable(conn, &editor, &key)?;
            super::store::get(conn, &id, version)?.ok_or_else(|| {
                AppError::NotFound(format!("this article has no revision {version}"))
            })
        })
        .await?;
    let document: Article = serde_json::from_str(&json)
        .map_err(|e| AppError::internal(format!("stored revision is unreadable: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(RevisionDetail {
            revision: Revision::from(row),
            document,
        }))
}

/// Restore a revision: title, slug, every text field, tags, children (with their ids) and
/// related articles become what they were at that version, as one new version. Status and
/// publication times are not restored.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/revisions/{version}/restore",
    tag = "revisions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id"),
        ("version" = i64, Path, description = "The version to restore", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag the restore is based on"),
    ),
    responses(
        (status = 200, description = "The restored article", body = Article, headers(("ETag" = String))),
        crate::error::responses::Unauthorized,
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The revision's slug is taken by another article now", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::PreconditionFailed,
        crate::error::responses::Unavailable,
    )
)]
pub async fn restore_revision(
    state: web::Data<AppState>,
    editor: Editor,
    path: web::Path<(String, i64)>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let (id, version) = path.into_inner();
    let pre = if_match.precondition(&id);
    let article = state
        .db
        .run(move |conn| service::articles::restore(conn, &editor, &id, version, pre))
        .await?;
    Ok(article_response(StatusCode::OK, &article, false))
}
