//! Use cases of preview links: creating and revoking them, for whoever may edit the article
//! (the write pipeline's rule: 404 for an article the caller may not see, 403 for one they may
//! not edit), and reading the document a token names. Links change no article: no version
//! bump, no revision, no event; the audit log records them.

use chrono::{DateTime, Duration};
use uuid::Uuid;

use super::Editor;
use crate::articles::document::{self, Viewer};
use crate::articles::domain::ArticleState;
use crate::articles::dto::Article;
use crate::articles::policy::authorize_edit;
use crate::articles::preview::dto::PreviewLink;
use crate::articles::preview::{store as links, token};
use crate::articles::store;
use crate::audit;
use crate::db::{now, AnyConnection};
use crate::error::AppError;
use diesel::Connection;

/// The audit action of a new link.
pub const CREATED: &str = "article.preview_link.create";
/// The audit action of revoking an article's links.
pub const REVOKED: &str = "article.preview_link.revoke";

/// The 404 of every token that does not open a preview, whatever the reason.
fn no_preview() -> AppError {
    AppError::NotFound("no preview with this token; it may have expired or been revoked".into())
}

/// Checks that the editor may edit article `id`.
fn authorize(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
) -> Result<ArticleState, AppError> {
    if Uuid::parse_str(id).is_err() {
        return Err(AppError::article_not_found());
    }
    let state = store::find(conn, id)?
        .ok_or_else(AppError::article_not_found)?
        .state();
    if !editor.may_see(&state) {
        return Err(AppError::article_not_found());
    }
    if let Some(user) = &editor.user {
        authorize_edit(user, &state)?;
    }
    Ok(state)
}

fn entry(editor: &Editor, action: &str, id: &str, detail: serde_json::Value) -> audit::NewEntry {
    audit::NewEntry {
        actor: editor.user.as_ref().map(audit::Actor::from),
        action: action.into(),
        target: Some(audit::Target {
            kind: "article",
            id: id.to_owned(),
        }),
        ip: editor.ip.clone(),
        detail,
    }
}

/// Creates a link to article `id` that works for `ttl_seconds`, signed with `secret`.
pub fn create(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    ttl_seconds: i64,
    secret: &[u8],
) -> Result<PreviewLink, AppError> {
    authorize(conn, editor, id)?;
    let at = now();
    let expires = at.and_utc().timestamp() + ttl_seconds;
    let expires_at = DateTime::from_timestamp(expires, 0)
        .ok_or_else(|| AppError::internal("expiry out of range"))?;
    let link_id = Uuid::now_v7().to_string();
    let token = token::sign(secret, &link_id, id, expires)
        .ok_or_else(|| AppError::internal("the preview key is unusable"))?;
    conn.transaction::<_, AppError, _>(|conn| {
        links::insert(conn, &link_id, id, at, expires_at.naive_utc())?;
        audit::record(
            conn,
            entry(
                editor,
                CREATED,
                id,
                serde_json::json!({"link_id": link_id, "expires_at": expires_at}),
            ),
        )
    })?;
    Ok(PreviewLink {
        url: format!("/api/v1/preview/{token}"),
        token,
        expires_at,
    })
}

/// Revokes every link of article `id`.
pub fn revoke(conn: &mut AnyConnection, editor: &Editor, id: &str) -> Result<(), AppError> {
    authorize(conn, editor, id)?;
    conn.transaction::<_, AppError, _>(|conn| {
        let revoked = links::revoke_all(conn, id, now())?;
        audit::record(
            conn,
            entry(editor, REVOKED, id, serde_json::json!({"revoked": revoked})),
        )
    })
}

/// The current document of the article `token` opens, whatever its status. Related articles
/// are shown as an anonymous reader sees them.
pub fn read(conn: &mut AnyConnection, token: &str, secret: &[u8]) -> Result<Article, AppError> {
    let claimed = token::parse(token).ok_or_else(no_preview)?;
    let (article_id, expires_at) = links::find(conn, &claimed.link_id)?.ok_or_else(no_preview)?;
    let current = now().and_utc();
    let valid = claimed.signed_for(secret, &article_id)
        && claimed.expires == expires_at.and_utc().timestamp()
        && expires_at.and_utc() > current
        && current + Duration::seconds(token::MAX_TTL) >= expires_at.and_utc();
    if !valid {
        return Err(no_preview());
    }
    document::load(
        conn,
        std::slice::from_ref(&article_id),
        Viewer::Reader(None),
    )?
    .pop()
    .ok_or_else(no_preview)
}
