//! `/auth` endpoints: log in, and who am I.

use actix_web::{web, HttpResponse};

use super::dto::{LoginRequest, TokenResponse};
use super::{password, AuthUser};
use crate::error::{AppError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::users::dto::User;
use crate::users::repo;

/// Exchange an email and password for an access token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or a disabled account", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Bearer challenge"))),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest {
        email,
        password: given,
    } = body.0;
    let user = state
        .db
        .run(move |conn| repo::find_by_email(conn, &email))
        .await?;
    let verified = web::block(move || match user {
        Some(u) if password::verify(&u.password_hash, &given) && u.active => Some(u),
        Some(_) => None,
        None => {
            password::verify_dummy(&given);
            None
        }
    })
    .await
    .map_err(|_| AppError::internal("password check was cancelled"))?;
    let user = verified.ok_or_else(|| AppError::Unauthorized("wrong email or password".into()))?;
    let access_token = state.tokens.issue(&user.id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.ttl(),
        }))
}

/// The signed-in user's own account.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's user", body = User),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Bearer challenge"))),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn get_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, AppError> {
    let row = state.db.run(move |conn| repo::find(conn, &user.id)).await?;
    let row = row.ok_or_else(|| AppError::Unauthorized("the user no longer exists".into()))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(User::from(row)))
}
