-- Every article's document, rendered when the article changes, so that a read is one indexed
-- lookup of bytes ready to send. `staff` is the document as editors see it (every related
-- article); `public` is the document as anonymous readers see it (published related articles
-- only), NULL when the two are the same. `html` and `plaintext` hold `body` and `analysis`
-- rendered for `?formats=`. `format` is the renderer's version: documents of an older format
-- are rendered anew at start-up.
CREATE TABLE article_documents (
    article_id TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    format     INTEGER NOT NULL,
    staff      TEXT NOT NULL,
    public     TEXT,
    html       TEXT NOT NULL,
    plaintext  TEXT NOT NULL
);
