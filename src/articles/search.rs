//! Full-text search: the one place with backend-specific SQL for articles.
//!
//! SQLite keeps an FTS5 table, PostgreSQL a `tsvector` per article with a GIN index; both are
//! refreshed inside the write transaction of every change to the searched text (title, dek,
//! summary, body and quotes), and queried so that any user input is searched as plain text.

use diesel::sql_types::Text;
use diesel::RunQueryDsl;

use crate::db::AnyConnection;
use crate::error::AppError;

const SQLITE_REINDEX: &str = "\
INSERT INTO article_search (article_id, title, dek, summary, body, quotes)
SELECT a.id, a.title, COALESCE(a.dek, ''), COALESCE(a.summary, ''), COALESCE(a.body, ''),
       COALESCE((SELECT group_concat(c.text || ' ' || c.speaker, ' ') FROM article_children c
                 WHERE c.article_id = a.id AND c.kind = 'quote'), '')
FROM articles a WHERE a.id = ?";

const POSTGRES_REINDEX: &str = "\
INSERT INTO article_search (article_id, document)
SELECT a.id,
       setweight(to_tsvector('english', a.title), 'A')
    || setweight(to_tsvector('english', COALESCE(a.dek, '') || ' ' || COALESCE(a.summary, '')), 'B')
    || setweight(to_tsvector('english', COALESCE(a.body, '')), 'C')
    || setweight(to_tsvector('english', COALESCE((SELECT string_agg(c.text || ' ' || c.speaker, ' ')
                                                 FROM article_children c
                                                 WHERE c.article_id = a.id AND c.kind = 'quote'), '')), 'B')
FROM articles a WHERE a.id = $1
ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document";

/// Recomputes the search entry of one article (inside the caller's transaction).
pub fn reindex(conn: &mut AnyConnection, article_id: &str) -> Result<(), AppError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("DELETE FROM article_search WHERE article_id = ?")
                .bind::<Text, _>(article_id)
                .execute(c)?;
            diesel::sql_query(SQLITE_REINDEX)
                .bind::<Text, _>(article_id)
                .execute(c)?;
        }
        AnyConnection::Postgresql(c) => {
            diesel::sql_query(POSTGRES_REINDEX)
                .bind::<Text, _>(article_id)
                .execute(c)?;
        }
    }
    Ok(())
}

/// Turns user input into an FTS5 query that matches every word as a plain term: operators,
/// quotes and parentheses in the input are never interpreted. `None` when there is no word.
pub fn fts5_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(32)
        .map(|t| format!("\"{t}\""))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::fts5_query;

    #[test]
    fn hostile_search_input_becomes_plain_terms() {
        assert_eq!(
            fts5_query("harbour ferries").as_deref(),
            Some("\"harbour\" \"ferries\"")
        );
        assert_eq!(
            fts5_query("a\" OR (b* NEAR c").as_deref(),
            Some("\"a\" \"OR\" \"b\" \"NEAR\" \"c\"")
        );
        assert_eq!(fts5_query("Zürich"), Some("\"Zürich\"".into()));
        assert_eq!(fts5_query("()\"*:^-"), None);
        assert_eq!(fts5_query(""), None);
    }
}
