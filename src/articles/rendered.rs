//! Documents rendered on write: every change to an article stores its document, as staff and
//! as anonymous readers see it, in the change's own transaction, so that a read is one indexed
//! lookup of bytes ready to send.
//!
//! A document embeds the summaries of its related articles, so a change to an article also
//! renders anew the documents that list it as related. On PostgreSQL every such transaction
//! notifies the `byline_documents` channel, which other processes listen on to empty their
//! in-process caches (see `cache`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::QueryResult;

use super::document::{self, Renditions};
use super::dto::{Article, ArticleStatus};
use super::models::ArticleRow;
use super::text::{self, Rendered};
use crate::db::schema::{article_documents, article_related, articles};
use crate::db::AnyConnection;

/// The renderer's version. Raise it whenever the document's shape changes: documents of an
/// older format are rendered anew at start-up, and never served meanwhile.
pub const FORMAT: i32 = 1;

/// The channel committed document changes are announced on (PostgreSQL).
pub const CHANNEL: &str = "byline_documents";

/// A stored document with what a read needs to decide who may see it and to answer with
/// validators.
#[derive(Debug, Queryable)]
pub struct Stored {
    pub id: String,
    status: String,
    pub author_id: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    /// The document as staff see it.
    pub staff: String,
    /// The document as anonymous readers see it, when it differs from `staff`.
    pub public: Option<String>,
}

impl Stored {
    /// The article's status.
    pub fn status(&self) -> ArticleStatus {
        ArticleStatus::parse(&self.status).unwrap_or(ArticleStatus::Draft)
    }

    /// The document for anonymous readers.
    pub fn public_document(self) -> String {
        self.public.unwrap_or(self.staff)
    }
}

macro_rules! stored_by {
    ($conn:expr, $filter:expr) => {
        articles::table
            .inner_join(article_documents::table)
            .filter($filter)
            .filter(article_documents::format.eq(FORMAT))
            .select((
                articles::id,
                articles::status,
                articles::author_id,
                articles::version,
                articles::updated_at,
                article_documents::staff,
                article_documents::public,
            ))
            .first::<Stored>($conn)
            .optional()
    };
}

/// The stored document of the article an id or slug names; an id match wins, as in
/// `store::find_by_key`. `None` also when the document is missing or of an older format, in
/// which case the caller assembles it from the rows.
pub fn find(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<Stored>> {
    if uuid::Uuid::parse_str(key).is_ok() {
        let by_id = stored_by!(conn, articles::id.eq(key))?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    stored_by!(conn, articles::slug.eq(key))
}

/// The stored HTML and plain-text renderings of article `id`'s `body` and `analysis`.
pub fn formats_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<(Rendered, Rendered)>> {
    let stored: Option<(String, String)> = article_documents::table
        .find(id)
        .filter(article_documents::format.eq(FORMAT))
        .select((article_documents::html, article_documents::plaintext))
        .first(conn)
        .optional()?;
    let parse = |json: &str| {
        serde_json::from_str::<Rendered>(json)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
    };
    stored
        .map(|(html, plain)| Ok((parse(&html)?, parse(&plain)?)))
        .transpose()
}

/// Renders and stores the documents of `rows`, and of every article that lists one of them as
/// related; answers the documents of `rows` as staff see them.
pub fn refresh(conn: &mut AnyConnection, rows: Vec<ArticleRow>) -> QueryResult<Vec<Article>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut docs = Vec::with_capacity(rows.len());
    for rendition in document::render_rows(conn, rows)? {
        write(conn, &rendition)?;
        docs.push(rendition.staff);
    }
    let referrers = referrers(conn, &ids)?;
    refresh_ids(conn, &referrers)?;
    announce(conn)?;
    Ok(docs)
}

/// Renders and stores the documents of the articles `ids` (ids that do not exist are skipped).
pub fn refresh_ids(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<()> {
    for chunk in ids.chunks(200) {
        let rows = document::rows(conn, chunk)?;
        for rendition in document::render_rows(conn, rows)? {
            write(conn, &rendition)?;
        }
    }
    Ok(())
}

/// The articles, other than `ids` themselves, that list one of `ids` as related.
pub fn referrers(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<String>> {
    let mut found: Vec<String> = match ids {
        [one] => article_related::table
            .filter(article_related::related_id.eq(one))
            .select(article_related::article_id)
            .load(conn)?,
        _ => article_related::table
            .filter(article_related::related_id.eq_any(ids))
            .select(article_related::article_id)
            .load(conn)?,
    };
    found.retain(|id| !ids.contains(id));
    found.sort();
    found.dedup();
    Ok(found)
}

/// Tells other processes that documents changed, when the transaction commits (PostgreSQL;
/// SQLite readers notice commits by themselves).
pub fn announce(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    Ok(())
}

fn write(conn: &mut AnyConnection, rendition: &Renditions) -> QueryResult<()> {
    let doc = &rendition.staff;
    let staff = to_json(doc)?;
    let public = rendition.public.as_ref().map(to_json).transpose()?;
    let (body, analysis) = (doc.body.as_deref(), doc.analysis.as_deref());
    let html = to_json(&Rendered::of(body, analysis, text::html))?;
    let plaintext = to_json(&Rendered::of(body, analysis, text::plaintext))?;
    let fields = (
        article_documents::format.eq(FORMAT),
        article_documents::staff.eq(&staff),
        article_documents::public.eq(&public),
        article_documents::html.eq(&html),
        article_documents::plaintext.eq(&plaintext),
    );
    // No upsert through the multi-backend connection; the article's write lock is held, so
    // nothing can insert in between.
    let updated = diesel::update(article_documents::table.find(&rendition.staff.id))
        .set(fields)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(article_documents::table)
            .values((
                article_documents::article_id.eq(&rendition.staff.id),
                fields,
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn to_json(doc: &impl serde::Serialize) -> QueryResult<String> {
    serde_json::to_string(doc).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// Renders the documents that are missing or of an older format: after an upgrade, and for
/// articles stored before documents were. Answers how many it rendered.
pub fn backfill(conn: &mut AnyConnection) -> QueryResult<usize> {
    let current = article_documents::table
        .filter(article_documents::format.eq(FORMAT))
        .select(article_documents::article_id);
    let stale: Vec<String> = articles::table
        .filter(articles::id.ne_all(current))
        .select(articles::id)
        .load(conn)?;
    refresh_ids(conn, &stale)?;
    if !stale.is_empty() {
        announce(conn)?;
    }
    Ok(stale.len())
}
