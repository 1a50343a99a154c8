//! Queries on users. No HTTP types here.
//!
//! Person accounts are the ones `/users` manages; `api_key` accounts belong to API keys and
//! are invisible here except through `find`. Every transaction that could leave the service
//! without an active admin first takes `lock_admins`, then checks.

use diesel::prelude::*;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::domain::{normalize_email, AccountKind, Role};
use super::models::{NewUser, UserChanges, UserRow};
use crate::audit::{self, action, Origin, Target};
use crate::auth;
use crate::db::schema::{articles, users};
use crate::db::{now, AnyConnection};
use crate::error::AppError;

/// A change to a user, checked; a new password is already hashed.
#[derive(Debug, Default)]
pub struct UserUpdate {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

/// The user with this id, of any kind, if any.
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table.find(id).first::<UserRow>(conn).optional()?)
}

/// The person account with this id, if any.
pub fn find_person(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, AppError> {
    // Ids are UUIDs; anything else (a NUL included) cannot match and never reaches SQL.
    if Uuid::parse_str(id).is_err() {
        return Ok(None);
    }
    Ok(users::table
        .find(id)
        .filter(users::kind.eq(AccountKind::Person.as_str()))
        .first::<UserRow>(conn)
        .optional()?)
}

/// The person account with this email (compared case-insensitively), if any.
pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<UserRow>, AppError> {
    // No stored email holds NUL, and PostgreSQL would refuse the query.
    if email.contains('\0') {
        return Ok(None);
    }
    Ok(users::table
        .filter(users::email.eq(normalize_email(email)))
        .filter(users::kind.eq(AccountKind::Person.as_str()))
        .first::<UserRow>(conn)
        .optional()?)
}

/// How many users exist.
pub fn count(conn: &mut AnyConnection) -> Result<i64, AppError> {
    Ok(users::table.count().get_result(conn)?)
}

/// Inserts a person whose password is already hashed; returns the stored row.
pub fn insert(
    conn: &mut AnyConnection,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<UserRow, AppError> {
    let id = Uuid::now_v7().to_string();
    insert_account(
        conn,
        &id,
        email,
        name,
        role,
        password_hash,
        AccountKind::Person,
    )
}

/// Creates a person whose password is already hashed and records `user.create` in the same
/// transaction; returns the stored row.
pub fn create(
    conn: &mut AnyConnection,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    origin: &Origin,
) -> Result<UserRow, AppError> {
    conn.transaction(|conn| {
        let user = insert(conn, email, name, role, password_hash)?;
        let entry = origin.entry(
            action::USER_CREATE,
            Some(Target::user(&user.id)),
            json!({"email": user.email, "name": user.name, "role": user.role}),
        );
        audit::record(conn, entry)?;
        Ok(user)
    })
}

/// Inserts an account of any kind with a given id; returns the stored row.
pub fn insert_account(
    conn: &mut AnyConnection,
    id: &str,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    kind: AccountKind,
) -> Result<UserRow, AppError> {
    let email = normalize_email(email);
    let at = now();
    diesel::insert_into(users::table)
        .values(NewUser {
            id,
            email: &email,
            name,
            role: role.as_str(),
            active: true,
            password_hash,
            password_changed_at: at,
            created_at: at,
            updated_at: at,
            kind: kind.as_str(),
        })
        .execute(conn)?;
    find(conn, id)?.ok_or_else(|| AppError::internal("inserted user vanished"))
}

/// One page of person accounts in id (creation) order; fetches `limit + 1` rows so the caller
/// can tell whether another page follows.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    after: Option<&str>,
) -> Result<Vec<UserRow>, AppError> {
    let mut query = users::table
        .filter(users::kind.eq(AccountKind::Person.as_str()))
        .order(users::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(users::id.gt(after.to_owned()));
    }
    Ok(query.load::<UserRow>(conn)?)
}

/// Changes a person account. Disabling it or resetting its password ends all its sessions.
/// Refuses to demote or disable the last active admin. Records `user.update` with the fields
/// that changed, unless none did.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    change: UserUpdate,
    origin: &Origin,
) -> Result<UserRow, AppError> {
    conn.transaction(|conn| {
        let current = lock_admins(conn, id)?;
        let stays_admin = change
            .role
            .map_or(current.role == Role::Admin.as_str(), |r| r == Role::Admin)
            && change.active.unwrap_or(current.active);
        if current.role == Role::Admin.as_str() && current.active && !stays_admin {
            ensure_another_admin(conn, id)?;
        }
        let at = now();
        let ends_sessions = change.password_hash.is_some() || change.active == Some(false);
        let password_changed_at = change.password_hash.as_ref().map(|_| at);
        diesel::update(users::table.find(id))
            .set(UserChanges {
                email: change.email.map(|e| normalize_email(&e)),
                name: change.name,
                role: change.role.map(|r| r.as_str().to_owned()),
                active: change.active,
                password_hash: change.password_hash,
                password_changed_at,
                updated_at: Some(at),
            })
            .execute(conn)?;
        if ends_sessions {
            auth::repo::revoke_all(conn, id)?;
        }
        let updated = find(conn, id)?.ok_or_else(|| AppError::internal("updated user vanished"))?;
        if let Some(detail) = changes(&current, &updated, password_changed_at.is_some()) {
            let entry = origin.entry(action::USER_UPDATE, Some(Target::user(id)), detail);
            audit::record(conn, entry)?;
        }
        Ok(updated)
    })
}

// `{"changed": [...], "from": {...}, "to": {...}}` over the fields that differ; a new password
// is named in `changed` only, its hash nowhere. `None` when nothing changed.
fn changes(before: &UserRow, after: &UserRow, new_password: bool) -> Option<Value> {
    let mut changed = vec![];
    let (mut from, mut to) = (Map::new(), Map::new());
    let fields = [
        ("email", json!(before.email), json!(after.email)),
        ("name", json!(before.name), json!(after.name)),
        ("role", json!(before.role), json!(after.role)),
        ("active", json!(before.active), json!(after.active)),
    ];
    for (field, old, new) in fields {
        if old != new {
            changed.push(field);
            from.insert(field.into(), old);
            to.insert(field.into(), new);
        }
    }
    if new_password {
        changed.push("password");
    }
    (!changed.is_empty()).then(|| json!({"changed": changed, "from": from, "to": to}))
}

/// Deletes a person account and its sessions, and records `user.delete` with what the account
/// was. Refuses to delete the last active admin, and anyone who authored articles (disable them
/// instead, so the articles keep their author).
pub fn delete(conn: &mut AnyConnection, id: &str, origin: &Origin) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let current = lock_admins(conn, id)?;
        if current.role == Role::Admin.as_str() && current.active {
            ensure_another_admin(conn, id)?;
        }
        let authored: i64 = articles::table
            .filter(articles::author_id.eq(id))
            .count()
            .get_result(conn)?;
        if authored > 0 {
            return Err(AppError::Conflict(format!(
                "this user is the author of {authored} article(s), which must keep their author; disable the account instead (PATCH /api/v1/users/{{id}} with {{\"active\": false}})"
            )));
        }
        diesel::delete(users::table.find(id)).execute(conn)?;
        let entry = origin.entry(
            action::USER_DELETE,
            Some(Target::user(id)),
            json!({"email": current.email, "name": current.name, "role": current.role}),
        );
        audit::record(conn, entry)
    })
}

/// Sets a user's own new password (already hashed): every session of theirs ends, and a new
/// login session starts; records `auth.password_change`. Returns the new session's id and first
/// refresh token.
pub fn change_own_password(
    conn: &mut AnyConnection,
    id: &str,
    password_hash: &str,
    refresh_ttl: chrono::Duration,
    origin: &Origin,
) -> Result<(String, String), AppError> {
    conn.transaction(|conn| {
        let at = now();
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::password_changed_at.eq(at),
                users::updated_at.eq(at),
            ))
            .execute(conn)?;
        auth::repo::revoke_all(conn, id)?;
        let entry = origin.entry(action::PASSWORD_CHANGE, Some(Target::user(id)), json!({}));
        audit::record(conn, entry)?;
        auth::repo::start_login(conn, id, refresh_ttl)
    })
}

// Serialises every transaction that can change who is an active admin, then returns the target
// row. On PostgreSQL, transactions changing two different admins would lock different rows and
// could each see the other admin still active, so they take one advisory lock first (this is
// the one PostgreSQL-only statement here). On SQLite the first write takes the database's write
// lock, which serialises them already.
fn lock_admins(conn: &mut AnyConnection, id: &str) -> Result<UserRow, AppError> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(727140001)").execute(pg)?;
    }
    let not_found = || AppError::NotFound("no user with this id".into());
    if Uuid::parse_str(id).is_err() {
        return Err(not_found());
    }
    let touched = diesel::update(
        users::table
            .find(id)
            .filter(users::kind.eq(AccountKind::Person.as_str())),
    )
    .set(users::updated_at.eq(now()))
    .execute(conn)?;
    if touched == 0 {
        return Err(not_found());
    }
    find(conn, id)?.ok_or_else(not_found)
}

fn ensure_another_admin(conn: &mut AnyConnection, id: &str) -> Result<(), AppError> {
    let others: i64 = users::table
        .filter(users::kind.eq(AccountKind::Person.as_str()))
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(id))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(AppError::Conflict(
            "this is the last active admin; make another user an admin first".into(),
        ));
    }
    Ok(())
}
