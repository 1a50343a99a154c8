//! Where media bytes live: one small trait, [`Storage`], with a local directory and
//! S3-compatible object storage behind it. Keys are content addresses (see [`original_key`]),
//! so a file, once written, never changes: writing the same key again writes the same bytes.
//!
//! Nothing here knows about rows or HTTP; a failure is a [`StorageError`], which the media
//! routes answer with 503.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::web::Bytes;
use futures_util::future::BoxFuture;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

use super::config::{S3Location, StoreLocation};
use super::image::Format;

/// A storage operation that failed (the store is unreachable, full, or refuses us).
#[derive(Debug, thiserror::Error)]
#[error("media store: {0}")]
pub struct StorageError(pub String);

/// A place to keep media files by key.
pub trait Storage: Send + Sync {
    /// Writes `bytes` under `key`, replacing what was there; readers never see half a file.
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes) -> BoxFuture<'a, Result<(), StorageError>>;
    /// The bytes under `key`, or `None` when there are none.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>, StorageError>>;
    /// Whether `key` holds a file.
    fn exists<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StorageError>>;
    /// Removes `key`; removing a missing key succeeds.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;
}

/// The media store of the process.
pub type MediaStore = Arc<dyn Storage>;

/// Opens the store `location` names. A directory is created when missing.
pub fn open(location: &StoreLocation) -> Result<MediaStore, String> {
    match location {
        StoreLocation::Directory(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                format!(
                    "cannot create the media directory {} (BYLINE_MEDIA_DIR): {e}",
                    dir.display()
                )
            })?;
            Ok(Arc::new(LocalDir { root: dir.clone() }))
        }
        StoreLocation::S3(s3) => Ok(Arc::new(S3Store::new(s3)?)),
    }
}

/// The key of an original: `ab/abcdef….png`, the first two hex digits of the SHA-256 digest
/// as a directory so that no directory grows to millions of entries.
pub fn original_key(sha256: &str, format: Format) -> String {
    format!("{}/{sha256}.{}", shard(sha256), format.ext())
}

/// The key of the rendition `width` pixels wide: `ab/abcdef…-w640.png`.
pub fn rendition_key(sha256: &str, format: Format, width: u32) -> String {
    format!("{}/{sha256}-w{width}.{}", shard(sha256), format.ext())
}

fn shard(sha256: &str) -> &str {
    sha256.get(..2).unwrap_or("00")
}

/// Files under a directory; the file system calls run on the blocking pool.
struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    // Keys come from hex digests and fixed extensions; anything else is refused, so a key can
    // never leave the directory.
    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        let safe = key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.'))
            && !key.contains("..")
            && !key.starts_with('/');
        if !safe {
            return Err(StorageError(format!("refused key {key:?}")));
        }
        Ok(self.root.join(key))
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, StorageError> {
    actix_web::web::block(f)
        .await
        .map_err(|e| StorageError(e.to_string()))?
        .map_err(|e| StorageError(e.to_string()))
}

impl Storage for LocalDir {
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            blocking(move || {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                // Written beside its final name and renamed, so a reader sees all or nothing.
                let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7().simple()));
                let written =
                    std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, &path));
                if written.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                written
            })
            .await
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>, StorageError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            blocking(move || match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(Bytes::from(bytes))),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            })
            .await
        })
    }

    fn exists<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            blocking(move || path.try_exists()).await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            blocking(move || match std::fs::remove_file(&path) {
                Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            })
            .await
        })
    }
}

/// Objects in a bucket of S3-compatible storage, under a key prefix.
struct S3Store {
    bucket: AmazonS3,
    prefix: String,
}

impl S3Store {
    fn new(s3: &S3Location) -> Result<Self, String> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&s3.bucket)
            .with_region(&s3.region)
            .with_allow_http(s3.allow_http);
        if let Some(endpoint) = &s3.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        if let Some(token) = &s3.session_token {
            builder = builder.with_token(token);
        }
        let bucket = builder
            .build()
            .map_err(|e| format!("cannot use BYLINE_MEDIA_STORE: {e}"))?;
        Ok(Self {
            bucket,
            prefix: s3.prefix.clone(),
        })
    }

    fn path(&self, key: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        }
    }
}

fn s3_error(e: object_store::Error) -> StorageError {
    StorageError(e.to_string())
}

impl Storage for S3Store {
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            self.bucket
                .put(&self.path(key), PutPayload::from_bytes(bytes))
                .await
                .map(|_| ())
                .map_err(s3_error)
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>, StorageError>> {
        Box::pin(async move {
            match self.bucket.get(&self.path(key)).await {
                Ok(found) => found.bytes().await.map(Some).map_err(s3_error),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(s3_error(e)),
            }
        })
    }

    fn exists<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async move {
            match self.bucket.head(&self.path(key)).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(s3_error(e)),
            }
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            match self.bucket.delete(&self.path(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(s3_error(e)),
            }
        })
    }
}
