//! The queries behind feeds and sitemaps: published articles only, newest first or in
//! publication order, each page in one statement (tags included), served by the
//! `(status, listed_at, id)` index. Nothing is cached: an article that leaves publication is
//! gone from the next answer.

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::AnyConnection;

/// The articles a feed or sitemap lists.
pub const FEED_ITEMS: i64 = 50;

/// One published article as feeds and sitemaps show it.
#[derive(Debug, Clone, QueryableByName)]
pub struct FeedRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub seo_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub dek: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Text)]
    pub language: String,
    /// `published_at`: for a published article, the time it was first published.
    #[diesel(sql_type = Timestamp)]
    pub listed_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    pub updated_at: NaiveDateTime,
    /// The tags in their order, comma-separated (tags are slugs, so never contain a comma).
    #[diesel(sql_type = Text)]
    pub tags: String,
}

impl FeedRow {
    /// The tags in their order.
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.tags.split(',').filter(|t| !t.is_empty())
    }

    /// What a feed shows as the summary: `seo_description`, else `dek`, else `summary`.
    pub fn description(&self) -> Option<&str> {
        [&self.seo_description, &self.dek, &self.summary]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .find(|d| !d.trim().is_empty())
    }
}

/// How many published articles there are.
#[derive(Debug, QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

enum Bind {
    Text(String),
    Time(NaiveDateTime),
    Int(i64),
}

// `string_agg(… ORDER BY …)` is PostgreSQL's, and SQLite's since 3.44 (the bundled SQLite is newer).
const COLUMNS: &str =
    "SELECT a.id, a.slug, a.title, a.seo_description, a.dek, a.summary, a.language, \
     a.listed_at, a.updated_at, COALESCE((SELECT string_agg(t.tag, ',' ORDER BY t.position) \
     FROM article_tags t WHERE t.article_id = a.id), '') AS tags FROM articles a \
     WHERE a.status = 'published'";

fn load<T>(conn: &mut AnyConnection, sql: &str, binds: Vec<Bind>) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    // Placeholders are written `?` and numbered for PostgreSQL here.
    macro_rules! run {
        ($conn:expr, $db:ty, $sql:expr) => {{
            let mut q = diesel::sql_query($sql).into_boxed::<$db>();
            for b in binds {
                q = match b {
                    Bind::Text(v) => q.bind::<Text, _>(v),
                    Bind::Time(v) => q.bind::<Timestamp, _>(v),
                    Bind::Int(v) => q.bind::<BigInt, _>(v),
                };
            }
            q.load::<T>($conn)
        }};
    }
    match conn {
        AnyConnection::Postgresql(c) => {
            let mut numbered = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(ch);
                }
            }
            run!(c, diesel::pg::Pg, numbered)
        }
        AnyConnection::Sqlite(c) => run!(c, diesel::sqlite::Sqlite, sql.to_owned()),
    }
}

/// The latest [`FEED_ITEMS`] published articles, newest first, with `tag` when given.
pub fn latest(conn: &mut AnyConnection, tag: Option<&str>) -> QueryResult<Vec<FeedRow>> {
    let mut sql = String::from(COLUMNS);
    let mut binds = Vec::new();
    if let Some(tag) = tag {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM article_tags f WHERE f.article_id = a.id AND f.tag = ?)",
        );
        binds.push(Bind::Text(tag.to_owned()));
    }
    sql.push_str(" ORDER BY a.listed_at DESC, a.id DESC LIMIT ?");
    binds.push(Bind::Int(FEED_ITEMS));
    load(conn, &sql, binds)
}

/// Published articles first published at or after `since`, newest first, at most `limit`.
pub fn published_since(
    conn: &mut AnyConnection,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<FeedRow>> {
    let sql =
        format!("{COLUMNS} AND a.listed_at >= ? ORDER BY a.listed_at DESC, a.id DESC LIMIT ?");
    load(conn, &sql, vec![Bind::Time(since), Bind::Int(limit)])
}

/// Published articles in publication order, oldest first, from `offset`, at most `limit`.
pub fn in_publication_order(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<FeedRow>> {
    let sql = format!("{COLUMNS} ORDER BY a.listed_at ASC, a.id ASC LIMIT ? OFFSET ?");
    load(conn, &sql, vec![Bind::Int(limit), Bind::Int(offset)])
}

/// How many articles are published.
pub fn count_published(conn: &mut AnyConnection) -> QueryResult<i64> {
    let rows: Vec<Count> = load(
        conn,
        "SELECT COUNT(*) AS n FROM articles a WHERE a.status = 'published'",
        vec![],
    )?;
    Ok(rows.first().map_or(0, |c| c.n))
}
