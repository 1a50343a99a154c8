-- The time an article is listed by: when it was first published, or created if never published.
-- Kept in a column so that every list order is served by an index, on both backends alike.
ALTER TABLE articles ADD COLUMN listed_at TIMESTAMP;
UPDATE articles SET listed_at = COALESCE(published_at, created_at);
ALTER TABLE articles ALTER COLUMN listed_at SET NOT NULL;

DROP INDEX articles_status_published_at;
-- Public lists filter on status = 'published'; staff lists see every status. Titles sort by
-- code point ("C"), as SQLite's BINARY collation does, so both backends page alike.
CREATE INDEX articles_public_by_listed ON articles (status, listed_at, id);
CREATE INDEX articles_public_by_updated ON articles (status, updated_at, id);
CREATE INDEX articles_public_by_title ON articles (status, title COLLATE "C", id);
CREATE INDEX articles_by_listed ON articles (listed_at, id);
CREATE INDEX articles_by_updated ON articles (updated_at, id);
CREATE INDEX articles_by_title ON articles (title COLLATE "C", id);
CREATE INDEX articles_due ON articles (status, publish_at);

CREATE TABLE article_search (
    article_id TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    document   TSVECTOR NOT NULL
);
CREATE INDEX article_search_document ON article_search USING GIN (document);
INSERT INTO article_search (article_id, document)
SELECT a.id,
       setweight(to_tsvector('english', a.title), 'A')
    || setweight(to_tsvector('english', COALESCE(a.dek, '') || ' ' || COALESCE(a.summary, '')), 'B')
    || setweight(to_tsvector('english', COALESCE(a.body, '')), 'C')
    || setweight(to_tsvector('english', COALESCE((SELECT string_agg(c.text || ' ' || c.speaker, ' ')
                                                 FROM article_children c
                                                 WHERE c.article_id = a.id AND c.kind = 'quote'), '')), 'B')
FROM articles a;
