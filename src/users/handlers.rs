//! `/users` endpoints, for admins: list, create, read, change and delete person accounts.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::domain::{parse_new_account, parse_patch};
use super::dto::{User, UserInput, UserList, UserPatch};
use super::repo::{self, UserUpdate};
use crate::audit::{ClientIp, Origin};
use crate::auth::{password, AdminUser};
use crate::error::{AppError, Problem};
use crate::extract::ApiJson;
use crate::page::{Page, PageParams};
use crate::state::AppState;

const PRIVATE_CACHE: &str = "private, no-store";

/// Hashes a password on the password threads: Argon2id takes tens of milliseconds on purpose.
pub async fn hash_password(state: &AppState, plain: String) -> Result<String, AppError> {
    state.passwords.run(move || password::hash(&plain)).await?
}

/// List person accounts, oldest first (API key accounts are listed under `/api-keys`).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = UserList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: AdminUser,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let query = page.clone();
    let rows = state
        .db
        .run(move |conn| repo::list(conn, query.limit, query.after.as_deref()))
        .await?;
    let (rows, meta) = page.finish(rows, |r| &r.id);
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, PRIVATE_CACHE));
    if let Some(link) = meta.next_link("/api/v1/users") {
        res.insert_header((header::LINK, link));
    }
    Ok(res.json(UserList {
        data: rows.into_iter().map(User::from).collect(),
        meta,
    }))
}

/// Create a person account. The password is never returned.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    security(("bearer" = [])),
    request_body = UserInput,
    responses(
        (status = 201, description = "Created", body = User,
            headers(("Location" = String, description = "URL of the new user"))),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A user with this email exists", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::UnavailableOrBusy,
    )
)]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    body: ApiJson<UserInput>,
) -> Result<HttpResponse, AppError> {
    let UserInput {
        email,
        name,
        role,
        password,
    } = body.0;
    let account = parse_new_account(&email, name.as_deref(), role, password)?;
    let hash = hash_password(&state, account.password).await?;
    let origin = Origin::new(&admin.0, ip);
    let row = state
        .db
        .run(move |conn| {
            let (email, name) = (&account.email, &account.name);
            repo::create(conn, email, name, account.role, &hash, &origin)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", row.id)))
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(User::from(row)))
}

/// Fetch one person account.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = User),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let row = state
        .db
        .run(move |conn| repo::find_person(conn, &id))
        .await?
        .ok_or_else(|| AppError::NotFound("no user with this id".into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(User::from(row)))
}

/// Change a person account: email, name, role, active state, or a password reset.
///
/// Disabling a user or resetting their password ends every session of theirs at once. The
/// last active admin can be neither demoted nor disabled (409).
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    request_body(content = UserPatch, content_type = "application/merge-patch+json",
        description = "The fields to change; also accepted as `application/json`"),
    responses(
        (status = 200, description = "The updated user", body = User),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken, or this would leave no active admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::UnavailableOrBusy,
    )
)]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: ApiJson<UserPatch>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let patch = parse_patch(body.0)?;
    let password_hash = match patch.password {
        Some(p) => Some(hash_password(&state, p).await?),
        None => None,
    };
    let change = UserUpdate {
        email: patch.email,
        name: patch.name,
        role: patch.role,
        active: patch.active,
        password_hash,
    };
    let origin = Origin::new(&admin.0, ip);
    let row = state
        .db
        .run(move |conn| repo::update(conn, &id, change, &origin))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(User::from(row)))
}

/// Delete a person account and its sessions.
///
/// A user who authored articles cannot be deleted (409): disable the account instead, so the
/// articles keep their author. The last active admin cannot be deleted either (409).
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "The caller is not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user authored articles, or is the last active admin", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn delete_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let origin = Origin::new(&admin.0, ip);
    state
        .db
        .run(move |conn| repo::delete(conn, &id, &origin))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
