-- Every change to an article records the whole document as it stood after the change.
-- The actor is copied, not referenced: revisions outlive the accounts that made them.
CREATE TABLE article_revisions (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    action     TEXT NOT NULL,
    actor_id   TEXT,
    actor_name TEXT,
    at         TIMESTAMP NOT NULL,
    changed    TEXT NOT NULL,
    document   TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);
