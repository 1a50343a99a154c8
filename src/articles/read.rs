//! The read path of one article: the stored document the caller may see under an id or slug,
//! or where an old slug moved. Shared by plain reads and reads with `formats`.

use super::cache::Cached;
use super::document;
use super::policy::can_see;
use super::rendered;
use crate::auth::AuthUser;
use crate::db::AnyConnection;
use crate::extract::article_etag;

/// What a key names for a viewer.
pub enum Found {
    /// The document, ready to send.
    Document(Cached),
    /// Nothing now, but the key is an old slug of an article the viewer may see, whose slug
    /// is now this one.
    Moved(String),
    /// Nothing the viewer may see.
    Nothing,
}

/// The document the viewer may see under `key`, or where it moved.
pub fn find(
    conn: &mut AnyConnection,
    key: &str,
    viewer: Option<&AuthUser>,
) -> diesel::QueryResult<Found> {
    if let Some(document) = read(conn, key, viewer)? {
        return Ok(Found::Document(document));
    }
    Ok(match super::slugs::moved_to(conn, key, viewer)? {
        Some(slug) => Found::Moved(slug),
        None => Found::Nothing,
    })
}

/// The document the viewer may see under `key`: the stored one, in one query, or — for an
/// author whose article lists related articles they may not see, or a document not yet
/// rendered in the current format — assembled from the rows.
pub fn read(
    conn: &mut AnyConnection,
    key: &str,
    viewer: Option<&AuthUser>,
) -> diesel::QueryResult<Option<Cached>> {
    if let Some(stored) = rendered::find(conn, key)? {
        let status = stored.status();
        if !can_see(viewer, status, &stored.author_id) {
            return Ok(None);
        }
        let exact = match viewer {
            None => true,
            Some(user) => user.role.edits_all_content() || stored.public.is_none(),
        };
        if exact {
            let etag = article_etag(&stored.id, stored.version);
            let modified = std::time::SystemTime::from(stored.updated_at.and_utc());
            let body = match viewer {
                None => stored.public_document(),
                Some(_) => stored.staff,
            };
            return Ok(Some(Cached::new(body.into(), etag, modified, 0)));
        }
    }
    let Some(article) = document::find(conn, key, viewer)? else {
        return Ok(None);
    };
    let body = serde_json::to_vec(&article)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    Ok(Some(Cached::new(
        body.into(),
        article_etag(&article.id, article.version),
        std::time::SystemTime::from(article.updated_at),
        0,
    )))
}
