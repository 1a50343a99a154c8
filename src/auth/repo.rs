//! Sessions and refresh tokens. No HTTP types here.
//!
//! A login creates a session and its first refresh token. Each refresh marks the presented
//! token used and issues the next one in the same session; presenting a used token again
//! revokes the session, which ends every refresh and access token of that login at once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::models::{NewRefreshToken, NewSession, RefreshTokenRow, SessionKind, SessionRow};
use super::secret;
use crate::audit::{self, action, Actor, Origin, Target};
use crate::db::schema::{refresh_tokens, sessions, users};
use crate::db::{now, AnyConnection};
use crate::error::AppError;
use crate::users::domain::normalize_email;
use crate::users::models::UserRow;

/// How long an access token can outlive the refresh token of its session, at most: sessions
/// are deleted only once no access token of theirs can still be valid.
const ACCESS_TOKEN_MAX_SECONDS: i64 = 86_400;

/// A session with its user, as an access token names it.
pub fn principal(
    conn: &mut AnyConnection,
    session_id: &str,
) -> Result<Option<(SessionRow, UserRow)>, AppError> {
    // Only ids this service issued can match; anything else (NUL included) never reaches SQL.
    if Uuid::parse_str(session_id).is_err() {
        return Ok(None);
    }
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .select((sessions::all_columns, users::all_columns))
        .first::<(SessionRow, UserRow)>(conn)
        .optional()?)
}

/// Starts a login session for `user_id`; returns the session id and its first refresh token.
/// Also deletes what earlier logins of the same user left behind.
pub fn start_login(
    conn: &mut AnyConnection,
    user_id: &str,
    refresh_ttl: Duration,
) -> Result<(String, String), AppError> {
    conn.transaction(|conn| start_login_in(conn, user_id, refresh_ttl))
}

/// Starts a login session for a user whose password was just checked, and records
/// `auth.login` in the same transaction. Returns the session id and its first refresh token.
pub fn log_in(
    conn: &mut AnyConnection,
    user: &UserRow,
    refresh_ttl: Duration,
    origin: &Origin,
) -> Result<(String, String), AppError> {
    conn.transaction(|conn| {
        let (session_id, token) = start_login_in(conn, &user.id, refresh_ttl)?;
        let by = origin.as_actor(Actor::from(user));
        let entry = by.entry(action::LOGIN, Some(Target::session(&session_id)), json!({}));
        audit::record(conn, entry)?;
        Ok((session_id, token))
    })
}

/// Why a login was refused, as recorded in `auth.login_failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// No person account has this email.
    UnknownEmail,
    /// The password is wrong.
    WrongPassword,
    /// The password is right, but the account is disabled.
    Disabled,
}

impl LoginFailure {
    /// The recorded name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownEmail => "unknown_email",
            Self::WrongPassword => "wrong_password",
            Self::Disabled => "disabled",
        }
    }
}

// No account's email is longer; a client's longer input is cut so that it cannot bloat the log.
const MAX_RECORDED_EMAIL_CHARS: usize = 254;

/// Records `auth.login_failed`: the email tried (never the password), why it failed, and the
/// account it names when there is one.
pub fn record_failed_login(
    conn: &mut AnyConnection,
    email: &str,
    account: Option<&UserRow>,
    why: LoginFailure,
    origin: &Origin,
) -> Result<(), AppError> {
    let email: String = normalize_email(email)
        .chars()
        .take(MAX_RECORDED_EMAIL_CHARS)
        .collect();
    let entry = origin.entry(
        action::LOGIN_FAILED,
        account.map(|u| Target::user(&u.id)),
        json!({"email": email, "reason": why.as_str()}),
    );
    audit::record(conn, entry)
}

/// Ends the caller's login session and records `auth.logout` in the same transaction.
pub fn log_out(
    conn: &mut AnyConnection,
    session_id: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        // Of two concurrent logouts of one session, only the one that ended it is recorded.
        if revoke(conn, session_id)? {
            let entry = origin.entry(action::LOGOUT, Some(Target::session(session_id)), json!({}));
            audit::record(conn, entry)?;
        }
        Ok(())
    })
}

fn start_login_in(
    conn: &mut AnyConnection,
    user_id: &str,
    refresh_ttl: Duration,
) -> Result<(String, String), AppError> {
    let at = now();
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(sessions::table)
        .values(NewSession {
            id: &id,
            user_id,
            kind: SessionKind::Login.as_str(),
            created_at: at,
            expires_at: Some(at + refresh_ttl),
            revoked_at: None,
        })
        .execute(conn)?;
    let token = insert_refresh_token(conn, &id, at, refresh_ttl)?;
    prune(conn, user_id, at)?;
    Ok((id, token))
}

/// Starts the session of a new API key; it shares the key's id.
pub fn start_api_key_session(conn: &mut AnyConnection, key_id: &str) -> Result<(), AppError> {
    diesel::insert_into(sessions::table)
        .values(NewSession {
            id: key_id,
            user_id: key_id,
            kind: SessionKind::ApiKey.as_str(),
            created_at: now(),
            expires_at: None,
            revoked_at: None,
        })
        .execute(conn)?;
    Ok(())
}

fn insert_refresh_token(
    conn: &mut AnyConnection,
    session_id: &str,
    at: NaiveDateTime,
    ttl: Duration,
) -> Result<String, AppError> {
    let token = secret::generate();
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            token_hash: &secret::digest(&token),
            session_id,
            created_at: at,
            expires_at: at + ttl,
            used_at: None,
        })
        .execute(conn)?;
    Ok(token)
}

// Expired refresh tokens can never be used again, and revoked or long-expired sessions can no
// longer back any access token, so they go. Used, unexpired tokens stay to detect their reuse.
fn prune(conn: &mut AnyConnection, user_id: &str, at: NaiveDateTime) -> Result<(), AppError> {
    let stale = at - Duration::seconds(ACCESS_TOKEN_MAX_SECONDS);
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::kind.eq(SessionKind::Login.as_str()))
            .filter(
                sessions::revoked_at
                    .is_not_null()
                    .or(sessions::expires_at.lt(stale)),
            ),
    )
    .execute(conn)?;
    let of_user = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(sessions::id);
    diesel::delete(
        refresh_tokens::table
            .filter(refresh_tokens::session_id.eq_any(of_user))
            .filter(refresh_tokens::expires_at.lt(at)),
    )
    .execute(conn)?;
    Ok(())
}

/// The outcome of presenting a refresh token.
#[derive(Debug)]
pub enum Refresh {
    /// The token was good: here is its successor in the same session.
    Rotated {
        user_id: String,
        session_id: String,
        refresh_token: String,
    },
    /// The token was refused, for the reason given. Any revocation it caused is committed.
    Refused(&'static str),
}

/// Uses a refresh token once: marks it used and issues the next one of its session. A token
/// presented a second time revokes its whole session and records `auth.refresh_reuse`, with
/// the token's owner as the actor.
pub fn rotate(
    conn: &mut AnyConnection,
    presented: &str,
    refresh_ttl: Duration,
    origin: &Origin,
) -> Result<Refresh, AppError> {
    conn.transaction(|conn| rotate_in(conn, presented, refresh_ttl, origin))
}

fn rotate_in(
    conn: &mut AnyConnection,
    presented: &str,
    refresh_ttl: Duration,
    origin: &Origin,
) -> Result<Refresh, AppError> {
    let hash = secret::digest(presented);
    let at = now();
    // The first statement writes: it takes the write lock on SQLite and the row lock on
    // PostgreSQL, so of two concurrent uses of one token exactly one claims it.
    let claimed = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    let found = refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(&hash))
        .select((
            refresh_tokens::all_columns,
            sessions::all_columns,
            users::active,
            users::name,
        ))
        .first::<(RefreshTokenRow, SessionRow, bool, String)>(conn)
        .optional()?;
    let Some((token, session, active, name)) = found else {
        return Ok(Refresh::Refused("the refresh token is not valid"));
    };
    if session.revoked_at.is_some() {
        return Ok(Refresh::Refused(
            "the login of this refresh token has ended; log in again",
        ));
    }
    if claimed == 0 {
        revoke(conn, &session.id)?;
        let owner = Actor {
            id: session.user_id.clone(),
            name,
        };
        let entry = origin.as_actor(owner).entry(
            action::REFRESH_REUSE,
            Some(Target::session(&session.id)),
            json!({}),
        );
        audit::record(conn, entry)?;
        return Ok(Refresh::Refused(
            "the refresh token was used before, so every token of its login has been revoked; log in again",
        ));
    }
    if token.expires_at <= at {
        return Ok(Refresh::Refused(
            "the refresh token has expired; log in again",
        ));
    }
    if !active {
        return Ok(Refresh::Refused("the user is disabled"));
    }
    let refresh_token = insert_refresh_token(conn, &session.id, at, refresh_ttl)?;
    diesel::update(sessions::table.find(&session.id))
        .set(sessions::expires_at.eq(Some(at + refresh_ttl)))
        .execute(conn)?;
    Ok(Refresh::Rotated {
        user_id: session.user_id,
        session_id: session.id,
        refresh_token,
    })
}

/// Revokes one session: its refresh tokens and access tokens stop working at once. `false` if
/// it was revoked already.
pub fn revoke(conn: &mut AnyConnection, session_id: &str) -> Result<bool, AppError> {
    let revoked = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(now())))
    .execute(conn)?;
    Ok(revoked > 0)
}

/// Revokes every session of a user.
pub fn revoke_all(conn: &mut AnyConnection, user_id: &str) -> Result<(), AppError> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}
