//! `GET /changes`: the change feed for sync clients.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::dto::{ChangeList, ChangesMeta, ChangesParams};
use super::store;
use crate::auth::extract::MaybeAuthUser;
use crate::error::{AppError, Problem};
use crate::state::AppState;

/// Follow every change to articles, oldest first.
///
/// Start without `after`, then pass each page's `meta.next_cursor` as `after`, also after an
/// empty page. Following the cursors never skips an event and never repeats one, however many
/// writers commit at once; applying every event in order (an article is in the published set
/// exactly when its latest event's `article.status` is `published` and it is not
/// `article.deleted`) reproduces today's published articles. Anonymous callers and authors see
/// the events that touch public visibility (published, changed while published, unpublished,
/// archived or deleted after being published); editors and admins see all.
#[utoipa::path(
    get,
    path = "/api/v1/changes",
    tag = "events",
    security((), ("bearer" = [])),
    params(ChangesParams),
    responses(
        (status = 200, description = "A page of events, oldest first", body = ChangeList),
        (status = 400, description = "Malformed `after` or `limit`", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::InvalidToken,
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_changes(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    params: web::Query<ChangesParams>,
) -> Result<HttpResponse, AppError> {
    let (from, limit) = params.into_inner().parse()?;
    let public_only = !viewer.0.is_some_and(|u| u.role.edits_all_content());
    let rows = state
        .db
        .run(move |conn| Ok(store::feed(conn, from, public_only, limit)?))
        .await?;
    let next = rows.last().map_or(from, store::EventRow::position);
    let data = rows
        .into_iter()
        .filter_map(store::EventRow::into_event)
        .collect();
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "private, no-store"));
    Ok(res.json(ChangeList {
        data,
        meta: ChangesMeta {
            limit,
            next_cursor: next.encode(),
        },
    }))
}
