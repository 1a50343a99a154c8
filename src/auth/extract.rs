//! Extractors that authenticate a request. Adding `AuthUser` to a handler makes the route
//! require a valid bearer token; `MaybeAuthUser` serves anonymous and signed-in readers, but an
//! invalid token is still a 401, never silently anonymous. `AdminUser` also requires the admin
//! role, and `AuthSession` exposes the session the token belongs to.
//!
//! A token is only a pointer: the user's role and active state, the session's revocation and
//! the time of the last password change are read from the database on every request.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::models::SessionKind;
use super::repo;
use super::token::Claims;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::domain::Role;

/// The signed-in user making the request, as the user record says now.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user's id.
    pub id: String,
    /// The user's display name, as recorded with revisions and audit entries.
    pub name: String,
    /// The user's current role.
    pub role: Role,
}

/// An optional signed-in user, for routes that anonymous readers may call.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

/// A signed-in user who is an admin now; anyone else gets a 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

/// The signed-in user together with the session (login or API key) of their token.
#[derive(Debug, Clone)]
pub struct AuthSession {
    /// Who is calling.
    pub user: AuthUser,
    /// The session the access token belongs to.
    pub session_id: String,
    /// Whether that session is a login or an API key.
    pub kind: SessionKind,
}

/// The access token of an `Authorization: Bearer` header; `None` without the header, a 401
/// when it is malformed.
pub(crate) fn bearer_token(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| {
        AppError::Unauthorized("the Authorization header is not valid ASCII".into())
    })?;
    let mut parts = value.splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    let token = parts.next().map(str::trim).unwrap_or_default();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AppError::Unauthorized(
            "expected Authorization: Bearer <access token>".into(),
        ));
    }
    // Swagger UI adds the prefix itself, so a token pasted with its prefix arrives with two.
    if token
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
    {
        return Err(AppError::Unauthorized(
            "the token came with \"Bearer \" twice; send the access token alone after \"Bearer \" (in Swagger UI, paste it without the prefix)".into(),
        ));
    }
    Ok(Some(token.to_owned()))
}

async fn authenticate(state: web::Data<AppState>, token: String) -> Result<AuthSession, AppError> {
    let claims = state.tokens.verify(&token)?;
    state.db.run(move |conn| session_of(conn, &claims)).await
}

/// The session and user a verified access token stands for, checked against the database in
/// one query, so that a revocation, a disabled user, a new role or a password change counts
/// from the next request on.
pub fn session_of(conn: &mut AnyConnection, claims: &Claims) -> Result<AuthSession, AppError> {
    let (session, user) = repo::principal(conn, &claims.sid)?.ok_or_else(|| {
        AppError::Unauthorized("the access token's session has ended; log in again".into())
    })?;
    if session.user_id != claims.sub {
        return Err(AppError::Unauthorized("the access token is invalid".into()));
    }
    if session.revoked_at.is_some() {
        return Err(AppError::Unauthorized(
            "the access token's session has been revoked; log in again".into(),
        ));
    }
    if !user.active {
        return Err(AppError::Unauthorized("the user is disabled".into()));
    }
    if claims.iat < user.password_changed_at.and_utc().timestamp() {
        return Err(AppError::Unauthorized(
            "the access token predates a password change".into(),
        ));
    }
    let role = Role::parse(&user.role)
        .ok_or_else(|| AppError::internal("stored user has an unknown role"))?;
    let kind = SessionKind::parse(&session.kind)
        .ok_or_else(|| AppError::internal("stored session has an unknown kind"))?;
    Ok(AuthSession {
        user: AuthUser {
            id: user.id,
            name: user.name,
            role,
        },
        session_id: session.id,
        kind,
    })
}

/// The claims of a valid access token, when the request carries one; not yet checked against
/// the database. A handler that needs the database anyway checks them with [`session_of`] in
/// its own query closure, so that the request costs one trip to the blocking pool.
#[derive(Debug, Clone)]
pub struct MaybeClaims(pub Option<Claims>);

impl FromRequest for MaybeClaims {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = || -> Result<Self, AppError> {
            match bearer_token(req)? {
                None => Ok(Self(None)),
                Some(token) => Ok(Self(Some(app_state(req)?.tokens.verify(&token)?))),
            }
        };
        std::future::ready(verified())
    }
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("application state missing"))
}

impl FromRequest for AuthSession {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = app_state(req);
        Box::pin(async move {
            let token = token?.ok_or_else(|| {
                AppError::Unauthorized("this operation needs a bearer token".into())
            })?;
            authenticate(state?, token).await
        })
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = AuthSession::from_request(req, payload);
        Box::pin(async move { Ok(session.await?.user) })
    }
}

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if user.role == Role::Admin {
                Ok(Self(user))
            } else {
                Err(AppError::Forbidden(
                    "only admins may manage users and API keys and read the audit log".into(),
                ))
            }
        })
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = app_state(req);
        Box::pin(async move {
            match token? {
                None => Ok(Self(None)),
                Some(token) => Ok(Self(Some(authenticate(state?, token).await?.user))),
            }
        })
    }
}
