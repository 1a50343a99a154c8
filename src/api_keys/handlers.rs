//! `/api-keys` endpoints, for admins: create (the secret is shown once), list, read, revoke.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::dto::{ApiKey, ApiKeyInput, ApiKeyList, NewApiKeySecret};
use super::repo;
use crate::audit::{ClientIp, Origin};
use crate::auth::AdminUser;
use crate::error::{AppError, FieldErrors, Problem};
use crate::extract::ApiJson;
use crate::page::{Page, PageParams};
use crate::state::AppState;
use crate::users::domain::check_name;

const PRIVATE_CACHE: &str = "private, no-store";

fn not_found() -> AppError {
    AppError::NotFound("no API key with this id".into())
}

/// Create an API key. The answer holds its secret, which is never shown again.
#[utoipa::path(
    post,
    path = "/api/v1/api-keys",
    tag = "api keys",
    security(("bearer" = [])),
    request_body = ApiKeyInput,
    responses(
        (status = 201, description = "Created; store the secret now", body = NewApiKeySecret,
            headers(("Location" = String, description = "URL of the new key"))),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn create_api_key(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    body: ApiJson<ApiKeyInput>,
) -> Result<HttpResponse, AppError> {
    let ApiKeyInput { name, role } = body.0;
    let mut errs = FieldErrors::default();
    check_name(&mut errs, "/name", &name);
    errs.finish(())?;
    let origin = Origin::new(&admin.0, ip);
    let (key, user, secret) = state
        .db
        .run(move |conn| repo::create(conn, &name, role, &origin))
        .await?;
    let created = ApiKey::from((key, user));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/api-keys/{}", created.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewApiKeySecret {
            id: created.id,
            name: created.name,
            role: created.role,
            secret,
            created_at: created.created_at,
        }))
}

/// List the API keys that have not been revoked, oldest first, without their secrets.
#[utoipa::path(
    get,
    path = "/api/v1/api-keys",
    tag = "api keys",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of API keys", body = ApiKeyList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    _admin: AdminUser,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let query = page.clone();
    let rows = state
        .db
        .run(move |conn| repo::list(conn, query.limit, query.after.as_deref()))
        .await?;
    let (rows, meta) = page.finish(rows, |(k, _)| &k.id);
    let data = rows.into_iter().map(ApiKey::from).collect();
    Ok(meta.respond(
        "/api/v1/api-keys",
        &ApiKeyList {
            data,
            meta: meta.clone(),
        },
    ))
}

/// Fetch one API key, without its secret.
#[utoipa::path(
    get,
    path = "/api/v1/api-keys/{id}",
    tag = "api keys",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The key", body = ApiKey),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key, or it was revoked", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_api_key(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let found = state
        .db
        .run(move |conn| repo::find(conn, &id))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(ApiKey::from(found)))
}

/// Revoke an API key. Its access tokens stop working at once; the articles it wrote keep it
/// as their author.
#[utoipa::path(
    delete,
    path = "/api/v1/api-keys/{id}",
    tag = "api keys",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key, or it was revoked already", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let origin = Origin::new(&admin.0, ip);
    let revoked = state
        .db
        .run(move |conn| repo::revoke(conn, &id, &origin))
        .await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found())
    }
}
