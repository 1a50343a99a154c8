//! Liveness and readiness probes, outside `/api/v1`.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::has_pending_migrations;
use crate::error::{AppError, Problem};
use crate::state::AppState;

/// The answer of a health probe.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// The database backend, on readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "sqlite")]
    pub database: Option<&'static str>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        database: None,
    })
}

/// The database is reachable, its schema is current, and it has room for writes.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Database unreachable or out of space, or migrations pending", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let pending = state
        .db
        .run(|conn| {
            conn.batch_execute("SELECT 1")?;
            has_pending_migrations(conn).map_err(|_| AppError::Unavailable)
        })
        .await?;
    if pending {
        return Err(AppError::Unavailable);
    }
    state.db.check_storage().await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready",
        database: Some(state.db.url().backend_name()),
    }))
}
