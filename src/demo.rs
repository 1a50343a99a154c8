//! The demo article loaded into an empty database, so a frontend has something to fetch at once.

use crate::articles::{domain, dto::ArticleInput, repo};
use crate::auth::AuthUser;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::extract::parse_json;

const DEMO_ARTICLE: &str = include_str!("demo/article.json");

/// Loads the demo article, published, unless an article exists already. Returns its slug.
pub fn load(conn: &mut AnyConnection, author: &AuthUser) -> Result<Option<String>, AppError> {
    if repo::any_exists(conn)? {
        return Ok(None);
    }
    let input: ArticleInput = parse_json(DEMO_ARTICLE.as_bytes())?;
    let (draft, echo) = domain::validate(input)?;
    let article = repo::create(conn, author, draft, &echo, true)?;
    Ok(Some(article.slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_article_is_valid_and_fills_every_part() {
        let input: ArticleInput = parse_json(DEMO_ARTICLE.as_bytes()).expect("demo parses");
        let (draft, _) = domain::validate(input).expect("demo is valid");
        assert!(draft.slug.is_some() && draft.body.is_some() && draft.analysis.is_some());
        assert!(!draft.key_takeaways.is_empty() && !draft.quotes.is_empty());
        assert!(
            !draft.highlights.is_empty() && !draft.risk_notes.is_empty() && !draft.tags.is_empty()
        );
    }
}
