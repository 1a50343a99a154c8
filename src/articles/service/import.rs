//! Importing articles exactly as exported: ids, slugs, statuses, times, versions, the ids of
//! every part, and their revisions. Runs inside the import's one transaction; an article that
//! arrives without revisions gets one (action `import`).

use super::Editor;
use crate::articles::domain::{check_related, ArticleDraft, ReadOnlyEcho};
use crate::articles::revisions::dto::ExportedRevision;
use crate::articles::revisions::models::NewRevision;
use crate::articles::revisions::{self, Action};
use crate::articles::{rendered, search, store};
use crate::audit;
use crate::children::{self, ChildKind};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::events::{self, EventType, Subject};

/// Inserts an article as exported. Related articles are linked afterwards with
/// [`link_related`], once every article of the import exists.
pub fn insert(
    conn: &mut AnyConnection,
    draft: &ArticleDraft,
    echo: &ReadOnlyEcho,
) -> Result<String, AppError> {
    let missing = |field: &str| AppError::field(format!("/{field}"), "is required in an import");
    let id = echo.id.clone().ok_or_else(|| missing("id"))?;
    let author_id = echo.author_id.clone().ok_or_else(|| missing("author_id"))?;
    let created_at = echo.created_at.ok_or_else(|| missing("created_at"))?;
    let updated_at = echo.updated_at.ok_or_else(|| missing("updated_at"))?;
    store::insert(
        conn,
        store::NewArticle {
            id: &id,
            slug: draft.slug.clone().ok_or_else(|| missing("slug"))?,
            status: echo.status.ok_or_else(|| missing("status"))?,
            publish_at: echo.publish_at.map(|t| t.naive_utc()),
            published_at: echo.published_at.map(|t| t.naive_utc()),
            created_at: created_at.naive_utc(),
            updated_at: updated_at.naive_utc(),
            version: echo.version.ok_or_else(|| missing("version"))?,
            author_id: &author_id,
        },
        draft,
    )?;
    store::write_tags(conn, &id, &draft.tags)?;
    for (kind, drafts) in [
        (ChildKind::KeyTakeaway, &draft.key_takeaways),
        (ChildKind::Quote, &draft.quotes),
        (ChildKind::Highlight, &draft.highlights),
        (ChildKind::RiskNote, &draft.risk_notes),
    ] {
        children::repo::store_list(conn, &id, kind, drafts)?;
    }
    super::articles::store_byline(conn, &id, &draft.authors)?;
    crate::articles::slugs::release(conn, draft.slug.as_deref().unwrap_or_default())?;
    search::reindex(conn, &id)?;
    Ok(id)
}

/// Links an imported article to its related articles, in order.
pub fn link_related(
    conn: &mut AnyConnection,
    id: &str,
    related: &[String],
) -> Result<(), AppError> {
    let existing: Vec<String> = store::states_of(conn, related)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    check_related(id, related, &[], &existing)?;
    store::write_related(conn, id, related)?;
    Ok(())
}

/// Stores the exported revisions of article `id`, or, when there are none, records one of
/// its imported state; either way the audit log notes the import.
pub fn record_history(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    exported: &[ExportedRevision],
) -> Result<(), AppError> {
    let row = store::find(conn, id)?.ok_or_else(AppError::article_not_found)?;
    let state = row.state();
    let doc = rendered::refresh(conn, vec![row])?
        .pop()
        .ok_or_else(AppError::article_not_found)?;
    if exported.is_empty() {
        revisions::record(conn, &doc, Action::Import, editor.user.as_ref(), 0)?;
    }
    events::record(
        conn,
        EventType::Created,
        Subject {
            id: &state.id,
            slug: &state.slug,
            version: state.version,
            status: state.status,
        },
        None,
    )?;
    for r in exported {
        let changed =
            serde_json::to_string(&r.changed).map_err(|e| AppError::internal(e.to_string()))?;
        revisions::store::insert(
            conn,
            &NewRevision {
                article_id: id,
                version: r.version,
                action: Action::parse(&r.action).map_or(Action::Import.as_str(), Action::as_str),
                actor_id: r.actor.as_ref().map(|a| a.id.as_str()),
                actor_name: r.actor.as_ref().map(|a| a.name.as_str()),
                at: r.at.naive_utc(),
                changed: &changed,
                document: &r.document.to_string(),
            },
        )?;
    }
    audit::record(
        conn,
        audit::NewEntry {
            actor: editor.user.as_ref().map(audit::Actor::from),
            action: "article.import".into(),
            target: Some(audit::Target {
                kind: "article",
                id: id.to_owned(),
            }),
            ip: None,
            detail: serde_json::json!({"revisions": exported.len().max(1)}),
        },
    )
}
