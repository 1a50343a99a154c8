-- Uploaded images. The bytes live in the media store (a directory or S3-compatible object
-- storage) under their SHA-256 digest, so identical uploads share one file; each upload is its
-- own row with its own alt text, caption and credit. The uploader is kept to decide who may
-- change or delete the medium, and forgotten when their account is deleted.
CREATE TABLE media (
    id          TEXT PRIMARY KEY NOT NULL,
    sha256      TEXT NOT NULL,
    mime        TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    alt         TEXT,
    caption     TEXT,
    credit      TEXT,
    uploaded_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX media_sha256 ON media (sha256);
