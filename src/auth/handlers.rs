//! `/auth` endpoints: log in, refresh, log out, who am I, change my password, and the OAuth 2.0
//! token endpoint (client credentials for API keys, and the password grant Swagger UI uses).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::dto::{
    AccessToken, LoginRequest, PasswordChange, RefreshRequest, TokenPair, TokenRequest,
};
use super::models::SessionKind;
use super::password::PasswordSlot;
use super::repo::{self as sessions, LoginFailure, Refresh};
use super::{password, AuthSession, AuthUser};
use crate::api_keys::repo as api_keys;
use crate::audit::{ClientIp, Origin};
use crate::error::{AppError, FieldErrors, Problem};
use crate::extract::{ApiJson, ApiJsonOrForm};
use crate::state::AppState;
use crate::users::domain::check_password;
use crate::users::dto::User;
use crate::users::models::UserRow;
use crate::users::repo as users;

fn refresh_ttl(state: &AppState) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(state.config.refresh_token_ttl).unwrap_or(86_400))
}

fn pair_response(
    state: &AppState,
    user_id: &str,
    session_id: &str,
    refresh_token: String,
) -> Result<HttpResponse, AppError> {
    let access_token = state.tokens.issue(user_id, session_id)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenPair {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.ttl(),
            refresh_token,
        }))
}

/// The outcome of checking an email and password.
enum LoginCheck {
    /// The active person with this email, whose password is right.
    Passed(UserRow),
    /// Refused; the account the email names, if any, and why.
    Failed(Option<UserRow>, LoginFailure),
}

async fn check_login(
    state: &AppState,
    slot: PasswordSlot<'_>,
    email: String,
    given: String,
) -> Result<LoginCheck, AppError> {
    let user = state
        .db
        .run(move |conn| users::find_by_email(conn, &email))
        .await?;
    // Unknown emails cost one Argon2 verification too, so timing does not reveal accounts.
    slot.run(move || match user {
        Some(u) if !password::verify(&u.password_hash, &given) => {
            LoginCheck::Failed(Some(u), LoginFailure::WrongPassword)
        }
        Some(u) if !u.active => LoginCheck::Failed(Some(u), LoginFailure::Disabled),
        Some(u) => LoginCheck::Passed(u),
        None => {
            password::verify_dummy(&given);
            LoginCheck::Failed(None, LoginFailure::UnknownEmail)
        }
    })
    .await
}

/// Exchange an email and password for an access token and a refresh token.
///
/// After 10 failed logins for one email within 15 minutes, every attempt for that email gets a
/// 429 with `Retry-After`, even with the right password, until the oldest failure is 15 minutes
/// old. Every login and every failed attempt is recorded in the audit log.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        crate::error::responses::MalformedJson,
        (status = 401, description = "Wrong email or password, or a disabled account", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Bearer challenge"))),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this email", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is allowed"))),
        crate::error::responses::UnavailableOrBusy,
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { email, password } = body.0;
    log_in_with_password(&state, ip, email, password).await
}

/// Checks an email and password under the login throttle, records the login or the failure in
/// the audit log, and answers a token pair for a new session.
async fn log_in_with_password(
    state: &AppState,
    ip: ClientIp,
    email: String,
    given: String,
) -> Result<HttpResponse, AppError> {
    // The password slot comes first, so that a login refused for want of one costs no
    // database work and counts as no guess.
    let slot = state.passwords.admit()?;
    let attempt = state.throttle.begin(&email).await?;
    let checked = check_login(state, slot, email.clone(), given).await;
    // Only a refused password (or unknown email) stays counted; an outage is no guess.
    if !matches!(checked, Ok(LoginCheck::Failed(..))) {
        state.throttle.release(attempt).await;
    }
    let origin = Origin::anonymous(ip);
    let user = match checked? {
        LoginCheck::Passed(user) => user,
        LoginCheck::Failed(account, why) => {
            state
                .db
                .run(move |conn| {
                    sessions::record_failed_login(conn, &email, account.as_ref(), why, &origin)
                })
                .await?;
            return Err(AppError::Unauthorized("wrong email or password".into()));
        }
    };
    let ttl = refresh_ttl(state);
    let user_id = user.id.clone();
    let (session_id, refresh_token) = state
        .db
        .run(move |conn| sessions::log_in(conn, &user, ttl, &origin))
        .await?;
    pair_response(state, &user_id, &session_id, refresh_token)
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// A refresh token works once. Presenting one that was used before is taken as theft: the
/// whole login it belongs to is revoked, every refresh and access token of it included, and
/// the audit log records it.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth", security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        crate::error::responses::MalformedJson,
        (status = 401, description = "Unknown, used, expired or revoked refresh token", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Bearer challenge"))),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn refresh(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let presented = body.0.refresh_token;
    let ttl = refresh_ttl(&state);
    let origin = Origin::anonymous(ip);
    let outcome = state
        .db
        .run(move |conn| sessions::rotate(conn, &presented, ttl, &origin))
        .await?;
    match outcome {
        Refresh::Rotated {
            user_id,
            session_id,
            refresh_token,
        } => pair_response(&state, &user_id, &session_id, refresh_token),
        Refresh::Refused(why) => Err(AppError::Unauthorized(why.into())),
    }
}

/// End the caller's login: its refresh token and every access token of it stop working.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "An API key's tokens end only when the key is revoked", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn logout(
    state: web::Data<AppState>,
    session: AuthSession,
    ip: ClientIp,
) -> Result<HttpResponse, AppError> {
    if session.kind == SessionKind::ApiKey {
        return Err(AppError::Forbidden(
            "an API key has no login to end; an admin revokes the key with DELETE /api/v1/api-keys/{id}".into(),
        ));
    }
    let origin = Origin::new(&session.user, ip);
    let sid = session.session_id;
    state
        .db
        .run(move |conn| sessions::log_out(conn, &sid, &origin))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user's own account.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's user", body = User),
        crate::error::responses::Unauthorized,
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, AppError> {
    let row = state
        .db
        .run(move |conn| users::find(conn, &user.id))
        .await?;
    let row = row.ok_or_else(|| AppError::Unauthorized("the user no longer exists".into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(User::from(row)))
}

/// Change the caller's password.
///
/// Every session of the caller ends, this one included, so every token issued before the
/// change stops working; the answer is a fresh token pair for a new session. A wrong
/// `current_password` counts as a failed login for the caller's email.
#[utoipa::path(
    put,
    path = "/api/v1/auth/me/password",
    tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Changed; a token pair for the new session", body = TokenPair),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "API keys have no password", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Wrong current password, or a new password that is too short", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this account", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is allowed"))),
        crate::error::responses::UnavailableOrBusy,
    )
)]
pub async fn change_password(
    state: web::Data<AppState>,
    session: AuthSession,
    ip: ClientIp,
    body: ApiJson<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    if session.kind == SessionKind::ApiKey {
        return Err(AppError::Forbidden("API keys have no password".into()));
    }
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    let mut errs = FieldErrors::default();
    check_password(&mut errs, "/new_password", &new_password);
    errs.finish(())?;
    let id = session.user.id.clone();
    let user = state
        .db
        .run(move |conn| users::find(conn, &id))
        .await?
        .ok_or_else(|| AppError::Unauthorized("the user no longer exists".into()))?;
    let slot = state.passwords.admit()?;
    let attempt = state.throttle.begin(&user.email).await?;
    let stored = user.password_hash.clone();
    let checked = slot
        .run(move || {
            password::verify(&stored, &current_password).then(|| password::hash(&new_password))
        })
        .await;
    if !matches!(checked, Ok(None)) {
        state.throttle.release(attempt).await;
    }
    let new_hash = checked?.ok_or_else(|| {
        AppError::field("/current_password", "is not the account's current password")
    })??;
    let ttl = refresh_ttl(&state);
    let id = user.id.clone();
    let origin = Origin::new(&session.user, ip);
    let (session_id, refresh_token) = state
        .db
        .run(move |conn| users::change_own_password(conn, &id, &new_hash, ttl, &origin))
        .await?;
    pair_response(&state, &user.id, &session_id, refresh_token)
}

/// Exchange credentials for an access token (OAuth 2.0 token endpoint).
///
/// Two grants, as JSON or as an `application/x-www-form-urlencoded` form:
///
/// - `grant_type=client_credentials` for API keys: the key's id as `client_id`, its secret as
///   `client_secret`. There is no refresh token: ask again when the access token expires.
/// - `grant_type=password` for people: the email as `username`, and `password`. This is
///   `POST /auth/login` in OAuth form, with the same throttle (429 after 10 failures for one
///   email within 15 minutes) and the same audit entries; the answer has a refresh token.
///   Swagger UI's "Authorize" uses it.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "auth", security(()),
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "An access token; for the password grant also a refresh token", body = AccessToken),
        (status = 400, description = "Malformed JSON or form", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown or revoked key, a wrong secret, or a wrong email or password", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Bearer challenge"))),
        crate::error::responses::TooLarge,
        (status = 415, description = "Body is neither JSON nor a form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or unknown fields, or another grant type", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this email (password grant)", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is allowed"))),
        crate::error::responses::UnavailableOrBusy,
    )
)]
pub async fn issue_token(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: ApiJsonOrForm<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    let (client_id, client_secret) = match body.0 {
        TokenRequest::Password {
            username, password, ..
        } => return log_in_with_password(&state, ip, username, password).await,
        TokenRequest::ClientCredentials {
            client_id,
            client_secret,
            ..
        } => (client_id, client_secret),
    };
    let key_id = state
        .db
        .run(move |conn| api_keys::authenticate(conn, &client_id, &client_secret))
        .await?
        .ok_or_else(|| AppError::Unauthorized("invalid client credentials".into()))?;
    let access_token = state.tokens.issue(&key_id, &key_id)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AccessToken {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.ttl(),
            refresh_token: None,
        }))
}
