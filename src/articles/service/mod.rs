//! The article write pipeline: the one owner of every change to an article or its parts.
//!
//! Every write — create, replace, patch, delete, the workflow actions, the scheduler's
//! publication, restore, import and every child write — runs through [`edit`] (or, for the
//! two that have no stored article to lock yet or any more, [`create`] and [`delete`]), which
//! in one transaction:
//! 1. takes the article's write lock by bumping its version, honouring `If-Match` (412);
//! 2. checks visibility (404) and authorizes the caller with domain values (403);
//! 3. applies the change (load → decide → write), or rolls back when it changes nothing;
//! 4. records what every change records: the revision, the audit entry, and the event (the
//!    outbox row behind the change feed and webhooks, with its queued deliveries).
//!
//! Use cases live beside this file: `articles` (the document), `children` (its parts),
//! `workflow`, `import`. Handlers make one call into them.

pub mod articles;
pub mod children;
pub mod import;
pub mod preview;
pub mod workflow;

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::Connection;
use futures_util::future::LocalBoxFuture;

use super::cache;
use super::document::{self, Viewer};
use super::domain::{ArticleState, Precondition};
use super::dto::Article;
use super::dto::ArticleStatus;
use super::models::ArticleRow;
use super::policy::{authorize_edit, authorize_workflow, can_see};
use super::rendered;
use super::revisions::{self, Action};
use super::slugs;
use super::store::{self, Locked};
use crate::audit;
use crate::auth::AuthUser;
use crate::db::{now, AnyConnection};
use crate::error::AppError;
use crate::events::{self, EventType, Subject};
use crate::state::AppState;

/// Who is changing articles, from where, and the settings every change needs.
#[derive(Debug, Clone)]
pub struct Editor {
    /// The signed-in user; `None` for the service itself (the scheduler).
    pub user: Option<AuthUser>,
    /// The client's address, for the audit log.
    pub ip: Option<String>,
    /// How many newest revisions to keep per article; 0 keeps all.
    pub keep_revisions: i64,
}

impl Editor {
    /// The service acting on its own, as the scheduler does.
    pub fn system(keep_revisions: i64) -> Self {
        Self {
            user: None,
            ip: None,
            keep_revisions,
        }
    }

    /// A signed-in user acting outside any request, as the CLI does.
    pub fn user(user: AuthUser, keep_revisions: i64) -> Self {
        Self {
            user: Some(user),
            ip: None,
            keep_revisions,
        }
    }

    fn may_see(&self, state: &ArticleState) -> bool {
        match &self.user {
            None => true,
            Some(u) => can_see(Some(u), state.status, &state.author_id),
        }
    }

    /// The document as this editor may read it: staff see every related article, authors
    /// only those visible to them.
    pub fn view(&self, conn: &mut AnyConnection, doc: Article) -> Result<Article, AppError> {
        match &self.user {
            Some(u) if !u.role.edits_all_content() => {
                Ok(
                    document::load(conn, std::slice::from_ref(&doc.id), Viewer::Reader(Some(u)))?
                        .pop()
                        .unwrap_or(doc),
                )
            }
            _ => Ok(doc),
        }
    }
}

/// Adding `Editor` to a handler's parameters makes the route need a signed-in user.
impl FromRequest for Editor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        let ip = audit::ClientIp::from_request(req, payload)
            .into_inner()
            .ok()
            .and_then(|ip| ip.0);
        let keep = req
            .app_data::<web::Data<AppState>>()
            .map_or(0, |s| s.config.revisions_keep);
        Box::pin(async move {
            Ok(Self {
                user: Some(user.await?),
                ip,
                keep_revisions: keep,
            })
        })
    }
}

/// Which rule a change is authorized by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Editing content: editors and admins any article, authors their own unpublished ones.
    Edit,
    /// Moving through the workflow: editors and admins.
    Workflow,
}

/// Why a change was rolled back.
pub enum Abort {
    /// The request would change nothing; the version must not grow.
    Unchanged,
    /// A real failure.
    Failed(AppError),
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

/// The result of a change: what the change produced (`None` when it changed nothing) and the
/// article as it stands now, as staff see it.
pub struct Edited<T> {
    pub value: Option<T>,
    pub article: Article,
}

/// The article a change starts from: its state before the change (the rules read it as if
/// through `Deref`), and its stored row, locked, with the version the change will produce.
pub struct Current {
    pub state: ArticleState,
    pub row: ArticleRow,
}

impl Deref for Current {
    type Target = ArticleState;

    fn deref(&self) -> &ArticleState {
        &self.state
    }
}

/// Locks, checks and authorizes a change of article `id`.
fn begin(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
    rule: Rule,
) -> Result<Current, AppError> {
    let current = match store::lock(conn, id, pre)? {
        Locked::Ready(row) => {
            let mut state = row.state();
            state.version -= 1;
            Current { state, row: *row }
        }
        Locked::Stale(s) if editor.may_see(&s) => return Err(AppError::PreconditionFailed),
        Locked::Stale(_) | Locked::Missing => return Err(AppError::article_not_found()),
    };
    if !editor.may_see(&current) {
        return Err(AppError::article_not_found());
    }
    if let Some(user) = &editor.user {
        match rule {
            Rule::Edit => authorize_edit(user, &current)?,
            Rule::Workflow => authorize_workflow(user)?,
        }
    }
    Ok(current)
}

/// Records what every change records — the revision, the audit entry and the event — and
/// answers the article as it now stands. `was` is its status before the change, `None` for a
/// new article.
fn finish(
    conn: &mut AnyConnection,
    editor: &Editor,
    row: ArticleRow,
    action: Action,
    was: Option<ArticleStatus>,
) -> Result<Article, AppError> {
    let doc = rendered::refresh(conn, vec![row])?
        .pop()
        .ok_or(diesel::result::Error::NotFound)?;
    events::record(
        conn,
        EventType::of_action(action),
        Subject {
            id: &doc.id,
            slug: &doc.slug,
            version: doc.version,
            status: doc.status,
        },
        was,
    )?;
    let changed = revisions::record(
        conn,
        &doc,
        action,
        editor.user.as_ref(),
        editor.keep_revisions,
    )?;
    audit::record(
        conn,
        audit::NewEntry {
            actor: editor.user.as_ref().map(audit::Actor::from),
            action: format!("article.{}", action.as_str()),
            target: Some(audit::Target {
                kind: "article",
                id: doc.id.clone(),
            }),
            ip: editor.ip.clone(),
            detail: serde_json::json!({"version": doc.version, "slug": doc.slug, "changed": changed}),
        },
    )?;
    Ok(doc)
}

/// Changes article `id` in one transaction: lock and precondition, visibility and rule,
/// `apply`, then the revision and audit entry of `action`. When `apply` answers
/// [`Abort::Unchanged`] the transaction is rolled back and the version stays.
pub fn edit<T>(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
    (action, rule): (Action, Rule),
    apply: impl FnOnce(&mut AnyConnection, &Current) -> Result<T, Abort>,
) -> Result<Edited<T>, AppError> {
    let done = conn.transaction::<_, Abort, _>(|conn| {
        let current = begin(conn, editor, id, pre, rule)?;
        let value = apply(conn, &current)?;
        let row = store::touch(conn, id, now())?;
        if row.slug != current.slug {
            // The old slug of an article readers may have linked to keeps working.
            slugs::release(conn, &row.slug)?;
            if current.published_at.is_some() {
                slugs::retire(conn, &current.slug, id, row.updated_at)?;
            }
        }
        let article = finish(conn, editor, row, action, Some(current.status))?;
        Ok((value, article))
    });
    match done {
        Ok((value, article)) => {
            committed();
            Ok(Edited {
                value: Some(value),
                article,
            })
        }
        Err(Abort::Unchanged) => Ok(Edited {
            value: None,
            article: document::load_one(conn, id)?.ok_or_else(AppError::article_not_found)?,
        }),
        Err(Abort::Failed(e)) => Err(e),
    }
}

/// Creates an article in one transaction: `insert` stores it (its first statement must be a
/// write, so the transaction holds the write lock from the start), then the revision and audit
/// entry of `action` are recorded.
pub fn create(
    conn: &mut AnyConnection,
    editor: &Editor,
    action: Action,
    insert: impl FnOnce(&mut AnyConnection) -> Result<String, AppError>,
) -> Result<Article, AppError> {
    let article = conn.transaction::<_, AppError, _>(|conn| {
        let id = insert(conn)?;
        let row = store::find(conn, &id)?.ok_or_else(AppError::article_not_found)?;
        slugs::release(conn, &row.slug)?;
        finish(conn, editor, row, action, None)
    })?;
    committed();
    Ok(article)
}

/// Deletes article `id` with everything that hangs off it, in one transaction; the audit log
/// keeps the deletion.
pub fn delete(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
) -> Result<(), AppError> {
    conn.transaction::<_, AppError, _>(|conn| {
        let before = begin(conn, editor, id, pre, Rule::Edit)?;
        let referrers = rendered::referrers(conn, &[id.to_owned()])?;
        store::delete(conn, id)?;
        rendered::refresh_ids(conn, &referrers)?;
        rendered::announce(conn)?;
        audit::record(
            conn,
            audit::NewEntry {
                actor: editor.user.as_ref().map(audit::Actor::from),
                action: "article.delete".into(),
                target: Some(audit::Target {
                    kind: "article",
                    id: before.id.clone(),
                }),
                ip: editor.ip.clone(),
                detail: serde_json::json!({"version": before.version + 1, "slug": before.slug}),
            },
        )?;
        events::record(
            conn,
            EventType::Deleted,
            Subject {
                id: &before.id,
                slug: &before.slug,
                version: before.version + 1,
                status: before.status,
            },
            Some(before.status),
        )
    })?;
    committed();
    Ok(())
}

/// What follows every committed change: cached documents are stale, and webhook deliveries
/// wait.
pub fn committed() {
    cache::invalidate();
    crate::webhooks::dispatcher::wake();
}
