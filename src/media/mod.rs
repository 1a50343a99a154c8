//! Media: images uploaded by signed-in users, described (alt text, caption, credit) and served
//! to readers from `/media/{sha256}.{ext}`, with narrower renditions on request.
//!
//! The bytes are content-addressed: kept once per SHA-256 digest in the media store (a
//! directory or S3-compatible object storage, see [`storage`]), however many media share them.
//! Each upload is its own medium (its own id and texts). The file is written before the row is
//! committed, so a row never points at nothing; a failed insert can leave a file no row names,
//! which is harmless and is written again by the next upload of the same bytes. Deleting the
//! last medium with a digest removes its file and renditions after the commit, best effort.
//!
//! Rights: every signed-in user may upload and read the library; editors and admins may change
//! or delete any medium, authors only those they uploaded.

pub mod config;
pub mod dto;
pub mod handlers;
pub mod image;
pub mod serve;
pub mod storage;
pub mod store;
mod upload;

use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use diesel::Connection;
use serde_json::json;
use sha2::{Digest, Sha256};

use self::image::{Format, Measured, Refusal};
use self::store::{MediumChanges, MediumRow};
use crate::audit::{self, action, Origin, Target};
use crate::auth::AuthUser;
use crate::db::{now, AnyConnection};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::domain::Role;

/// The path uploads are POSTed to.
pub const UPLOAD_PATH: &str = "/api/v1/media";

/// Seconds a client is told to wait when the media store cannot be reached.
const STORE_RETRY_AFTER: u64 = 5;

/// Whether `req` is an upload, which gets `BYLINE_MEDIA_UPLOAD_TIMEOUT` rather than the
/// ordinary request deadline.
pub fn is_upload(req: &ServiceRequest) -> bool {
    req.method() == Method::POST && req.path().trim_end_matches('/') == UPLOAD_PATH
}

/// The 503 for a media store that failed; the cause is logged.
fn store_unavailable(e: &storage::StorageError) -> AppError {
    tracing::warn!(error = %e, "media store unavailable");
    AppError::Overloaded {
        detail: "the media store is unavailable; retry later".into(),
        retry_after: STORE_RETRY_AFTER,
    }
}

/// An upload as received: the file's bytes and the optional texts, already checked.
#[derive(Debug)]
pub struct Upload {
    pub file: Bytes,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// Recognises and measures the file (on the blocking pool), writes it to the store unless its
/// bytes are there already, then records the medium and `media.create` in one transaction.
pub async fn create(
    state: &AppState,
    user: &AuthUser,
    origin: Origin,
    upload: Upload,
) -> Result<MediumRow, AppError> {
    let file = upload.file.clone();
    let (sha256, measured) = actix_web::web::block(move || {
        let sha256 = hex::encode(Sha256::digest(&file));
        measure(&file).map(|m| (sha256, m))
    })
    .await
    .map_err(|_| AppError::internal("blocking task was cancelled"))??;
    let key = storage::original_key(&sha256, measured.format);
    let stored = state
        .media
        .exists(&key)
        .await
        .map_err(|e| store_unavailable(&e))?;
    if !stored {
        state
            .media
            .put(&key, upload.file.clone())
            .await
            .map_err(|e| store_unavailable(&e))?;
    }
    let at = now();
    let row = MediumRow {
        id: uuid::Uuid::now_v7().to_string(),
        sha256,
        mime: measured.format.mime().to_owned(),
        bytes: i64::try_from(upload.file.len()).unwrap_or(i64::MAX),
        width: i32::try_from(measured.width).unwrap_or(i32::MAX),
        height: i32::try_from(measured.height).unwrap_or(i32::MAX),
        alt: upload.alt,
        caption: upload.caption,
        credit: upload.credit,
        uploaded_by: Some(user.id.clone()),
        created_at: at,
        updated_at: at,
    };
    state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                store::insert(conn, &row)?;
                audit::record(
                    conn,
                    origin.entry(
                        action::MEDIA_CREATE,
                        Some(Target::medium(&row.id)),
                        json!({"sha256": row.sha256, "mime": row.mime, "bytes": row.bytes,
                               "width": row.width, "height": row.height}),
                    ),
                )?;
                Ok(row)
            })
        })
        .await
}

fn measure(file: &[u8]) -> Result<Measured, AppError> {
    image::measure(file).map_err(|refusal| match refusal {
        Refusal::Unsupported => AppError::UnsupportedMediaType(
            "the file is not a JPEG, PNG, WebP, GIF or AVIF image".into(),
        ),
        Refusal::Unreadable(why) => AppError::UnsupportedMediaType(format!(
            "the file looks like an image but cannot be read: {why}"
        )),
        Refusal::TooManyPixels { width, height } => AppError::field(
            "/file",
            format!(
                "the image is {width}×{height} pixels; at most {} pixels a side and {} megapixels are accepted",
                image::MAX_SIDE,
                image::MAX_PIXELS / 1_000_000
            ),
        ),
    })
}

/// Whether `user` may change or delete `row`: editors and admins any medium, authors their own.
fn may_change(user: &AuthUser, row: &MediumRow) -> bool {
    match user.role {
        Role::Admin | Role::Editor => true,
        Role::Author => row.uploaded_by.as_deref() == Some(user.id.as_str()),
    }
}

fn forbidden() -> AppError {
    AppError::Forbidden("authors may change and delete only the media they uploaded".into())
}

/// Changes a medium's texts and records `media.update`; `None` when there is no such medium.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: MediumChanges,
    user: &AuthUser,
    origin: &Origin,
) -> Result<Option<MediumRow>, AppError> {
    conn.transaction(|conn| {
        store::lock(conn, id)?;
        let Some(row) = store::find(conn, id)? else {
            return Ok(None);
        };
        if !may_change(user, &row) {
            return Err(forbidden());
        }
        let changed: Vec<&str> = [
            ("alt", changes.alt.is_some()),
            ("caption", changes.caption.is_some()),
            ("credit", changes.credit.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect();
        store::update(
            conn,
            id,
            &MediumChanges {
                updated_at: Some(now()),
                ..changes
            },
        )?;
        audit::record(
            conn,
            origin.entry(
                action::MEDIA_UPDATE,
                Some(Target::medium(id)),
                json!({ "changed": changed }),
            ),
        )?;
        Ok(store::find(conn, id)?)
    })
}

/// A deleted medium's file, and whether another medium still has the same bytes.
#[derive(Debug)]
pub struct Deleted {
    pub sha256: String,
    pub mime: String,
    pub file_shared: bool,
}

/// Deletes a medium not in use and records `media.delete`; `None` when there is no such
/// medium, 409 while something refers to it.
pub fn delete(
    conn: &mut AnyConnection,
    id: &str,
    user: &AuthUser,
    origin: &Origin,
) -> Result<Option<Deleted>, AppError> {
    conn.transaction(|conn| {
        store::lock(conn, id)?;
        let Some(row) = store::find(conn, id)? else {
            return Ok(None);
        };
        if !may_change(user, &row) {
            return Err(forbidden());
        }
        if store::in_use(conn, id)? {
            return Err(AppError::Conflict(
                "the medium is in use (a featured image or an avatar); remove it there first"
                    .into(),
            ));
        }
        store::delete(conn, id)?;
        audit::record(
            conn,
            origin.entry(
                action::MEDIA_DELETE,
                Some(Target::medium(id)),
                json!({"sha256": row.sha256, "mime": row.mime}),
            ),
        )?;
        let file_shared = store::file_of(conn, &row.sha256)?.is_some();
        Ok(Some(Deleted {
            sha256: row.sha256,
            mime: row.mime,
            file_shared,
        }))
    })
}

/// Removes a deleted medium's file and renditions when no other medium has the same bytes.
/// Best effort: a failure is logged and leaves files that no URL serves any more, since files
/// are served only for digests a medium has.
pub async fn remove_files(state: &AppState, deleted: &Deleted) {
    let Some(format) = Format::from_mime(&deleted.mime) else {
        return;
    };
    if deleted.file_shared {
        return;
    }
    let keys = std::iter::once(storage::original_key(&deleted.sha256, format)).chain(
        image::RENDITION_WIDTHS
            .iter()
            .map(|&w| storage::rendition_key(&deleted.sha256, format, w)),
    );
    for key in keys {
        if let Err(e) = state.media.delete(&key).await {
            tracing::warn!(error = %e, key = %key, "could not remove a deleted medium's file");
        }
    }
}

/// The wire form of a stored medium.
impl From<MediumRow> for dto::Medium {
    fn from(row: MediumRow) -> Self {
        let ext = Format::from_mime(&row.mime).map_or("bin", Format::ext);
        Self {
            url: format!("/media/{}.{ext}", row.sha256),
            id: row.id,
            mime: row.mime,
            bytes: row.bytes,
            width: row.width,
            height: row.height,
            sha256: row.sha256,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            created_at: DateTime::<Utc>::from_naive_utc_and_offset(row.created_at, Utc),
        }
    }
}
