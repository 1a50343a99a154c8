//! Use cases of the workflow: the actions editors take, and the scheduler's publication.

use super::{edit, Abort, Edited, Editor, Rule};
use crate::articles::domain::{decide_transition, Precondition, Transition};
use crate::articles::dto::Article;
use crate::articles::revisions::Action;
use crate::articles::store;
use crate::db::{now, AnyConnection};
use crate::error::AppError;

fn action_of(t: Transition) -> Action {
    match t {
        Transition::Publish | Transition::PublishDue => Action::Publish,
        Transition::Unpublish => Action::Unpublish,
        Transition::Archive => Action::Archive,
        Transition::Schedule(_) => Action::Schedule,
    }
}

/// Moves an article through the workflow.
pub fn transition(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
    action: Transition,
) -> Result<Article, AppError> {
    let done = edit(
        conn,
        editor,
        id,
        pre,
        (action_of(action), Rule::Workflow),
        |conn, before| {
            let change = decide_transition(before, action, now())?.ok_or(Abort::Unchanged)?;
            store::write_workflow(conn, id, &change)?;
            Ok(())
        },
    )?;
    editor.view(conn, done.article)
}

/// Publishes every scheduled article whose time has come, each in its own transaction with
/// its revision. With several processes on one PostgreSQL database, the second to lock an
/// article finds it published already and changes nothing, so each is published once.
pub fn publish_due(conn: &mut AnyConnection, keep_revisions: i64) -> Result<usize, AppError> {
    let system = Editor::system(keep_revisions);
    let mut published = 0;
    for id in store::due(conn, now())? {
        let done: Edited<()> = edit(
            conn,
            &system,
            &id,
            Precondition::None,
            (Action::Publish, Rule::Workflow),
            |conn, before| {
                let change = decide_transition(before, Transition::PublishDue, now())?
                    .ok_or(Abort::Unchanged)?;
                store::write_workflow(conn, &before.id, &change)?;
                Ok(())
            },
        )?;
        published += usize::from(done.value.is_some());
    }
    Ok(published)
}
