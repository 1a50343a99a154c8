//! Storage and ordering of children, shared by all four kinds.
//!
//! Positions are 1-based and contiguous per (article, kind). Every function here runs inside a
//! write transaction whose first statement bumped the article's version, which serialises
//! writers per article on both backends, so the shifts below never interleave.

use diesel::prelude::*;
use uuid::Uuid;

use super::models::ChildRow;
use super::{ChildDraft, ChildFields, ChildKind, MAX_CHILDREN};
use crate::db::schema::article_children as ac;
use crate::db::AnyConnection;
use crate::error::{AppError, FieldErrors};

/// The children of one kind, in position order.
pub fn list(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
) -> Result<Vec<ChildRow>, AppError> {
    Ok(ac::table
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .order(ac::position.asc())
        .load(conn)?)
}

/// Every child of an article in one query, ordered by kind and position.
pub fn list_all(conn: &mut AnyConnection, article_id: &str) -> Result<Vec<ChildRow>, AppError> {
    Ok(ac::table
        .filter(ac::article_id.eq(article_id))
        .order((ac::kind.asc(), ac::position.asc()))
        .load(conn)?)
}

/// One child, if it belongs to this article and kind.
pub fn find(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    child_id: &str,
) -> Result<Option<ChildRow>, AppError> {
    Ok(ac::table
        .filter(ac::id.eq(child_id))
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .first(conn)
        .optional()?)
}

fn count(conn: &mut AnyConnection, article_id: &str, kind: ChildKind) -> Result<i64, AppError> {
    Ok(ac::table
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)?)
}

fn child_not_found(kind: ChildKind) -> AppError {
    AppError::NotFound(format!("no {} with this id in this article", kind.noun()))
}

fn shift(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    from: i32,
    to: i32,
    by: i32,
) -> Result<(), AppError> {
    diesel::update(
        ac::table
            .filter(ac::article_id.eq(article_id))
            .filter(ac::kind.eq(kind.as_str()))
            .filter(ac::position.ge(from))
            .filter(ac::position.le(to)),
    )
    .set(ac::position.eq(ac::position + by))
    .execute(conn)?;
    Ok(())
}

fn insert_row(
    conn: &mut AnyConnection,
    id: &str,
    article_id: &str,
    kind: ChildKind,
    position: i32,
    fields: &ChildFields,
) -> Result<(), AppError> {
    diesel::insert_into(ac::table)
        .values((
            ac::id.eq(id),
            ac::article_id.eq(article_id),
            ac::kind.eq(kind.as_str()),
            ac::position.eq(position),
            fields.changes(),
        ))
        .execute(conn)?;
    Ok(())
}

fn check_position(position: i64, max: i64) -> Result<i32, AppError> {
    if (1..=max).contains(&position) {
        i32::try_from(position).map_err(|_| AppError::internal("position overflow"))
    } else {
        Err(AppError::field(
            "/position",
            format!("must be between 1 and {max}"),
        ))
    }
}

/// Inserts a child at `position` (appends when `None`), shifting the ones after it.
pub fn insert_at(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    position: Option<i64>,
    fields: &ChildFields,
) -> Result<ChildRow, AppError> {
    let n = count(conn, article_id, kind)?;
    if n >= MAX_CHILDREN as i64 {
        return Err(AppError::field(
            "",
            format!("an article may have at most {MAX_CHILDREN} of each kind of child"),
        ));
    }
    let position = check_position(position.unwrap_or(n + 1), n + 1)?;
    shift(conn, article_id, kind, position, i32::MAX, 1)?;
    let id = Uuid::now_v7().to_string();
    insert_row(conn, &id, article_id, kind, position, fields)?;
    find(conn, article_id, kind, &id)?.ok_or_else(|| child_not_found(kind))
}

/// Replaces a child's fields and, when `position` is given, moves it there.
pub fn update(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    child_id: &str,
    position: Option<i64>,
    fields: &ChildFields,
) -> Result<ChildRow, AppError> {
    let current = find(conn, article_id, kind, child_id)?.ok_or_else(|| child_not_found(kind))?;
    let mut target = current.position;
    if let Some(p) = position {
        let n = count(conn, article_id, kind)?;
        target = check_position(p, n)?;
        if target > current.position {
            shift(conn, article_id, kind, current.position + 1, target, -1)?;
        } else if target < current.position {
            shift(conn, article_id, kind, target, current.position - 1, 1)?;
        }
    }
    diesel::update(ac::table.filter(ac::id.eq(child_id)))
        .set((fields.changes(), ac::position.eq(target)))
        .execute(conn)?;
    find(conn, article_id, kind, child_id)?.ok_or_else(|| child_not_found(kind))
}

/// Deletes a child and closes the gap it leaves.
pub fn delete(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    child_id: &str,
) -> Result<(), AppError> {
    let current = find(conn, article_id, kind, child_id)?.ok_or_else(|| child_not_found(kind))?;
    diesel::delete(ac::table.filter(ac::id.eq(child_id))).execute(conn)?;
    shift(conn, article_id, kind, current.position + 1, i32::MAX, -1)
}

/// Makes the list of one kind exactly `drafts`, in order: echoed ids are kept and updated,
/// missing ones deleted, new ones inserted. `pointer` locates the list in the request body.
pub fn replace(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    drafts: &[ChildDraft],
    pointer: &str,
) -> Result<(), AppError> {
    let existing: Vec<String> = list(conn, article_id, kind)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut errs = FieldErrors::default();
    for (i, draft) in drafts.iter().enumerate() {
        if let Some(id) = &draft.id {
            if !existing.contains(id) {
                errs.push(
                    format!("{pointer}/{i}/id"),
                    format!(
                        "is not a {} of this article; omit id for new items",
                        kind.noun()
                    ),
                );
            }
        }
    }
    errs.finish(())?;
    for gone in existing
        .iter()
        .filter(|id| !drafts.iter().any(|d| d.id.as_ref() == Some(*id)))
    {
        diesel::delete(ac::table.filter(ac::id.eq(gone))).execute(conn)?;
    }
    for (i, draft) in drafts.iter().enumerate() {
        let position = i32::try_from(i + 1).map_err(|_| AppError::internal("position overflow"))?;
        match &draft.id {
            Some(id) => {
                diesel::update(ac::table.filter(ac::id.eq(id)))
                    .set((draft.fields.changes(), ac::position.eq(position)))
                    .execute(conn)?;
            }
            None => insert_row(
                conn,
                &Uuid::now_v7().to_string(),
                article_id,
                kind,
                position,
                &draft.fields,
            )?,
        }
    }
    Ok(())
}

/// Inserts a whole list into an article that has none of this kind yet, keeping the ids the
/// drafts carry (a lossless import); drafts without an id get a new one.
pub fn insert_list(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    drafts: &[ChildDraft],
) -> Result<(), AppError> {
    for (i, draft) in drafts.iter().enumerate() {
        let position = i32::try_from(i + 1).map_err(|_| AppError::internal("position overflow"))?;
        let id = draft
            .id
            .clone()
            .unwrap_or_else(|| Uuid::now_v7().to_string());
        insert_row(conn, &id, article_id, kind, position, &draft.fields)?;
    }
    Ok(())
}
