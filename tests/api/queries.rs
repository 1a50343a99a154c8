//! A full document costs a constant number of queries, whatever its number of children.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use byline::articles::service::{self, Editor};
use byline::articles::{document, domain, dto::ArticleInput};
use byline::auth::AuthUser;
use byline::db::{run_migrations, AnyConnection, DatabaseUrl, Db};
use byline::users::domain::Role;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;
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
    assert!(
        (2..=4).contains(&small),
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
