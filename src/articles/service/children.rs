//! Use cases of an article's parts — append or insert, change or move, delete, replace a
//! whole list — written once for the four kinds and run through the write pipeline, so each
//! bumps the article's version and records a revision like any other change.

use serde_json::{Map, Value};

use super::{edit, Abort, Editor, Rule};
use crate::articles::domain::Precondition;
use crate::articles::revisions::Action;
use crate::articles::search;
use crate::children::{self, ordering, Child, ChildDraft, ChildFields, ChildKind, ChildSpec};
use crate::db::AnyConnection;
use crate::error::{AppError, FieldErrors};
use crate::validate::from_value;

/// A child written, with the article version the write produced.
pub struct ChildWrite<T> {
    pub value: T,
    pub article_id: String,
    pub version: i64,
}

fn not_found(kind: ChildKind) -> AppError {
    AppError::NotFound(format!("no {} with this id in this article", kind.noun()))
}

fn reindex_if_searched(
    conn: &mut AnyConnection,
    id: &str,
    kind: ChildKind,
) -> Result<(), AppError> {
    if kind == ChildKind::Quote {
        search::reindex(conn, id)?;
    }
    Ok(())
}

/// Checks the body of a new child: no id, valid fields; answers its fields and position.
pub fn parse_new<C: ChildSpec>(input: &C::Input) -> Result<(ChildFields, Option<i64>), AppError> {
    let mut errs = FieldErrors::default();
    let (id, position) = C::id_and_position(input);
    if id.is_some() {
        errs.push("/id", "is assigned by the server; omit it");
    }
    let fields = C::fields(input, "", &mut errs);
    errs.finish((fields, position))
}

/// Appends a child, or inserts it at `position`, shifting the ones after it.
pub fn append<C: ChildSpec>(
    conn: &mut AnyConnection,
    editor: &Editor,
    article_id: &str,
    pre: Precondition,
    (fields, position): (ChildFields, Option<i64>),
) -> Result<ChildWrite<Child>, AppError> {
    let done = edit(
        conn,
        editor,
        article_id,
        pre,
        (Action::Update, Rule::Edit),
        |conn, before| {
            let id = &before.id;
            let count = children::repo::count(conn, id, C::KIND)?;
            let at = ordering::insert_position(C::KIND, count, position)?;
            children::repo::shift(conn, id, C::KIND, at, i32::MAX, 1)?;
            let child_id = uuid::Uuid::now_v7().to_string();
            children::repo::insert(conn, &child_id, id, C::KIND, at, &fields)?;
            reindex_if_searched(conn, id, C::KIND)?;
            Ok(children::repo::find(conn, id, C::KIND, &child_id)?
                .ok_or_else(|| not_found(C::KIND))?)
        },
    )?;
    let value = done
        .value
        .ok_or_else(|| AppError::internal("an insert cannot be a no-op"))?;
    Ok(ChildWrite {
        value,
        article_id: done.article.id,
        version: done.article.version,
    })
}

/// Changes a child with a JSON merge patch (RFC 7396); a `position` moves it.
pub fn update<C: ChildSpec>(
    conn: &mut AnyConnection,
    editor: &Editor,
    (article_id, child_id): (&str, &str),
    pre: Precondition,
    patch: Map<String, Value>,
) -> Result<ChildWrite<Child>, AppError> {
    let done = edit(
        conn,
        editor,
        article_id,
        pre,
        (Action::Update, Rule::Edit),
        |conn, before| {
            let id = &before.id;
            let current = children::repo::find(conn, id, C::KIND, child_id)?
                .ok_or_else(|| not_found(C::KIND))?;
            let mut merged = serde_json::to_value(C::input_of(&current))
                .map_err(|e| AppError::internal(e.to_string()))?;
            json_patch::merge(&mut merged, &Value::Object(patch));
            let input: C::Input = from_value(merged)?;
            let (echoed_id, position) = C::id_and_position(&input);
            let mut errs = FieldErrors::default();
            if echoed_id.is_some_and(|echoed| echoed != current.id) {
                errs.push("/id", "is read-only");
            }
            let fields = C::fields(&input, "", &mut errs);
            errs.finish(())?;
            let target = match position {
                Some(p) => ordering::move_position(children::repo::count(conn, id, C::KIND)?, p)?,
                None => current.position,
            };
            if target == current.position && fields == current.fields {
                return Err(Abort::Unchanged);
            }
            if target > current.position {
                children::repo::shift(conn, id, C::KIND, current.position + 1, target, -1)?;
            } else if target < current.position {
                children::repo::shift(conn, id, C::KIND, target, current.position - 1, 1)?;
            }
            children::repo::update(conn, &current.id, target, &fields)?;
            reindex_if_searched(conn, id, C::KIND)?;
            Ok(children::repo::find(conn, id, C::KIND, child_id)?
                .ok_or_else(|| not_found(C::KIND))?)
        },
    )?;
    let value = match done.value {
        Some(child) => child,
        None => children::repo::find(conn, &done.article.id, C::KIND, child_id)?
            .ok_or_else(|| not_found(C::KIND))?,
    };
    Ok(ChildWrite {
        value,
        article_id: done.article.id,
        version: done.article.version,
    })
}

/// Deletes a child and closes the gap it leaves.
pub fn delete<C: ChildSpec>(
    conn: &mut AnyConnection,
    editor: &Editor,
    (article_id, child_id): (&str, &str),
    pre: Precondition,
) -> Result<ChildWrite<()>, AppError> {
    let done = edit(
        conn,
        editor,
        article_id,
        pre,
        (Action::Update, Rule::Edit),
        |conn, before| {
            let id = &before.id;
            let current = children::repo::find(conn, id, C::KIND, child_id)?
                .ok_or_else(|| not_found(C::KIND))?;
            children::repo::delete(conn, &current.id)?;
            children::repo::shift(conn, id, C::KIND, current.position + 1, i32::MAX, -1)?;
            reindex_if_searched(conn, id, C::KIND)?;
            Ok(())
        },
    )?;
    Ok(ChildWrite {
        value: (),
        article_id: done.article.id,
        version: done.article.version,
    })
}

/// Replaces the whole list of one kind with `drafts`, in order: echoed ids keep their child,
/// missing ones are deleted, new ones inserted.
pub fn replace<C: ChildSpec>(
    conn: &mut AnyConnection,
    editor: &Editor,
    article_id: &str,
    pre: Precondition,
    drafts: Vec<ChildDraft>,
) -> Result<ChildWrite<Vec<Child>>, AppError> {
    let done = edit(
        conn,
        editor,
        article_id,
        pre,
        (Action::Update, Rule::Edit),
        |conn, before| {
            let id = &before.id;
            let stored: Vec<ChildDraft> = children::repo::list(conn, id, C::KIND)?
                .iter()
                .map(Child::to_draft)
                .collect();
            if stored == drafts {
                return Err(Abort::Unchanged);
            }
            let stored_ids: Vec<String> = stored.into_iter().filter_map(|d| d.id).collect();
            let mut errs = FieldErrors::default();
            ordering::check_known_ids(C::KIND, &drafts, &stored_ids, "", &mut errs);
            errs.finish(())?;
            children::repo::store_list(conn, id, C::KIND, &drafts)?;
            reindex_if_searched(conn, id, C::KIND)?;
            Ok(())
        },
    )?;
    let value = children::repo::list(conn, &done.article.id, C::KIND)?;
    Ok(ChildWrite {
        value,
        article_id: done.article.id,
        version: done.article.version,
    })
}
