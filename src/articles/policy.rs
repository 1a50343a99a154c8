//! Who may see and change which article. The one place these rules live.

use super::dto::ArticleStatus;
use super::models::ArticleRow;
use crate::auth::AuthUser;
use crate::error::AppError;

/// Whether `viewer` (anonymous when `None`) may see the article at all.
pub fn can_see(viewer: Option<&AuthUser>, row: &ArticleRow) -> bool {
    if row.status == ArticleStatus::Published.as_str() {
        return true;
    }
    viewer.is_some_and(|u| u.role.edits_all_content() || u.id == row.author_id)
}

/// Editors and admins change any article; authors only their own while it is not published.
pub fn authorize_edit(user: &AuthUser, row: &ArticleRow) -> Result<(), AppError> {
    if user.role.edits_all_content() {
        return Ok(());
    }
    if user.id != row.author_id {
        return Err(AppError::Forbidden(
            "authors may change only their own articles".into(),
        ));
    }
    if row.status == ArticleStatus::Published.as_str()
        || row.status == ArticleStatus::Scheduled.as_str()
    {
        return Err(AppError::Forbidden(
            "authors may not change a published or scheduled article; ask an editor to unpublish it".into(),
        ));
    }
    Ok(())
}

/// Publishing, unpublishing and archiving are for editors and admins.
pub fn authorize_workflow(user: &AuthUser) -> Result<(), AppError> {
    if user.role.edits_all_content() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only editors and admins may publish, unpublish or archive".into(),
        ))
    }
}
