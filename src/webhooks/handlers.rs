//! `/webhooks` endpoints, for admins: register (the secret is shown once), list, read,
//! change, delete, ping, and the log of delivery attempts.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::dto::{
    utc, DeliveryAttempt, DeliveryList, NewWebhook, Ping, Webhook, WebhookInput, WebhookList,
    WebhookPatch,
};
use super::store::{self, AttemptRow, WebhookRow};
use crate::audit::{ClientIp, Origin};
use crate::auth::AdminUser;
use crate::error::{AppError, FieldErrors, Problem};
use crate::extract::ApiJson;
use crate::page::{Page, PageParams};
use crate::state::AppState;

const PRIVATE_CACHE: &str = "private, no-store";

fn not_found() -> AppError {
    AppError::NotFound("no webhook with this id".into())
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Self {
            events: row.subscriptions(),
            id: row.id,
            url: row.url,
            active: row.active,
            created_at: utc(row.created_at),
        }
    }
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            attempt: row.attempt,
            status_code: row.status_code,
            error: row.error,
            duration_ms: row.duration_ms,
            at: utc(row.at),
        }
    }
}

/// How long registering a webhook waits for DNS before it takes the URL unchecked (it is
/// checked again at every delivery).
const DNS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

// Checks a URL, resolving its host name off the async workers and for at most DNS_TIMEOUT; a
// refusal is a 422 at `/url`.
async fn checked_url(state: &AppState, url: String) -> Result<String, AppError> {
    let allow = state.config.webhook_allow_private;
    let field = |detail: String| AppError::field("/url", detail);
    let parsed = super::check_url(&url, allow).map_err(field)?;
    let lookup = web::block(move || super::check_resolved(&parsed, allow));
    match actix_web::rt::time::timeout(DNS_TIMEOUT, lookup).await {
        Err(_slow_dns) => {}
        Ok(done) => done
            .map_err(|e| AppError::internal(e.to_string()))?
            .map_err(field)?,
    }
    Ok(url)
}

/// Register a webhook. The answer holds its signing secret, which is never shown again.
///
/// Every event the webhook subscribes to is POSTed to `url` with the Standard Webhooks
/// headers `webhook-id`, `webhook-timestamp` and `webhook-signature`. The URL must reach a
/// public address (unless the server allows private ones).
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = WebhookInput,
    responses(
        (status = 201, description = "Registered; store the secret now", body = NewWebhook,
            headers(("Location" = String, description = "URL of the new webhook"))),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields: a URL that is not http(s) or points at a private address, unknown or repeated events", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn create_webhook(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    body: ApiJson<WebhookInput>,
) -> Result<HttpResponse, AppError> {
    let WebhookInput {
        url,
        events,
        active,
    } = body.0;
    let mut errs = FieldErrors::default();
    if let Err(e) = super::check_events(&events) {
        errs.push("/events", e);
    }
    errs.finish(())?;
    let url = checked_url(&state, url).await?;
    let origin = Origin::new(&admin.0, ip);
    let (row, secret) = state
        .db
        .run(move |conn| super::create(conn, &url, &events, active, &origin))
        .await?;
    let hook = Webhook::from(row);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", hook.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewWebhook {
            id: hook.id,
            url: hook.url,
            events: hook.events,
            active: hook.active,
            created_at: hook.created_at,
            secret,
        }))
}

/// List webhooks, oldest first, without their secrets.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of webhooks", body = WebhookList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    _admin: AdminUser,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let (limit, after) = (page.limit + 1, page.after.clone());
    let rows = state
        .db
        .run(move |conn| Ok(store::list(conn, limit, after.as_deref())?))
        .await?;
    let (rows, meta) = page.finish(rows, |r| &r.id);
    let data = rows.into_iter().map(Webhook::from).collect();
    Ok(meta.respond(
        "/api/v1/webhooks",
        &WebhookList {
            data,
            meta: meta.clone(),
        },
    ))
}

/// Fetch one webhook, without its secret.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The webhook", body = Webhook),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_webhook(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let row = state
        .db
        .run(move |conn| Ok(store::find(conn, &id)?))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(Webhook::from(row)))
}

/// Change a webhook's URL, events or active flag; fields left out stay as they are.
#[utoipa::path(
    patch,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The webhook's id")),
    request_body = WebhookPatch,
    responses(
        (status = 200, description = "The changed webhook", body = Webhook),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn update_webhook(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: ApiJson<WebhookPatch>,
) -> Result<HttpResponse, AppError> {
    let WebhookPatch {
        url,
        events,
        active,
    } = body.0;
    let mut errs = FieldErrors::default();
    if let Some(Err(e)) = events.as_deref().map(super::check_events) {
        errs.push("/events", e);
    }
    errs.finish(())?;
    let url = match url {
        Some(url) => Some(checked_url(&state, url).await?),
        None => None,
    };
    let id = id.into_inner();
    let origin = Origin::new(&admin.0, ip);
    let row = state
        .db
        .run(move |conn| super::update(conn, &id, url, events.as_deref(), active, &origin))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(Webhook::from(row)))
}

/// Delete a webhook. Deliveries still queued for it are dropped.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The webhook's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let origin = Origin::new(&admin.0, ip);
    if state
        .db
        .run(move |conn| super::delete(conn, &id, &origin))
        .await?
    {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found())
    }
}

/// Send a `ping` event to the webhook now, active or not, to test the receiver.
///
/// The ping is queued like any event; its attempt shows in the webhook's deliveries.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/ping",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The webhook's id")),
    responses(
        (status = 202, description = "Queued; this is the body the receiver gets", body = Ping),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ping = state
        .db
        .run(move |conn| super::ping(conn, &id))
        .await?
        .ok_or_else(not_found)?;
    super::dispatcher::wake();
    Ok(HttpResponse::Accepted()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(ping))
}

/// List a webhook's delivery attempts, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The webhook's id"), PageParams),
    responses(
        (status = 200, description = "A page of attempts", body = DeliveryList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (limit, before) = (page.limit + 1, page.after.clone());
    let path = format!("/api/v1/webhooks/{id}/deliveries");
    let rows = state
        .db
        .run(move |conn| {
            if store::find(conn, &id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(store::attempts(conn, &id, limit, before.as_deref())?))
        })
        .await?
        .ok_or_else(not_found)?;
    let (rows, meta) = page.finish(rows, |r| &r.id);
    let data = rows.into_iter().map(DeliveryAttempt::from).collect();
    Ok(meta.respond(
        &path,
        &DeliveryList {
            data,
            meta: meta.clone(),
        },
    ))
}
