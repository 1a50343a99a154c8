//! The read model: the one mapping from stored rows to the article document of SPEC §3.
//!
//! Any number of documents cost five queries: the rows, their tags, their children, their
//! related articles and their bylines. Related articles the viewer may not see are left out.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::QueryResult;

use super::dto::{Article, ArticleStatus, RelatedArticle};
use super::models::ArticleRow;
use super::policy::can_see;
use super::store;
use super::text::{self, Rendered};
use crate::auth::AuthUser;
use crate::authors::dto::AuthorRef;
use crate::children::{
    self, Child, ChildKind, ChildSpec, Highlights, KeyTakeaways, Quotes, RiskNotes,
};
use crate::db::schema::{article_authors, article_related, article_tags, articles, authors};
use crate::db::AnyConnection;

/// Who a document is assembled for.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    /// Everything, as staff see it: for revisions, exports and the write pipeline.
    Staff,
    /// A reader: anonymous when `None`.
    Reader(Option<&'a AuthUser>),
}

impl Viewer<'_> {
    fn sees(&self, status: ArticleStatus, author_id: &str) -> bool {
        match self {
            Self::Staff => true,
            Self::Reader(user) => can_see(*user, status, author_id),
        }
    }
}

/// The document of the article an id or slug names, if the viewer may see it.
pub fn find(
    conn: &mut AnyConnection,
    key: &str,
    viewer: Option<&AuthUser>,
) -> QueryResult<Option<Article>> {
    let row = store::find_by_key(conn, key)?;
    match row.filter(|r| {
        let s = r.state();
        can_see(viewer, s.status, &s.author_id)
    }) {
        Some(row) => Ok(assemble_many(conn, vec![row], Viewer::Reader(viewer))?.pop()),
        None => Ok(None),
    }
}

/// The documents of the articles `ids`, in that order; ids that do not exist are skipped.
/// Visibility of the articles themselves is the caller's concern.
pub fn load(
    conn: &mut AnyConnection,
    ids: &[String],
    viewer: Viewer<'_>,
) -> QueryResult<Vec<Article>> {
    let ordered = rows(conn, ids)?;
    assemble_many(conn, ordered, viewer)
}

/// The document of a row just read, as staff see it.
pub fn of_row(conn: &mut AnyConnection, row: ArticleRow) -> QueryResult<Article> {
    assemble_many(conn, vec![row], Viewer::Staff)?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

/// The document of one article as staff see it, if it exists.
pub fn load_one(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Article>> {
    Ok(load(conn, &[id.to_owned()], Viewer::Staff)?.pop())
}

/// The tags of many articles in one query, by article id.
pub fn tags_of_many(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = article_tags::table
        .filter(article_tags::article_id.eq_any(ids))
        .order((article_tags::article_id.asc(), article_tags::position.asc()))
        .select((article_tags::article_id, article_tags::tag))
        .load(conn)?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (id, tag) in rows {
        map.entry(id).or_default().push(tag);
    }
    Ok(map)
}

type RelatedTuple = (
    String,
    String,
    String,
    Option<NaiveDateTime>,
    String,
    String,
);

/// The related rows of the articles a filter on `article_related::article_id` selects.
macro_rules! related_rows {
    ($conn:expr, $filter:expr) => {
        article_related::table
            .inner_join(articles::table.on(articles::id.eq(article_related::related_id)))
            .filter($filter)
            .order((
                article_related::article_id.asc(),
                article_related::position.asc(),
            ))
            .select((
                article_related::article_id,
                (
                    articles::id,
                    articles::slug,
                    articles::title,
                    articles::published_at,
                    articles::status,
                    articles::author_id,
                ),
            ))
            .load::<(String, RelatedTuple)>($conn)
    };
}

/// The bylines of the articles a filter on `article_authors::article_id` selects.
macro_rules! byline_rows {
    ($conn:expr, $filter:expr) => {
        article_authors::table
            .inner_join(authors::table)
            .filter($filter)
            .order((
                article_authors::article_id.asc(),
                article_authors::position.asc(),
            ))
            .select((
                article_authors::article_id,
                (authors::id, authors::slug, authors::name),
            ))
            .load::<(String, (String, String, String))>($conn)
    };
}

/// What hangs off a set of articles: their tags, their parts, their bylines, and the summaries
/// of their related articles with the status and owner that decide who may see each.
struct Parts {
    tags: HashMap<String, Vec<String>>,
    kids: HashMap<String, Vec<Child>>,
    related: HashMap<String, Vec<Related>>,
    bylines: HashMap<String, Vec<AuthorRef>>,
}

struct Related {
    summary: RelatedArticle,
    status: ArticleStatus,
    author_id: String,
}

impl Parts {
    /// Four queries for any number of articles.
    fn of(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Self> {
        // One article (every write, every uncached read) uses `=` rather than `IN (…)`: diesel
        // caches the prepared statement only when the number of binds is fixed.
        let (tags, children, related_rows, byline_rows) = match ids {
            [one] => (
                HashMap::from([(one.clone(), store::tags(conn, one)?)]),
                children::repo::list_all(conn, one)?,
                related_rows!(conn, article_related::article_id.eq(one))?,
                byline_rows!(conn, article_authors::article_id.eq(one))?,
            ),
            _ => (
                tags_of_many(conn, ids)?,
                children::repo::list_for(conn, ids)?,
                related_rows!(conn, article_related::article_id.eq_any(ids))?,
                byline_rows!(conn, article_authors::article_id.eq_any(ids))?,
            ),
        };
        let mut bylines: HashMap<String, Vec<AuthorRef>> = HashMap::new();
        for (owner, (id, slug, name)) in byline_rows {
            bylines.entry(owner).or_default().push(AuthorRef {
                id,
                slug,
                name,
                avatar: None,
            });
        }
        let mut kids: HashMap<String, Vec<Child>> = HashMap::new();
        for child in children {
            kids.entry(child.article_id.clone())
                .or_default()
                .push(child);
        }
        let mut related: HashMap<String, Vec<Related>> = HashMap::new();
        for (owner, (id, slug, title, published_at, status, author_id)) in related_rows {
            related.entry(owner).or_default().push(Related {
                summary: RelatedArticle {
                    id,
                    slug,
                    title,
                    published_at: published_at.map(|t| t.and_utc()),
                },
                status: ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft),
                author_id,
            });
        }
        Ok(Self {
            tags,
            kids,
            related,
            bylines,
        })
    }

    /// The document of `row`, with the related articles `viewer` may see.
    fn assemble(&mut self, row: ArticleRow, viewer: Viewer<'_>) -> Article {
        let related = self
            .related
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| viewer.sees(r.status, &r.author_id))
            .map(|r| r.summary)
            .collect();
        self.assemble_with(row, related)
    }

    fn assemble_with(&mut self, row: ArticleRow, related: Vec<RelatedArticle>) -> Article {
        let tags = self.tags.remove(&row.id).unwrap_or_default();
        let kids = self.kids.remove(&row.id).unwrap_or_default();
        let authors = self.bylines.remove(&row.id).unwrap_or_default();
        assemble(row, tags, kids, related, authors)
    }
}

fn assemble_many(
    conn: &mut AnyConnection,
    rows: Vec<ArticleRow>,
    viewer: Viewer<'_>,
) -> QueryResult<Vec<Article>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut parts = Parts::of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| parts.assemble(row, viewer))
        .collect())
}

/// An article's document as staff see it, and, when it differs, as anonymous readers see it
/// (without the related articles that are not published).
pub struct Renditions {
    pub staff: Article,
    pub public: Option<Article>,
}

/// The renditions of stored rows, in their order: what the write pipeline stores.
pub fn render_rows(
    conn: &mut AnyConnection,
    rows: Vec<ArticleRow>,
) -> QueryResult<Vec<Renditions>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut parts = Parts::of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let related = parts.related.remove(&row.id).unwrap_or_default();
            let hidden = related
                .iter()
                .any(|r| !Viewer::Reader(None).sees(r.status, &r.author_id));
            let public: Option<Vec<RelatedArticle>> = hidden.then(|| {
                related
                    .iter()
                    .filter(|r| r.status == ArticleStatus::Published)
                    .map(|r| r.summary.clone())
                    .collect()
            });
            let staff = parts.assemble_with(row, related.into_iter().map(|r| r.summary).collect());
            let public = public.map(|related| Article {
                related,
                ..staff.clone()
            });
            Renditions { staff, public }
        })
        .collect())
}

/// The rows of the articles `ids`, in that order; ids that do not exist are skipped.
pub fn rows(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<ArticleRow>> {
    let rows: Vec<ArticleRow> = articles::table
        .filter(articles::id.eq_any(ids))
        .load(conn)?;
    let mut by_id: HashMap<String, ArticleRow> =
        rows.into_iter().map(|r| (r.id.clone(), r)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

fn of_kind<C: ChildSpec>(kids: &mut Vec<Child>) -> Vec<C::Output> {
    let (mine, rest): (Vec<Child>, Vec<Child>) = kids.drain(..).partition(|c| c.kind == C::KIND);
    *kids = rest;
    mine.into_iter().map(C::output).collect()
}

fn assemble(
    row: ArticleRow,
    tags: Vec<String>,
    mut kids: Vec<Child>,
    related: Vec<RelatedArticle>,
    authors: Vec<AuthorRef>,
) -> Article {
    debug_assert!(kids.iter().all(|c| ChildKind::ALL.contains(&c.kind)));
    let state = row.state();
    let words = Rendered::of(
        row.body.as_deref(),
        row.analysis.as_deref(),
        text::plaintext,
    )
    .words();
    Article {
        status: state.status,
        id: row.id,
        slug: row.slug,
        title: row.title,
        dek: row.dek,
        seo_title: row.seo_title,
        seo_description: row.seo_description,
        summary: row.summary,
        body: row.body,
        analysis: row.analysis,
        kicker: row.kicker,
        source: row.source,
        language: row.language,
        tags,
        publish_at: row.publish_at.map(|t| t.and_utc()),
        published_at: row.published_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        version: row.version,
        author_id: row.author_id,
        key_takeaways: of_kind::<KeyTakeaways>(&mut kids),
        quotes: of_kind::<Quotes>(&mut kids),
        highlights: of_kind::<Highlights>(&mut kids),
        risk_notes: of_kind::<RiskNotes>(&mut kids),
        related,
        authors,
        word_count: i64::try_from(words).unwrap_or(i64::MAX),
        reading_time_minutes: i64::try_from(text::reading_minutes(words)).unwrap_or(i64::MAX),
        html: None,
        plaintext: None,
        jsonld: None,
    }
}
