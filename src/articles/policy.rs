//! Who may see and change which article, over domain values. The SQL form of `can_see` for
//! lists is in `list::query`, written from the same rule.

use super::domain::ArticleState;
use super::dto::ArticleStatus;
use crate::auth::AuthUser;
use crate::error::AppError;

/// Whether `viewer` (anonymous when `None`) may see an article with this status and author.
pub fn can_see(viewer: Option<&AuthUser>, status: ArticleStatus, author_id: &str) -> bool {
    status == ArticleStatus::Published
        || viewer.is_some_and(|u| u.role.edits_all_content() || u.id == author_id)
}

/// Editors and admins change any article; authors only their own while it is not published.
pub fn authorize_edit(user: &AuthUser, article: &ArticleState) -> Result<(), AppError> {
    if user.role.edits_all_content() {
        return Ok(());
    }
    if user.id != article.author_id {
        return Err(AppError::Forbidden(
            "authors may change only their own articles".into(),
        ));
    }
    if matches!(
        article.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    ) {
        return Err(AppError::Forbidden(
            "authors may not change a published or scheduled article; ask an editor to unpublish it".into(),
        ));
    }
    Ok(())
}

/// Publishing, unpublishing, scheduling and archiving are for editors and admins.
pub fn authorize_workflow(user: &AuthUser) -> Result<(), AppError> {
    if user.role.edits_all_content() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only editors and admins may publish, unpublish or archive".into(),
        ))
    }
}
