//! Queries on users. No HTTP types here.

use diesel::prelude::*;
use uuid::Uuid;

use super::domain::{normalize_email, Role};
use super::models::{NewUser, UserRow};
use crate::db::schema::users;
use crate::db::{now, AnyConnection};
use crate::error::AppError;

/// The user with this id, if any.
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table.find(id).first::<UserRow>(conn).optional()?)
}

/// The user with this email (compared case-insensitively), if any.
pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<UserRow>, AppError> {
    // No stored email holds NUL, and PostgreSQL would refuse the query.
    if email.contains('\0') {
        return Ok(None);
    }
    Ok(users::table
        .filter(users::email.eq(normalize_email(email)))
        .first::<UserRow>(conn)
        .optional()?)
}

/// How many users exist.
pub fn count(conn: &mut AnyConnection) -> Result<i64, AppError> {
    Ok(users::table.count().get_result(conn)?)
}

/// Inserts a user whose password is already hashed; returns the stored row.
pub fn insert(
    conn: &mut AnyConnection,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<UserRow, AppError> {
    let id = Uuid::now_v7().to_string();
    let email = normalize_email(email);
    let at = now();
    diesel::insert_into(users::table)
        .values(NewUser {
            id: &id,
            email: &email,
            name,
            role: role.as_str(),
            active: true,
            password_hash,
            password_changed_at: at,
            created_at: at,
            updated_at: at,
        })
        .execute(conn)?;
    find(conn, &id)?.ok_or_else(|| AppError::internal("inserted user vanished"))
}
