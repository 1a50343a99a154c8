-- Authors: the public byline, apart from login accounts. An author may name the user who
-- writes as them; deleting that user keeps the author and forgets the link.
CREATE TABLE authors (
    id         TEXT PRIMARY KEY NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    bio        TEXT,
    user_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The byline of an article, in order. An author credited on an article cannot be deleted.
CREATE TABLE article_authors (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES authors (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_by_author ON article_authors (author_id, article_id);

-- Slugs a published article had before: each answers a redirect to the article's current
-- slug until an article takes it again.
CREATE TABLE article_slug_history (
    slug       TEXT PRIMARY KEY NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    retired_at TIMESTAMP NOT NULL
);
CREATE INDEX article_slug_history_by_article ON article_slug_history (article_id);

-- Preview links: a token names one row, and revoking deletes the rows, so that every
-- process refuses a revoked token at once.
CREATE TABLE preview_links (
    id         TEXT PRIMARY KEY NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX preview_links_by_article ON preview_links (article_id);
