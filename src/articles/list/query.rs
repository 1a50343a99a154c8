//! The SQL of article lists, built once for both backends; only placeholders, title collation
//! and the search clause differ. Every sort has an index whose order is the sort, and the
//! keyset condition `(key, id) < (?, ?)` starts each page where the last ended, so page 500
//! costs what page 1 does. Visibility is the rule of `policy::can_see`, written as SQL.

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use super::{KeyValue, ListQuery, Sort};
use crate::articles::search::fts5_query;
use crate::auth::AuthUser;
use crate::db::AnyConnection;

/// One listed article: the summary columns and its relevance.
#[derive(Debug, Clone, QueryableByName)]
pub struct ListedRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub dek: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub seo_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub seo_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kicker: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<String>,
    #[diesel(sql_type = Text)]
    pub language: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub publish_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    pub updated_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub version: i64,
    #[diesel(sql_type = Text)]
    pub author_id: String,
    #[diesel(sql_type = Timestamp)]
    pub listed_at: NaiveDateTime,
    #[diesel(sql_type = Double)]
    pub rank: f64,
}

enum Bind {
    Text(String),
    Time(NaiveDateTime),
    Float(f64),
    Int(i64),
}

/// SQL text with its bind values, in the placeholder style of one backend.
struct Sql {
    text: String,
    binds: Vec<Bind>,
    postgres: bool,
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        if self.postgres {
            let n = self.binds.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }

    fn load<T>(self, conn: &mut AnyConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
    {
        macro_rules! run {
            ($conn:expr, $db:ty) => {{
                let mut q = diesel::sql_query(self.text).into_boxed::<$db>();
                for b in self.binds {
                    q = match b {
                        Bind::Text(v) => q.bind::<Text, _>(v),
                        Bind::Time(v) => q.bind::<Timestamp, _>(v),
                        Bind::Float(v) => q.bind::<Double, _>(v),
                        Bind::Int(v) => q.bind::<BigInt, _>(v),
                    };
                }
                q.load::<T>($conn)?
            }};
        }
        Ok(match conn {
            AnyConnection::Postgresql(c) => run!(c, diesel::pg::Pg),
            AnyConnection::Sqlite(c) => run!(c, diesel::sqlite::Sqlite),
        })
    }
}

const SUMMARY_COLUMNS: &str = "a.id, a.slug, a.title, a.dek, a.seo_title, a.seo_description, a.summary, a.kicker, \
     a.source, a.language, a.status, a.publish_at, a.published_at, a.created_at, a.updated_at, a.version, \
     a.author_id, a.listed_at";

/// One page of the list (`limit + 1` rows are fetched to learn whether another page follows).
pub fn page(
    conn: &mut AnyConnection,
    q: &ListQuery,
    viewer: Option<&AuthUser>,
) -> QueryResult<(Vec<ListedRow>, bool)> {
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    let Some(sql) = build(q, viewer, postgres) else {
        return Ok((vec![], false));
    };
    let mut rows: Vec<ListedRow> = sql.load(conn)?;
    let more = rows.len() as i64 > q.limit;
    rows.truncate(usize::try_from(q.limit).unwrap_or(20));
    Ok((rows, more))
}

/// One line of a query plan.
#[derive(Debug, QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// One line of a query plan.
#[derive(Debug, QueryableByName)]
struct PostgresPlanLine {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

/// The database's plan for the page query, for documentation and benchmarks.
pub fn explain(
    conn: &mut AnyConnection,
    q: &ListQuery,
    viewer: Option<&AuthUser>,
) -> QueryResult<String> {
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    let Some(mut sql) = build(q, viewer, postgres) else {
        return Ok("(no query: the search has no words)".into());
    };
    if postgres {
        sql.text.insert_str(0, "EXPLAIN ");
        let lines: Vec<PostgresPlanLine> = sql.load(conn)?;
        Ok(lines
            .into_iter()
            .map(|l| l.line)
            .collect::<Vec<_>>()
            .join("\n"))
    } else {
        sql.text.insert_str(0, "EXPLAIN QUERY PLAN ");
        let lines: Vec<SqlitePlanLine> = sql.load(conn)?;
        Ok(lines
            .into_iter()
            .map(|l| l.detail)
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// The page query, or `None` when a search has no words to look for.
fn build(q: &ListQuery, viewer: Option<&AuthUser>, postgres: bool) -> Option<Sql> {
    let mut sql = Sql {
        text: String::with_capacity(1024),
        binds: Vec::new(),
        postgres,
    };
    let title = if postgres {
        "a.title COLLATE \"C\""
    } else {
        "a.title"
    };

    let search = match (&q.q, postgres) {
        (None, _) => None,
        (Some(text), true) => Some(text.clone()),
        (Some(text), false) => match fts5_query(text) {
            Some(m) => Some(m),
            None => return None,
        },
    };
    let rank = match (&search, postgres) {
        (Some(_), true) => "ts_rank_cd(s.document, query)::float8",
        // Column weights mirror PostgreSQL's: title A, dek/summary/quotes B, body C.
        (Some(_), false) => "(-bm25(article_search, 0.0, 10.0, 4.0, 4.0, 1.0, 4.0))",
        (None, _) => "CAST(0 AS DOUBLE PRECISION)",
    };

    sql.push("SELECT ")
        .push(SUMMARY_COLUMNS)
        .push(", ")
        .push(rank)
        .push(" AS rank FROM ");
    match (&search, postgres) {
        (Some(text), true) => {
            sql.push("article_search s JOIN articles a ON a.id = s.article_id CROSS JOIN websearch_to_tsquery('english', ");
            sql.bind(Bind::Text(text.clone()))
                .push(") query WHERE s.document @@ query");
        }
        (Some(m), false) => {
            sql.push("article_search JOIN articles a ON a.id = article_search.article_id WHERE article_search MATCH ");
            sql.bind(Bind::Text(m.clone()));
        }
        (None, _) => {
            sql.push("articles a WHERE 1 = 1");
        }
    }

    match viewer {
        None => {
            sql.push(" AND a.status = 'published'");
        }
        Some(u) if u.role.edits_all_content() => {}
        Some(u) => {
            sql.push(" AND (a.status = 'published' OR a.author_id = ")
                .bind(Bind::Text(u.id.clone()))
                .push(")");
        }
    }
    if let Some(status) = q.status {
        sql.push(" AND a.status = ")
            .bind(Bind::Text(status.as_str().into()));
    }
    if let Some(tag) = &q.tag {
        sql.push(
            " AND EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ",
        )
        .bind(Bind::Text(tag.clone()))
        .push(")");
    }
    if let Some(author) = &q.author {
        sql.push(
            " AND EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id AND au.slug = ",
        )
        .bind(Bind::Text(author.clone()))
        .push(")");
    }
    if let Some(after) = q.after {
        sql.push(" AND a.published_at >= ").bind(Bind::Time(after));
    }
    if let Some(before) = q.before {
        sql.push(" AND a.published_at < ").bind(Bind::Time(before));
    }

    let (key, order, cmp) = match q.sort {
        Sort::PublishedDesc => ("a.listed_at", "a.listed_at DESC, a.id DESC", "<"),
        Sort::PublishedAsc => ("a.listed_at", "a.listed_at ASC, a.id ASC", ">"),
        Sort::UpdatedDesc => ("a.updated_at", "a.updated_at DESC, a.id DESC", "<"),
        Sort::Title if postgres => (title, "a.title COLLATE \"C\" ASC, a.id ASC", ">"),
        Sort::Title => (title, "a.title ASC, a.id ASC", ">"),
        Sort::Relevance => (rank, "rank DESC, a.id DESC", "<"),
    };
    if let Some(c) = &q.after_row {
        let value = match &c.key {
            KeyValue::Time(t) => Bind::Time(*t),
            KeyValue::Text(t) => Bind::Text(t.clone()),
            KeyValue::Rank(r) => Bind::Float(*r),
        };
        sql.push(&format!(" AND ({key}, a.id) {cmp} ("));
        sql.bind(value)
            .push(", ")
            .bind(Bind::Text(c.id.clone()))
            .push(")");
    }
    sql.push(" ORDER BY ")
        .push(order)
        .push(" LIMIT ")
        .bind(Bind::Int(q.limit + 1));
    Some(sql)
}
