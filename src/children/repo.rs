//! Storage of children, shared by all four kinds: plain queries, no rules.
//!
//! Positions are 1-based and contiguous per (article, kind). Every writing function here runs
//! inside the article write pipeline's transaction, whose first statement bumped the article's
//! version; that serialises writers per article on both backends, so the shifts below never
//! interleave. Which positions are allowed is decided in `ordering`, before these run.

use diesel::prelude::*;
use diesel::QueryResult;

use super::models::{ChildChanges, ChildRow};
use super::{Child, ChildDraft, ChildFields, ChildKind};
use crate::db::schema::article_children as ac;
use crate::db::AnyConnection;

fn children(rows: Vec<ChildRow>) -> Vec<Child> {
    rows.into_iter().filter_map(ChildRow::into_child).collect()
}

/// The children of one kind, in position order.
pub fn list(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
) -> QueryResult<Vec<Child>> {
    ac::table
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .order(ac::position.asc())
        .load(conn)
        .map(children)
}

/// Every child of one article, ordered by kind and position.
pub fn list_all(conn: &mut AnyConnection, article_id: &str) -> QueryResult<Vec<Child>> {
    ac::table
        .filter(ac::article_id.eq(article_id))
        .order((ac::kind.asc(), ac::position.asc()))
        .load(conn)
        .map(children)
}

/// The children of many articles in one query, ordered by article, kind and position.
pub fn list_for(conn: &mut AnyConnection, article_ids: &[String]) -> QueryResult<Vec<Child>> {
    ac::table
        .filter(ac::article_id.eq_any(article_ids))
        .order((ac::article_id.asc(), ac::kind.asc(), ac::position.asc()))
        .load(conn)
        .map(children)
}

/// One child, if it belongs to this article and kind.
pub fn find(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    child_id: &str,
) -> QueryResult<Option<Child>> {
    ac::table
        .filter(ac::id.eq(child_id))
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .first::<ChildRow>(conn)
        .optional()
        .map(|row| row.and_then(ChildRow::into_child))
}

/// How many children of one kind an article has.
pub fn count(conn: &mut AnyConnection, article_id: &str, kind: ChildKind) -> QueryResult<i64> {
    ac::table
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)
}

/// Moves the children at positions `from..=to` by `by`.
pub fn shift(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    from: i32,
    to: i32,
    by: i32,
) -> QueryResult<()> {
    diesel::update(
        ac::table
            .filter(ac::article_id.eq(article_id))
            .filter(ac::kind.eq(kind.as_str()))
            .filter(ac::position.ge(from))
            .filter(ac::position.le(to)),
    )
    .set(ac::position.eq(ac::position + by))
    .execute(conn)
    .map(drop)
}

/// Stores a new child at `position` (the caller made room for it).
pub fn insert(
    conn: &mut AnyConnection,
    id: &str,
    article_id: &str,
    kind: ChildKind,
    position: i32,
    fields: &ChildFields,
) -> QueryResult<()> {
    diesel::insert_into(ac::table)
        .values((
            ac::id.eq(id),
            ac::article_id.eq(article_id),
            ac::kind.eq(kind.as_str()),
            ac::position.eq(position),
            ChildChanges::from(fields),
        ))
        .execute(conn)
        .map(drop)
}

/// Rewrites a child's content and position.
pub fn update(
    conn: &mut AnyConnection,
    child_id: &str,
    position: i32,
    fields: &ChildFields,
) -> QueryResult<()> {
    diesel::update(ac::table.filter(ac::id.eq(child_id)))
        .set((ChildChanges::from(fields), ac::position.eq(position)))
        .execute(conn)
        .map(drop)
}

/// Deletes one child (the caller closes the gap with `shift`).
pub fn delete(conn: &mut AnyConnection, child_id: &str) -> QueryResult<()> {
    diesel::delete(ac::table.filter(ac::id.eq(child_id)))
        .execute(conn)
        .map(drop)
}

/// Makes the list of one kind exactly `drafts`, in order: drafts with an id that is stored are
/// updated in place, stored children missing from `drafts` are deleted, and the rest inserted
/// (with their own id when they carry one, as in a restore or an import).
pub fn store_list(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
    drafts: &[ChildDraft],
) -> QueryResult<()> {
    let existing: Vec<String> = ac::table
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .select(ac::id)
        .load(conn)?;
    let gone: Vec<&String> = existing
        .iter()
        .filter(|id| !drafts.iter().any(|d| d.id.as_ref() == Some(*id)))
        .collect();
    if !gone.is_empty() {
        diesel::delete(ac::table.filter(ac::id.eq_any(gone))).execute(conn)?;
    }
    for (i, draft) in drafts.iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        match &draft.id {
            Some(id) if existing.contains(id) => update(conn, id, position, &draft.fields)?,
            Some(id) => insert(conn, id, article_id, kind, position, &draft.fields)?,
            None => insert(
                conn,
                &uuid::Uuid::now_v7().to_string(),
                article_id,
                kind,
                position,
                &draft.fields,
            )?,
        }
    }
    Ok(())
}

/// The ids of an article's stored children of one kind, in order.
pub fn ids(
    conn: &mut AnyConnection,
    article_id: &str,
    kind: ChildKind,
) -> QueryResult<Vec<String>> {
    ac::table
        .filter(ac::article_id.eq(article_id))
        .filter(ac::kind.eq(kind.as_str()))
        .order(ac::position.asc())
        .select(ac::id)
        .load(conn)
}
