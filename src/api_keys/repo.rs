//! Queries on API keys. No HTTP types here.

use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::models::{ApiKeyRow, NewApiKey};
use crate::audit::{self, action, Origin, Target};
use crate::auth::{repo as sessions, secret};
use crate::db::schema::{api_keys, users};
use crate::db::{now, AnyConnection};
use crate::error::AppError;
use crate::users::domain::{AccountKind, Role};
use crate::users::models::UserRow;
use crate::users::repo as accounts;

// Never a PHC string, so no password ever verifies against it.
const NO_PASSWORD: &str = "!api-key";

/// Creates a key with its account and session and records `api_key.create`; returns them and
/// the secret, shown once.
pub fn create(
    conn: &mut AnyConnection,
    name: &str,
    role: Role,
    origin: &Origin,
) -> Result<(ApiKeyRow, UserRow, String), AppError> {
    conn.transaction(|conn| {
        let id = Uuid::now_v7().to_string();
        // `.invalid` is reserved (RFC 2606): the address can never belong to anyone.
        let email = format!("api-key-{id}@byline.invalid");
        let user = accounts::insert_account(
            conn,
            &id,
            &email,
            name,
            role,
            NO_PASSWORD,
            AccountKind::ApiKey,
        )?;
        let secret = secret::generate();
        diesel::insert_into(api_keys::table)
            .values(NewApiKey {
                id: &id,
                secret_hash: &secret::digest(&secret),
                created_at: user.created_at,
                last_used_at: None,
                revoked_at: None,
            })
            .execute(conn)?;
        sessions::start_api_key_session(conn, &id)?;
        let entry = origin.entry(
            action::API_KEY_CREATE,
            Some(Target::api_key(&id)),
            json!({"name": user.name, "role": user.role}),
        );
        audit::record(conn, entry)?;
        let key = find(conn, &id)?
            .map(|(k, _)| k)
            .ok_or_else(|| AppError::internal("inserted API key vanished"))?;
        Ok((key, user, secret))
    })
}

/// The live (not revoked) key with this id, with its account.
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<(ApiKeyRow, UserRow)>, AppError> {
    if Uuid::parse_str(id).is_err() {
        return Ok(None);
    }
    Ok(api_keys::table
        .inner_join(users::table)
        .filter(api_keys::id.eq(id))
        .filter(api_keys::revoked_at.is_null())
        .select((api_keys::all_columns, users::all_columns))
        .first(conn)
        .optional()?)
}

/// One page of live keys in id (creation) order; `limit + 1` rows.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    after: Option<&str>,
) -> Result<Vec<(ApiKeyRow, UserRow)>, AppError> {
    let mut query = api_keys::table
        .inner_join(users::table)
        .filter(api_keys::revoked_at.is_null())
        .order(api_keys::id.asc())
        .limit(limit + 1)
        .select((api_keys::all_columns, users::all_columns))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(api_keys::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// Revokes a key: it can no longer obtain tokens and the tokens it has stop working at once.
/// Its account stays, disabled, as the author of what it wrote. Records `api_key.revoke`.
/// `false` if there was no live key with this id.
pub fn revoke(conn: &mut AnyConnection, id: &str, origin: &Origin) -> Result<bool, AppError> {
    if Uuid::parse_str(id).is_err() {
        return Ok(false);
    }
    conn.transaction(|conn| {
        let at = now();
        let revoked = diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(id))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Some(at)))
        .execute(conn)?;
        if revoked == 0 {
            return Ok(false);
        }
        let (name, role) = diesel::update(users::table.find(id))
            .set((users::active.eq(false), users::updated_at.eq(at)))
            .returning((users::name, users::role))
            .get_result::<(String, String)>(conn)?;
        sessions::revoke_all(conn, id)?;
        let entry = origin.entry(
            action::API_KEY_REVOKE,
            Some(Target::api_key(id)),
            json!({"name": name, "role": role}),
        );
        audit::record(conn, entry)?;
        Ok(true)
    })
}

/// The id of the live key these client credentials belong to, if they are right; records the
/// use.
pub fn authenticate(
    conn: &mut AnyConnection,
    client_id: &str,
    client_secret: &str,
) -> Result<Option<String>, AppError> {
    let Some((key, user)) = find(conn, client_id)? else {
        return Ok(None);
    };
    if !user.active || !secret::digests_match(&key.secret_hash, &secret::digest(client_secret)) {
        return Ok(None);
    }
    diesel::update(api_keys::table.find(&key.id))
        .set(api_keys::last_used_at.eq(Some(now())))
        .execute(conn)?;
    Ok(Some(key.id))
}
