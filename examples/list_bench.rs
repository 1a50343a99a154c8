//! Measures list and search latency over a large table, against a release build:
//! page 1 against page 500 (the cost must not grow with depth), a tag filter and searches,
//! and prints the database's query plan for each.
//!
//! ```sh
//! cargo run --release --example list_bench -- sqlite 100000
//! cargo run --release --example list_bench -- postgres 100000   # uses BYLINE_TEST_POSTGRES_URL
//! ```

use std::time::{Duration, Instant};

use byline::articles::list::{self, ListParams, ListQuery};
use byline::config::Config;
use byline::cursor::CursorKey;
use byline::db::{DatabaseUrl, Db};
use byline::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::Connection;

const WORDS: [&str; 24] = [
    "harbour", "council", "budget", "ferry", "election", "drought", "grid", "rail", "school",
    "hospital", "port", "energy", "housing", "tariff", "museum", "river", "bridge", "airport",
    "festival", "court", "police", "market", "climate", "farm",
];
const ITERATIONS: usize = 300;

fn main() {
    let mut args = std::env::args().skip(1);
    let backend = args.next().unwrap_or_else(|| "sqlite".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, cleanup) = match backend.as_str() {
        "sqlite" => (
            dir.path().join("bench.db").to_string_lossy().into_owned(),
            None,
        ),
        "postgres" => {
            let admin = std::env::var("BYLINE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/postgres".into());
            let name = format!("byline_bench_{}", uuid::Uuid::now_v7().simple());
            let mut c = diesel::PgConnection::establish(&admin).expect("postgres");
            c.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            let mut u = url::Url::parse(&admin).expect("url");
            u.set_path(&name);
            (u.to_string(), Some((admin, name)))
        }
        other => panic!("backend must be sqlite or postgres, not {other}"),
    };
    actix_web::rt::System::new().block_on(run(&backend, &url, n));
    if let Some((admin, name)) =
        cleanup.filter(|_| std::env::var_os("BENCH_KEEP_DATABASE").is_none())
    {
        if let Ok(mut c) = diesel::PgConnection::establish(&admin) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

async fn run(backend: &str, url: &str, n: usize) {
    let env = [
        ("DATABASE_URL", url),
        ("BYLINE_BIND", "127.0.0.1:0"),
        (
            "BYLINE_JWT_SECRET",
            "benchmark-secret-benchmark-secret-0123",
        ),
        ("BYLINE_ADMIN_PASSWORD", "benchmark-password"),
        ("BYLINE_DEMO", "0"),
    ];
    let config = Config::from_lookup(|k| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("config");
    let key = CursorKey::derive(&config.jwt_secret);
    let app = Application::build(config).expect("start");
    let base = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.into_server());

    let db = Db::connect(&DatabaseUrl::parse(url).expect("url"), 1).expect("pool");
    let started = Instant::now();
    seed(&db, n);
    eprintln!(
        "seeded {n} articles in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let mut cursor = String::new();
    for _ in 1..500 {
        let page = get(&client, &format!("{base}/api/v1/articles?limit=20{cursor}")).await;
        let next = page["meta"]["next_cursor"]
            .as_str()
            .expect("500 pages exist")
            .to_owned();
        cursor = format!("&cursor={next}");
    }
    let cases = [
        (
            "list, page 1",
            "limit=20".to_owned(),
            ListParams {
                limit: Some("20".into()),
                ..Default::default()
            },
        ),
        (
            "list, page 500",
            format!("limit=20{cursor}"),
            ListParams {
                limit: Some("20".into()),
                cursor: Some(cursor.trim_start_matches("&cursor=").into()),
                ..Default::default()
            },
        ),
        (
            "tag filter, page 1",
            "tag=tag-7&limit=20".into(),
            ListParams {
                tag: Some("tag-7".into()),
                limit: Some("20".into()),
                ..Default::default()
            },
        ),
        (
            "title sort, page 1",
            "sort=title&limit=20".into(),
            ListParams {
                sort: Some("title".into()),
                limit: Some("20".into()),
                ..Default::default()
            },
        ),
        (
            "search, rare word (1 %)",
            "q=zeppelin&limit=20".into(),
            ListParams {
                q: Some("zeppelin".into()),
                limit: Some("20".into()),
                ..Default::default()
            },
        ),
        (
            "search, common word (~29 %)",
            "q=harbour&limit=20".into(),
            ListParams {
                q: Some("harbour".into()),
                limit: Some("20".into()),
                ..Default::default()
            },
        ),
        (
            "search, newest first",
            "q=zeppelin&sort=-published_at&limit=20".into(),
            ListParams {
                q: Some("zeppelin".into()),
                sort: Some("-published_at".into()),
                limit: Some("20".into()),
                ..Default::default()
            },
        ),
    ];
    println!("\n### {backend}, {n} articles, {ITERATIONS} sequential requests per case\n");
    println!("| case | median | p95 | ratio to page 1 (median) |");
    println!("|---|---|---|---|");
    let mut baseline = None;
    let mut plans = vec![];
    for (name, query, params) in cases {
        let url = format!("{base}/api/v1/articles?{query}");
        let mut times = Vec::with_capacity(ITERATIONS);
        for _ in 0..20 {
            get(&client, &url).await;
        }
        for _ in 0..ITERATIONS {
            let t = Instant::now();
            get(&client, &url).await;
            times.push(t.elapsed());
        }
        times.sort();
        let median = times[ITERATIONS / 2];
        let p95 = times[ITERATIONS * 95 / 100];
        let base_median = *baseline.get_or_insert(median);
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} |",
            ms(median),
            ms(p95),
            median.as_secs_f64() / base_median.as_secs_f64()
        );
        let q = ListQuery::parse(params, &key).expect("query");
        let mut conn = db.get().expect("conn");
        plans.push((name, list::explain(&mut conn, &q, None).expect("plan")));
    }
    println!("\n#### Query plans ({backend})\n");
    for (name, plan) in plans {
        println!("{name}:\n```\n{plan}\n```");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn get(client: &awc::Client, url: &str) -> serde_json::Value {
    let mut res = client.get(url).send().await.expect("request");
    assert!(res.status().is_success(), "{url}: {}", res.status());
    serde_json::from_slice(&res.body().limit(64 << 20).await.expect("body")).expect("json")
}

/// Inserts `n` articles (95 % published, two tags each, 1 % mentioning "zeppelin", all of those
/// published) in batches.
fn seed(db: &Db, n: usize) {
    use diesel::prelude::*;
    let mut conn = db.get().expect("conn");
    let author: String = byline::db::schema::users::table
        .select(byline::db::schema::users::id)
        .first(&mut *conn)
        .expect("admin");
    let base = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    let sqlite = matches!(*conn, byline::db::AnyConnection::Sqlite(_));
    conn.batch_execute("BEGIN").expect("begin");
    for start in (0..n).step_by(1000) {
        let mut articles = String::from(
            "INSERT INTO articles (id, slug, title, summary, body, language, status, published_at, created_at, \
             updated_at, version, author_id, listed_at) VALUES ",
        );
        let mut tags = String::from("INSERT INTO article_tags (article_id, tag, position) VALUES ");
        for i in start..(start + 1000).min(n) {
            let id = uuid::Uuid::now_v7().to_string();
            let t =
                (base + chrono::Duration::seconds(i as i64 * 60)).format("%Y-%m-%d %H:%M:%S%.6f");
            let w = |k: usize| WORDS[(i * 7 + k * 13) % WORDS.len()];
            let published = i % 20 != 0;
            let status = if published { "published" } else { "draft" };
            let published_at = if published {
                format!("'{t}'")
            } else {
                "NULL".into()
            };
            let extra = if i % 100 == 1 { " zeppelin" } else { "" };
            if i > start {
                articles.push(',');
                tags.push(',');
            }
            articles.push_str(&format!(
                "('{id}', 'article-{i}', 'Article {i} on the {} {}', 'Summary of {} news.', \
                 'The {} and the {} met the {} on {}.{extra}', 'en', '{status}', {published_at}, '{t}', '{t}', 1, '{author}', '{t}')",
                w(0), w(1), w(2), w(3), w(4), w(5), w(6)
            ));
            let (a, b) = (i % 50, (i * 7 + 3) % 50);
            let b = if a == b { (b + 1) % 50 } else { b };
            tags.push_str(&format!("('{id}', 'tag-{a}', 0), ('{id}', 'tag-{b}', 1)"));
        }
        conn.batch_execute(&articles).expect("articles");
        conn.batch_execute(&tags).expect("tags");
    }
    let search = if sqlite {
        "INSERT INTO article_search (article_id, title, dek, summary, body, quotes) \
         SELECT id, title, '', COALESCE(summary, ''), COALESCE(body, ''), '' FROM articles"
    } else {
        "INSERT INTO article_search (article_id, document) SELECT id, \
         setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', COALESCE(summary, '')), 'B') \
         || setweight(to_tsvector('english', COALESCE(body, '')), 'C') FROM articles \
         ON CONFLICT (article_id) DO NOTHING"
    };
    conn.batch_execute(search).expect("search index");
    conn.batch_execute("COMMIT").expect("commit");
    conn.batch_execute(if sqlite { "ANALYZE" } else { "VACUUM ANALYZE" })
        .expect("analyze");
}
