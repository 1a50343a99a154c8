//! Crash safety: the real binary is killed with SIGKILL while clients append children; after a
//! restart every article is consistent (contiguous positions, version = 1 + committed changes).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{Backend, TestDb, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

async fn start(db: &TestDb, port: u16) -> Server {
    start_with(db, port, &[]).await
}

/// Starts the binary with extra environment values.
pub async fn start_with(db: &TestDb, port: u16, env: &[(&str, &str)]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_byline"))
        .arg("serve")
        .envs(env.iter().copied())
        .env("DATABASE_URL", db.url())
        .env("BYLINE_BIND", format!("127.0.0.1:{port}"))
        .env("BYLINE_JWT_SECRET", JWT_SECRET)
        .env("BYLINE_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("BYLINE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("BYLINE_DEMO", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start byline");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = awc::Client::default();
    for _ in 0..100 {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await {
            if r.status().is_success() {
                return server;
            }
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("byline did not become ready");
}

pub async fn post(
    client: &awc::Client,
    url: &str,
    token: Option<&str>,
    body: Value,
) -> Result<(u16, Value), String> {
    let mut req = client.post(url);
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let mut res = req.send_json(&body).await.map_err(|e| e.to_string())?;
    let bytes = res
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    Ok((
        res.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

async fn sigkill_during_appends_leaves_consistent_articles(backend: Backend) {
    let Some(db) = TestDb::create(backend) else {
        return;
    };
    let port = free_port();
    let mut server = start(&db, port).await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    let (_, login) = post(
        &client,
        &format!("{}/api/v1/auth/login", server.base),
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await
    .expect("login");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let mut ids = vec![];
    for title in ["Crash one", "Crash two"] {
        let (status, doc) = post(
            &client,
            &format!("{}/api/v1/articles", server.base),
            Some(&token),
            json!({"title": title}),
        )
        .await
        .expect("create");
        assert_eq!(status, 201);
        ids.push(doc["id"].as_str().expect("id").to_owned());
    }

    let kinds = [
        ("quotes", json!({"text": "q", "speaker": "s"})),
        ("highlights", json!({"text": "h"})),
    ];
    let clients = (0..4).map(|i| {
        let url = format!(
            "{}/api/v1/articles/{}/{}",
            server.base,
            ids[i % 2],
            kinds[i / 2].0
        );
        let body = kinds[i / 2].1.clone();
        let token = token.clone();
        let client = client.clone();
        async move {
            let mut ok = 0;
            for n in 0..2000 {
                let mut b = body.clone();
                b["position"] = json!(1 + n % 3);
                match post(&client, &url, Some(&token), b).await {
                    Ok((201, _)) => ok += 1,
                    Ok((422, _)) => {}
                    _ => break,
                }
            }
            ok
        }
    });
    let killer = async {
        actix_web::rt::time::sleep(Duration::from_millis(600)).await;
        server.child.kill().expect("SIGKILL");
        let _ = server.child.wait();
    };
    let (oks, ()) =
        futures_util::future::join(futures_util::future::join_all(clients), killer).await;
    assert!(
        oks.iter().sum::<i32>() > 0,
        "appends happened before the kill"
    );
    eprintln!("{backend:?}: {oks:?} appends committed before SIGKILL");

    let server = start(&db, free_port()).await;
    let check = awc::Client::default();
    for id in &ids {
        let mut res = check
            .get(format!("{}/api/v1/articles/{id}", server.base))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .expect("get after restart");
        let doc: Value =
            serde_json::from_slice(&res.body().limit(16 * 1024 * 1024).await.expect("body"))
                .expect("json");
        let mut children = 0;
        for kind in ["key_takeaways", "quotes", "highlights", "risk_notes"] {
            let positions: Vec<i64> = doc[kind]
                .as_array()
                .expect(kind)
                .iter()
                .map(|c| c["position"].as_i64().expect("pos"))
                .collect();
            assert_eq!(
                positions,
                (1..=positions.len() as i64).collect::<Vec<_>>(),
                "{kind} positions contiguous"
            );
            children += positions.len() as i64;
        }
        assert_eq!(
            doc["version"].as_i64(),
            Some(1 + children),
            "version = 1 + committed appends"
        );
    }
}

#[actix_web::test]
async fn sigkill_during_appends_leaves_consistent_articles_on_sqlite() {
    sigkill_during_appends_leaves_consistent_articles(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sigkill_during_appends_leaves_consistent_articles_on_postgres() {
    sigkill_during_appends_leaves_consistent_articles(Backend::Postgres).await;
}

async fn get_json(client: &awc::Client, url: &str, token: &str) -> Value {
    let mut res = client
        .get(url)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .expect("get");
    serde_json::from_slice(&res.body().limit(16 * 1024 * 1024).await.expect("body")).expect("json")
}

async fn an_article_due_while_the_server_was_down_is_published_on_restart(backend: Backend) {
    let Some(db) = TestDb::create(backend) else {
        return;
    };
    let mut server = start(&db, free_port()).await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    let (_, login) = post(
        &client,
        &format!("{}/api/v1/auth/login", server.base),
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await
    .expect("login");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let (_, doc) = post(
        &client,
        &format!("{}/api/v1/articles", server.base),
        Some(&token),
        json!({"title": "Due while down"}),
    )
    .await
    .expect("create");
    let id = doc["id"].as_str().expect("id").to_owned();
    let publish_at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (status, _) = post(
        &client,
        &format!("{}/api/v1/articles/{id}/schedule", server.base),
        Some(&token),
        json!({"publish_at": publish_at}),
    )
    .await
    .expect("schedule");
    assert_eq!(status, 200);
    server.child.kill().expect("SIGKILL");
    let _ = server.child.wait();
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;

    let server = start(&db, free_port()).await;
    let url = format!("{}/api/v1/articles/{id}", server.base);
    let mut doc = get_json(&client, &url, &token).await;
    for _ in 0..25 {
        if doc["status"] == "published" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        doc = get_json(&client, &url, &token).await;
    }
    assert_eq!(
        doc["status"], "published",
        "published within 5 s of the restart"
    );
    assert_eq!(doc["version"], 3);
}

#[actix_web::test]
async fn an_article_due_while_the_server_was_down_is_published_on_restart_on_sqlite() {
    an_article_due_while_the_server_was_down_is_published_on_restart(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_article_due_while_the_server_was_down_is_published_on_restart_on_postgres() {
    an_article_due_while_the_server_was_down_is_published_on_restart(Backend::Postgres).await;
}

/// The outbox keeps an event whose process died right after the change committed: the
/// receiver is down until the process is killed, so no attempt before the kill can succeed,
/// and the restarted process delivers it.
async fn sigkill_after_a_publish_still_delivers_its_event(backend: Backend) {
    let Some(db) = TestDb::create(backend) else {
        return;
    };
    let env = [
        ("BYLINE_WEBHOOK_ALLOW_PRIVATE", "1"),
        ("BYLINE_WEBHOOK_RETRY_BASE_MS", "100"),
    ];
    let (port, receiver_port) = (free_port(), free_port());
    let mut server = start_with(&db, port, &env).await;
    let client = awc::Client::default();
    let (_, login) = post(
        &client,
        &format!("{}/api/v1/auth/login", server.base),
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await
    .expect("login");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let hook_url = format!("http://127.0.0.1:{receiver_port}/hook");
    let (status, _) = post(
        &client,
        &format!("{}/api/v1/webhooks", server.base),
        Some(&token),
        json!({"url": hook_url, "events": ["article.published"]}),
    )
    .await
    .expect("register");
    assert_eq!(status, 201);
    let (_, doc) = post(
        &client,
        &format!("{}/api/v1/articles", server.base),
        Some(&token),
        json!({"title": "Published, then the lights went out"}),
    )
    .await
    .expect("create");
    let id = doc["id"].as_str().expect("id").to_owned();
    let (status, _) = post(
        &client,
        &format!("{}/api/v1/articles/{id}/publish", server.base),
        Some(&token),
        json!({}),
    )
    .await
    .expect("publish");
    assert_eq!(status, 200);
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");

    let receiver = crate::receiver::Receiver::start_on(receiver_port).await;
    let _restarted = start_with(&db, port, &env).await;
    let got = receiver
        .wait_until(Duration::from_secs(45), |got| !got.is_empty())
        .await;
    let event = got[0].json();
    assert_eq!(event["type"], "article.published");
    assert_eq!(event["article"]["id"], id.as_str());
    assert_eq!(event["article"]["version"], 2);
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1, "delivered once");
}

#[actix_web::test]
async fn sigkill_after_a_publish_still_delivers_its_event_on_sqlite() {
    sigkill_after_a_publish_still_delivers_its_event(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sigkill_after_a_publish_still_delivers_its_event_on_postgres() {
    sigkill_after_a_publish_still_delivers_its_event(Backend::Postgres).await;
}
