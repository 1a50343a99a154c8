//! Queries on authors, and the use cases that change them with their audit entries. No HTTP
//! types here.

use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::domain::{slug_from_name, AuthorDraft};
use super::dto::Author;
use super::models::{AuthorFields, AuthorRow};
use crate::articles::domain::free_slug;
use crate::audit::{self, Origin, Target};
use crate::db::schema::{article_authors, authors, users};
use crate::db::{now, AnyConnection};
use crate::error::AppError;

/// The audit actions of authors.
pub mod action {
    /// An editor or admin created an author.
    pub const CREATE: &str = "author.create";
    /// An editor or admin changed an author.
    pub const UPDATE: &str = "author.update";
    /// An editor or admin deleted an author.
    pub const DELETE: &str = "author.delete";
}

fn target(id: &str) -> Option<Target> {
    Some(Target {
        kind: "author",
        id: id.to_owned(),
    })
}

/// The author an id or slug names, if any. An id match wins over a slug match.
pub fn find_by_key(conn: &mut AnyConnection, key: &str) -> Result<Option<AuthorRow>, AppError> {
    // No stored slug or id holds NUL, and PostgreSQL would refuse the query.
    if key.contains('\0') {
        return Ok(None);
    }
    if Uuid::parse_str(key).is_ok() {
        let by_id = authors::table.find(key).first(conn).optional()?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    Ok(authors::table
        .filter(authors::slug.eq(key))
        .first(conn)
        .optional()?)
}

/// One page of authors in id (creation) order; fetches `limit + 1` rows so the caller can
/// tell whether another page follows.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    after: Option<&str>,
) -> Result<Vec<AuthorRow>, AppError> {
    let mut query = authors::table
        .order(authors::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(authors::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// The ids among `ids` that name authors.
pub fn existing(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<String>> {
    authors::table
        .filter(authors::id.eq_any(ids))
        .select(authors::id)
        .load(conn)
}

/// The ids of the articles that credit author `author_id`, oldest first. Call it to refresh
/// what is stored per article (cached documents, search documents) after an author's name,
/// slug or avatar changes.
pub fn articles_crediting(conn: &mut AnyConnection, author_id: &str) -> QueryResult<Vec<String>> {
    article_authors::table
        .filter(article_authors::author_id.eq(author_id))
        .order(article_authors::article_id.asc())
        .select(article_authors::article_id)
        .load(conn)
}

/// Checks what needs the database: `user_id` must name a user, and a slug given must be free
/// (409). Answers the fields to store, with a free slug made from the name when none is given.
fn resolve(
    conn: &mut AnyConnection,
    draft: AuthorDraft,
    own_id: &str,
) -> Result<AuthorFields, AppError> {
    if let Some(user_id) = &draft.user_id {
        let found: Option<String> = users::table
            .find(user_id)
            .select(users::id)
            .first(conn)
            .optional()?;
        if found.is_none() {
            return Err(AppError::field("/user_id", "no user with this id"));
        }
    }
    let slug = match draft.slug {
        Some(slug) => {
            let holder: Option<String> = authors::table
                .filter(authors::slug.eq(&slug))
                .filter(authors::id.ne(own_id))
                .select(authors::id)
                .first(conn)
                .optional()?;
            if holder.is_some() {
                return Err(AppError::Conflict(
                    "an author with this slug already exists".into(),
                ));
            }
            slug
        }
        None => {
            let base = slug_from_name(&draft.name);
            let taken: Vec<String> = authors::table
                .filter(authors::slug.like(format!("{base}%")))
                .filter(authors::id.ne(own_id))
                .select(authors::slug)
                .load(conn)?;
            free_slug(&base, &taken)
        }
    };
    Ok(AuthorFields {
        slug,
        name: draft.name,
        bio: draft.bio,
        user_id: draft.user_id,
    })
}

fn get(conn: &mut AnyConnection, id: &str) -> Result<AuthorRow, AppError> {
    authors::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// The 404 of an unknown author.
pub fn not_found() -> AppError {
    AppError::NotFound("no author with this id or slug".into())
}

/// Creates an author and records `author.create`, in one transaction.
pub fn create(
    conn: &mut AnyConnection,
    draft: AuthorDraft,
    origin: &Origin,
) -> Result<AuthorRow, AppError> {
    conn.transaction(|conn| {
        let id = Uuid::now_v7().to_string();
        let at = now();
        // The insert goes first, so the transaction holds the write lock before it checks.
        diesel::insert_into(authors::table)
            .values((
                authors::id.eq(&id),
                authors::slug.eq(&id),
                authors::name.eq(""),
                authors::created_at.eq(at),
                authors::updated_at.eq(at),
            ))
            .execute(conn)?;
        let fields = resolve(conn, draft, &id)?;
        diesel::update(authors::table.find(&id))
            .set(&fields)
            .execute(conn)?;
        let row = get(conn, &id)?;
        let entry = origin.entry(
            action::CREATE,
            target(&row.id),
            json!({"slug": row.slug, "name": row.name}),
        );
        audit::record(conn, entry)?;
        Ok(row)
    })
}

/// The stored fields of author `id`, as a body that would change nothing: what a merge patch
/// starts from.
pub fn current_fields(conn: &mut AnyConnection, id: &str) -> Result<AuthorFields, AppError> {
    if Uuid::parse_str(id).is_err() {
        return Err(not_found());
    }
    let row = get(conn, id)?;
    Ok(AuthorFields {
        slug: row.slug,
        name: row.name,
        bio: row.bio,
        user_id: row.user_id,
    })
}

/// Changes author `id` to `draft` and records `author.update`, in one transaction; a body
/// that changes nothing writes nothing.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    draft: AuthorDraft,
    origin: &Origin,
) -> Result<AuthorRow, AppError> {
    conn.transaction(|conn| {
        lock(conn, id)?;
        let before = current_fields(conn, id)?;
        let fields = resolve(conn, draft, id)?;
        if fields == before {
            return get(conn, id);
        }
        diesel::update(authors::table.find(id))
            .set((&fields, authors::updated_at.eq(now())))
            .execute(conn)?;
        let row = get(conn, id)?;
        let changed: Vec<&str> = [
            ("slug", before.slug != fields.slug),
            ("name", before.name != fields.name),
            ("bio", before.bio != fields.bio),
            ("user_id", before.user_id != fields.user_id),
        ]
        .into_iter()
        .filter_map(|(f, c)| c.then_some(f))
        .collect();
        let entry = origin.entry(
            action::UPDATE,
            target(id),
            json!({"slug": row.slug, "changed": changed}),
        );
        audit::record(conn, entry)?;
        if before.slug != fields.slug || before.name != fields.name {
            // Bylines embed the author's slug and name: the documents crediting the author
            // are rendered anew in this transaction.
            let credited = articles_crediting(conn, id)?;
            crate::articles::rendered::refresh_ids(conn, &credited)?;
            crate::articles::rendered::announce(conn)?;
        }
        Ok(row)
    })
}

/// Deletes author `id` and records `author.delete`, in one transaction. An author credited on
/// any article cannot be deleted (409): take it off their bylines first.
pub fn delete(conn: &mut AnyConnection, id: &str, origin: &Origin) -> Result<(), AppError> {
    if Uuid::parse_str(id).is_err() {
        return Err(not_found());
    }
    conn.transaction(|conn| {
        lock(conn, id)?;
        let row = get(conn, id)?;
        let credited: i64 = article_authors::table
            .filter(article_authors::author_id.eq(id))
            .count()
            .get_result(conn)?;
        if credited > 0 {
            return Err(AppError::Conflict(format!(
                "this author is credited on {credited} article(s); remove them from those bylines first"
            )));
        }
        diesel::delete(authors::table.find(id)).execute(conn)?;
        let entry = origin.entry(
            action::DELETE,
            target(id),
            json!({"slug": row.slug, "name": row.name}),
        );
        audit::record(conn, entry)
    })
}

/// Takes the author's write lock as the transaction's first statement: on SQLite a
/// transaction that reads first cannot always start writing later ("database is locked" when
/// another connection wrote in between). A missing author is found out by the read after it.
fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
    diesel::update(authors::table.find(id))
        .set(authors::id.eq(authors::id))
        .execute(conn)
        .map(drop)
}

/// Every author, oldest first (for exports).
pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<AuthorRow>> {
    authors::table
        .order((authors::created_at.asc(), authors::id.asc()))
        .load(conn)
}

/// Stores an exported author as it was, unless one with its id exists; answers whether it
/// was stored.
pub fn import(conn: &mut AnyConnection, author: &Author) -> Result<bool, AppError> {
    let exists: Option<String> = authors::table
        .find(&author.id)
        .select(authors::id)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    diesel::insert_into(authors::table)
        .values((
            authors::id.eq(&author.id),
            authors::slug.eq(&author.slug),
            authors::name.eq(&author.name),
            authors::bio.eq(&author.bio),
            authors::user_id.eq(&author.user_id),
            authors::created_at.eq(author.created_at.naive_utc()),
            authors::updated_at.eq(author.updated_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(true)
}
