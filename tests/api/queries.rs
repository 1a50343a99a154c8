//! A full document costs a constant number of queries, whatever its number of children; and
//! `schema.rs` agrees with what the migrations create, on both backends.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use byline::articles::service::{self, Editor};
use byline::articles::{document, domain, dto::ArticleInput};
use byline::auth::AuthUser;
use byline::db::{run_migrations, AnyConnection, DatabaseUrl, Db};
use byline::users::domain::Role;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde_json::json;

use crate::helpers::{Backend, TestDb};

struct CountQueries(Arc<AtomicUsize>);

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Creates a published article with `children` of each kind; answers its id.
fn create_article(conn: &mut AnyConnection, author: &AuthUser, children: usize) -> String {
    let texts: Vec<_> = (0..children)
        .map(|i| json!({"text": format!("item {i}")}))
        .collect();
    let quotes: Vec<_> = (0..children)
        .map(|i| json!({"text": format!("q {i}"), "speaker": "s"}))
        .collect();
    let input: ArticleInput = serde_json::from_value(json!({
        "title": format!("Article with {children} children"),
        "tags": ["a", "b"],
        "key_takeaways": texts, "highlights": texts, "quotes": quotes,
    }))
    .expect("input");
    let (draft, echo) = domain::validate(input).expect("valid");
    let editor = Editor::user(author.clone(), 0);
    service::articles::create(conn, &editor, draft, &echo, true)
        .expect("create")
        .slug
}

fn queries_to_load(conn: &mut AnyConnection, author: &AuthUser, children: usize) -> usize {
    let slug = create_article(conn, author, children);
    let counter = Arc::new(AtomicUsize::new(0));
    conn.set_instrumentation(CountQueries(counter.clone()));
    let doc = document::find(conn, &slug, None)
        .expect("load")
        .expect("visible");
    conn.set_instrumentation(CountQueries(Arc::new(AtomicUsize::new(0))));
    assert_eq!(doc.quotes.len(), children);
    counter.load(Ordering::SeqCst)
}

/// A fresh, migrated database with one editor to write as.
struct Setup {
    pool: Db,
    author: AuthUser,
    _db: TestDb,
}

impl Setup {
    fn new(backend: Backend) -> Option<Self> {
        let db = TestDb::create(backend)?;
        let pool = Db::connect(&DatabaseUrl::parse(db.url()).expect("url"), 1).expect("pool");
        let mut conn = pool.get().expect("conn");
        run_migrations(&mut conn).expect("migrate");
        let hash = byline::auth::password::hash("irrelevant-password").expect("hash");
        let user =
            byline::users::repo::insert(&mut conn, "q@byline.test", "Q", Role::Editor, &hash)
                .expect("user");
        drop(conn);
        let author = AuthUser {
            id: user.id,
            name: user.name,
            role: Role::Editor,
        };
        Some(Self {
            pool,
            author,
            _db: db,
        })
    }
}

fn full_document_costs_a_constant_number_of_queries(backend: Backend) {
    let Some(setup) = Setup::new(backend) else {
        return;
    };
    let (mut conn, author) = (setup.pool.get().expect("conn"), setup.author.clone());
    let small = queries_to_load(&mut conn, &author, 1);
    let large = queries_to_load(&mut conn, &author, 150);
    assert_eq!(
        small, large,
        "query count must not grow with the number of children"
    );
    // The row, tags, children, related articles and the byline.
    assert!(
        (2..=5).contains(&small),
        "a full document takes {small} queries"
    );
}

#[test]
fn full_document_costs_a_constant_number_of_queries_on_sqlite() {
    full_document_costs_a_constant_number_of_queries(Backend::Sqlite);
}

#[test]
fn full_document_costs_a_constant_number_of_queries_on_postgres() {
    full_document_costs_a_constant_number_of_queries(Backend::Postgres);
}

/// Loads every column of every table through `schema.rs`, so the two migration trees and the
/// hand-written schema cannot drift apart unnoticed.
fn every_table_loads_through_the_schema(backend: Backend) {
    use byline::db::schema::*;
    use diesel::prelude::*;
    let Some(setup) = Setup::new(backend) else {
        return;
    };
    let (mut conn, author) = (setup.pool.get().expect("conn"), setup.author.clone());
    let other_slug = create_article(&mut conn, &author, 1);
    let other = document::find(&mut conn, &other_slug, None)
        .expect("load")
        .expect("visible");
    let input: ArticleInput = serde_json::from_value(json!({
        "title": "Everything", "tags": ["t"],
        "risk_notes": [{"title": "r", "body": "b", "severity": "low", "category": "c"}],
        "quotes": [{"text": "q", "speaker": "s", "context": "c", "source_url": "https://example.com"}],
        "related": [other.id],
    }))
    .expect("input");
    let (draft, echo) = domain::validate(input).expect("valid");
    let editor = Editor::user(author.clone(), 0);
    service::articles::create(&mut conn, &editor, draft, &echo, false).expect("create");
    assert!(!users::table
        .load::<byline::users::models::UserRow>(&mut *conn)
        .expect("users")
        .is_empty());
    assert!(!articles::table
        .load::<byline::articles::models::ArticleRow>(&mut *conn)
        .expect("articles")
        .is_empty());
    assert!(!article_children::table
        .load::<byline::children::models::ChildRow>(&mut *conn)
        .expect("children")
        .is_empty());
    assert!(!article_tags::table
        .load::<(String, String, i32)>(&mut *conn)
        .expect("tags")
        .is_empty());
    assert!(!article_related::table
        .load::<(String, String, i32)>(&mut *conn)
        .expect("related")
        .is_empty());
    assert!(!article_revisions::table
        .select((
            article_revisions::article_id,
            article_revisions::version,
            article_revisions::action,
            article_revisions::actor_id,
            article_revisions::actor_name,
            article_revisions::at,
            article_revisions::changed,
        ))
        .load::<byline::articles::revisions::models::RevisionRow>(&mut *conn)
        .expect("revisions")
        .is_empty());
    byline::auth::repo::start_login(&mut conn, &author.id, chrono::Duration::days(1))
        .expect("login session");
    let origin = byline::audit::Origin::default();
    byline::api_keys::repo::create(&mut conn, "Key", Role::Author, &origin).expect("api key");
    assert_eq!(
        sessions::table
            .load::<byline::auth::models::SessionRow>(&mut *conn)
            .expect("sessions")
            .len(),
        2
    );
    assert!(!refresh_tokens::table
        .load::<byline::auth::models::RefreshTokenRow>(&mut *conn)
        .expect("refresh tokens")
        .is_empty());
    assert!(!api_keys::table
        .load::<byline::api_keys::models::ApiKeyRow>(&mut *conn)
        .expect("api keys")
        .is_empty());
    assert!(!audit_log::table
        .load::<byline::audit::models::AuditRow>(&mut *conn)
        .expect("audit log")
        .is_empty());
}

#[test]
fn every_table_loads_through_the_schema_on_sqlite() {
    every_table_loads_through_the_schema(Backend::Sqlite);
}

#[test]
fn every_table_loads_through_the_schema_on_postgres() {
    every_table_loads_through_the_schema(Backend::Postgres);
}

/// Tables the migrations create that `schema.rs` leaves out on purpose: diesel's own record of
/// applied migrations, and the search index, which only backend-specific SQL reads (on SQLite,
/// FTS5 adds shadow tables named after it).
fn outside_the_schema(table: &str) -> bool {
    table == "__diesel_schema_migrations"
        || table == "article_search"
        || table.starts_with("article_search_")
        || table.starts_with("sqlite_")
}

/// The column names of `table` in the `SELECT` diesel writes for it.
fn columns_in(sql: &str, table: &str) -> BTreeSet<String> {
    let prefix = format!("`{table}`.`");
    sql.split(&prefix)
        .skip(1)
        .map(|rest| rest.split('`').next().expect("a quoted name").to_owned())
        .collect()
}

/// Every table and column `schema.rs` declares, read off the SQL diesel generates for them.
macro_rules! declared {
    ($($table:ident),* $(,)?) => {{
        use byline::db::schema::*;
        use diesel::prelude::*;
        BTreeMap::from([$({
            let select = $table::table.select($table::all_columns);
            let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&select).to_string();
            (stringify!($table).to_owned(), columns_in(&sql, stringify!($table)))
        }),*])
    }};
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

/// Every table and column the migrations created, as the database lists them.
fn columns_in_the_database(conn: &mut AnyConnection) -> BTreeMap<String, BTreeSet<String>> {
    let rows: Vec<ColumnName> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'",
        )
        .load(c),
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = current_schema()",
        )
        .load(c),
    }
    .expect("list columns");
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows
        .into_iter()
        .filter(|r| !outside_the_schema(&r.table_name))
    {
        tables
            .entry(row.table_name)
            .or_default()
            .insert(row.column_name);
    }
    tables
}

/// Loading through `schema.rs` selects the columns it names and no others, so a column the
/// migrations add and the schema lacks would go unnoticed there; this compares the names.
fn the_database_has_exactly_the_tables_and_columns_of_the_schema(backend: Backend) {
    let Some(setup) = Setup::new(backend) else {
        return;
    };
    let mut conn = setup.pool.get().expect("conn");
    // Every table of schema.rs: a table added there is added here.
    let declared = declared!(
        users,
        sessions,
        refresh_tokens,
        api_keys,
        articles,
        article_tags,
        article_children,
        article_related,
        article_revisions,
        audit_log,
        events,
        webhooks,
        webhook_deliveries,
        webhook_attempts,
        login_failures,
        article_documents,
        authors,
        article_authors,
        article_slug_history,
        preview_links,
        media,
    );
    let actual = columns_in_the_database(&mut conn);
    let none = BTreeSet::new();
    let tables: BTreeSet<&String> = actual.keys().chain(declared.keys()).collect();
    let differences: Vec<String> = tables
        .into_iter()
        .filter_map(|table| {
            let migrated = actual.get(table).unwrap_or(&none);
            let known = declared.get(table).unwrap_or(&none);
            (migrated != known).then(|| {
                let extra: Vec<_> = migrated.difference(known).collect();
                let missing: Vec<_> = known.difference(migrated).collect();
                format!("{table}: only in the migrations {extra:?}, only in schema.rs {missing:?}")
            })
        })
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn the_database_has_exactly_the_tables_and_columns_of_the_schema_on_sqlite() {
    the_database_has_exactly_the_tables_and_columns_of_the_schema(Backend::Sqlite);
}

#[test]
fn the_database_has_exactly_the_tables_and_columns_of_the_schema_on_postgres() {
    the_database_has_exactly_the_tables_and_columns_of_the_schema(Backend::Postgres);
}
