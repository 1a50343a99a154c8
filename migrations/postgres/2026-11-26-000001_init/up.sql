CREATE TABLE users (
    id                  TEXT PRIMARY KEY NOT NULL,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author')),
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

CREATE TABLE articles (
    id              TEXT PRIMARY KEY NOT NULL,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    dek             TEXT,
    seo_title       TEXT,
    seo_description TEXT,
    summary         TEXT,
    body            TEXT,
    analysis        TEXT,
    kicker          TEXT,
    source          TEXT,
    language        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    publish_at      TIMESTAMP,
    published_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         BIGINT NOT NULL,
    author_id       TEXT NOT NULL REFERENCES users (id)
);
CREATE INDEX articles_status_published_at ON articles (status, published_at, id);
CREATE INDEX articles_author ON articles (author_id);

CREATE TABLE article_tags (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags (tag, article_id);

CREATE TABLE article_children (
    id         TEXT PRIMARY KEY NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('key_takeaway', 'quote', 'highlight', 'risk_note')),
    position   INTEGER NOT NULL,
    text       TEXT,
    speaker    TEXT,
    context    TEXT,
    source_url TEXT,
    title      TEXT,
    body       TEXT,
    severity   TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    category   TEXT
);
CREATE INDEX article_children_order ON article_children (article_id, kind, position);

CREATE TABLE article_related (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, related_id)
);
CREATE INDEX article_related_related ON article_related (related_id);
