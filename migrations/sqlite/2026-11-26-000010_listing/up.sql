-- The time an article is listed by: when it was first published, or created if never published.
-- Kept in a column so that every list order is served by an index, on both backends alike.
ALTER TABLE articles ADD COLUMN listed_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE articles SET listed_at = COALESCE(published_at, created_at);

DROP INDEX articles_status_published_at;
-- Public lists filter on status = 'published'; staff lists see every status.
CREATE INDEX articles_public_by_listed ON articles (status, listed_at, id);
CREATE INDEX articles_public_by_updated ON articles (status, updated_at, id);
CREATE INDEX articles_public_by_title ON articles (status, title, id);
CREATE INDEX articles_by_listed ON articles (listed_at, id);
CREATE INDEX articles_by_updated ON articles (updated_at, id);
CREATE INDEX articles_by_title ON articles (title, id);
CREATE INDEX articles_due ON articles (status, publish_at);

CREATE VIRTUAL TABLE article_search USING fts5(
    article_id UNINDEXED, title, dek, summary, body, quotes,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO article_search (article_id, title, dek, summary, body, quotes)
SELECT a.id, a.title, COALESCE(a.dek, ''), COALESCE(a.summary, ''), COALESCE(a.body, ''),
       COALESCE((SELECT group_concat(c.text || ' ' || c.speaker, ' ') FROM article_children c
                 WHERE c.article_id = a.id AND c.kind = 'quote'), '')
FROM articles a;
CREATE TRIGGER article_search_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM article_search WHERE article_id = old.id;
END;
