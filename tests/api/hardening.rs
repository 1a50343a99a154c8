//! Limits that keep one client from hurting the others or the service: bounded password
//! hashing, capped error lists, disk-full handling, security headers and CORS, request
//! deadlines, the SQLite write-ahead log, and what a slug conflict reveals.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use awc::http::Method;
use byline::db::AnyConnection;
use byline::users::domain::Role;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Resp, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn assert_security_headers(r: &Resp, what: &str) {
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        r.header("referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what}"
    );
    assert!(r.header("content-security-policy").is_some(), "{what}");
}

async fn preflight(app: &TestApp, origin: &str, method: &str) -> Resp {
    app.send(
        Method::OPTIONS,
        "/api/v1/articles",
        None,
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", method),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ),
        ],
        None,
    )
    .await
}

/// Sends raw bytes on a new connection and returns everything the server sends back until it
/// closes the connection (or `limit` passes).
fn raw_exchange(base: &str, request: &[u8], limit: Duration) -> (Vec<u8>, Duration) {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(limit)).expect("read timeout");
    let started = Instant::now();
    stream.write_all(request).expect("send");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    (answer, started.elapsed())
}

both_backends!(
    logins_beyond_the_password_queue_get_503_with_retry_after,
    [
        ("BYLINE_PASSWORD_THREADS", "1"),
        ("BYLINE_PASSWORD_QUEUE", "0")
    ]
);
async fn logins_beyond_the_password_queue_get_503_with_retry_after(app: TestApp) {
    let attempts = (0..24).map(|i| {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": format!("nobody-{i}@byline.test"), "password": "not-the-password"}),
        )
    });
    let answers = futures_util::future::join_all(attempts).await;
    let busy: Vec<&Resp> = answers.iter().filter(|r| r.status == 503).collect();
    assert!(
        answers.iter().all(|r| r.status == 401 || r.status == 503),
        "only 401 and 503 expected"
    );
    assert!(
        answers.iter().any(|r| r.status == 401),
        "some logins must get through"
    );
    assert!(
        !busy.is_empty(),
        "with one thread and no queue, concurrent logins must be refused"
    );
    for r in busy {
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(r.json()["type"], "urn:byline:problem:overloaded");
    }
    // A refused attempt is no guess: the admin is not locked out, and logs in at once.
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

both_backends!(passwords_set_through_the_pool_work);
async fn passwords_set_through_the_pool_work(app: TestApp) {
    let id = app
        .create_user("pool@byline.test", "editor", "first-password-123")
        .await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"password": "second-password-123"}),
    )
    .await
    .expect(200);
    let token = app.login("pool@byline.test", "second-password-123").await;
    app.put(
        "/api/v1/auth/me/password",
        Some(&token),
        json!({"current_password": "second-password-123", "new_password": "third-password-123"}),
    )
    .await
    .expect(200);
    app.login("pool@byline.test", "third-password-123").await;
}

both_backends!(a_body_with_300_invalid_fields_lists_100_and_counts_300);
async fn a_body_with_300_invalid_fields_lists_100_and_counts_300(app: TestApp) {
    // 100 quotes with an empty text and speaker, and 100 empty highlights: 300 errors.
    let quotes: Vec<_> = (0..100)
        .map(|_| json!({"text": "", "speaker": ""}))
        .collect();
    let highlights: Vec<_> = (0..100).map(|_| json!({"text": ""})).collect();
    let body = json!({"title": "Too many mistakes", "quotes": quotes, "highlights": highlights});
    let r = app
        .post("/api/v1/articles", Some(&app.admin_token), body)
        .await
        .expect(422);
    let problem = r.json();
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(100));
    assert_eq!(
        problem["detail"],
        "the request body has 300 invalid fields; the first 100 are listed"
    );
}

both_backends!(every_response_carries_the_security_headers);
async fn every_response_carries_the_security_headers(app: TestApp) {
    let doc = app.create_article(json!({"title": "Headers"})).await;
    let id = doc["id"].as_str().expect("id");
    let answers = [
        ("healthz", app.get("/healthz", None).await.expect(200)),
        ("readyz", app.get("/readyz", None).await.expect(200)),
        ("list", app.get("/api/v1/articles", None).await.expect(200)),
        (
            "draft",
            app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
                .await
                .expect(200),
        ),
        (
            "unknown route",
            app.get("/api/v1/nothing-here", None).await.expect(404),
        ),
        (
            "NUL in path",
            app.get("/api/v1/articles/a%00b", None).await.expect(404),
        ),
        (
            "wrong method",
            app.send(Method::DELETE, "/healthz", None, &[], None)
                .await
                .expect(405),
        ),
        (
            "no token",
            app.post("/api/v1/articles", None, json!({"title": "t"}))
                .await
                .expect(401),
        ),
        (
            "invalid body",
            app.post(
                "/api/v1/articles",
                Some(&app.admin_token),
                json!({"title": ""}),
            )
            .await
            .expect(422),
        ),
        (
            "openapi",
            app.get("/api-docs/openapi.json", None).await.expect(200),
        ),
    ];
    for (what, r) in &answers {
        assert_security_headers(r, what);
        assert_eq!(
            r.header("content-security-policy").as_deref(),
            Some(API_CSP),
            "{what}"
        );
    }
}

both_backends!(swagger_ui_gets_a_policy_that_lets_it_run);
async fn swagger_ui_gets_a_policy_that_lets_it_run(app: TestApp) {
    let r = app.get("/swagger-ui/", None).await.expect(200);
    assert_security_headers(&r, "swagger-ui");
    let csp = r.header("content-security-policy").expect("csp");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
}

both_backends!(by_default_any_origin_may_read_but_not_write);
async fn by_default_any_origin_may_read_but_not_write(app: TestApp) {
    let read = preflight(&app, "https://reader.example", "GET")
        .await
        .expect(200);
    assert_eq!(
        read.header("access-control-allow-origin").as_deref(),
        Some("https://reader.example")
    );
    let r = app
        .send(
            Method::GET,
            "/api/v1/articles",
            None,
            &[("Origin", "https://reader.example")],
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://reader.example")
    );
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let refused = preflight(&app, "https://reader.example", method)
            .await
            .expect(400);
        assert_eq!(
            refused.json()["type"],
            "urn:byline:problem:cors-refused",
            "{method}"
        );
        assert!(
            refused.header("access-control-allow-origin").is_none(),
            "{method}"
        );
        assert_security_headers(&refused, method);
    }
}

both_backends!(
    listed_origins_may_write_and_no_other_origin_may,
    [("BYLINE_CORS_ORIGINS", "https://newsroom.example")]
);
async fn listed_origins_may_write_and_no_other_origin_may(app: TestApp) {
    let allowed = preflight(&app, "https://newsroom.example", "POST")
        .await
        .expect(200);
    assert_eq!(
        allowed.header("access-control-allow-origin").as_deref(),
        Some("https://newsroom.example")
    );
    let methods = allowed
        .header("access-control-allow-methods")
        .expect("allowed methods");
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    for method in ["GET", "POST"] {
        let refused = preflight(&app, "https://elsewhere.example", method)
            .await
            .expect(400);
        assert_eq!(refused.json()["type"], "urn:byline:problem:cors-refused");
        assert_security_headers(&refused, method);
    }
}

both_backends!(
    a_body_that_stalls_gets_408_and_its_connection_closes,
    [("BYLINE_REQUEST_TIMEOUT", "1")]
);
async fn a_body_that_stalls_gets_408_and_its_connection_closes(app: TestApp) {
    let base = app.base.clone();
    let request = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: byline.test\r\n\
        Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\"";
    let (answer, took) = actix_web::rt::task::spawn_blocking(move || {
        raw_exchange(&base, request, Duration::from_secs(15))
    })
    .await
    .expect("exchange");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(
        text.contains("urn:byline:problem:request-timeout"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase()
            .contains("x-content-type-options: nosniff"),
        "{text}"
    );
    assert!(
        took < Duration::from_secs(10),
        "the stalled connection stayed open for {took:?}"
    );
    // The server still answers everyone else.
    app.get("/healthz", None).await.expect(200);
}

both_backends!(a_100_kb_url_is_refused_by_the_http_layer_without_harm);
async fn a_100_kb_url_is_refused_by_the_http_layer_without_harm(app: TestApp) {
    let base = app.base.clone();
    let mut request = format!(
        "GET /api/v1/articles/{} HTTP/1.1\r\nHost: byline.test\r\n\r\n",
        "a".repeat(100 * 1024)
    )
    .into_bytes();
    request.shrink_to_fit();
    let (answer, _) = actix_web::rt::task::spawn_blocking(move || {
        raw_exchange(&base, &request, Duration::from_secs(15))
    })
    .await
    .expect("exchange");
    let text = String::from_utf8_lossy(&answer);
    // Refused before routing (see README, "Security and limits"): 400 from the URI parser.
    assert!(
        text.starts_with("HTTP/1.1 400") || text.starts_with("HTTP/1.1 431"),
        "{text}"
    );
    app.get("/healthz", None).await.expect(200);
}

both_backends!(a_checkpoint_empties_the_sqlite_write_ahead_log);
async fn a_checkpoint_empties_the_sqlite_write_ahead_log(app: TestApp) {
    for i in 0..40 {
        app.create_article(json!({"title": format!("Checkpoint {i}"), "body": "x".repeat(20_000)}))
            .await;
    }
    let mut conn = app.db.get().expect("conn");
    let conn: &mut AnyConnection = &mut conn;
    // A checkpoint gives way to a reader or writer still busy, as the periodic one does.
    let mut finished = false;
    for _ in 0..20 {
        finished = byline::db::checkpoint_wal(conn).expect("checkpoint");
        if finished {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(finished, "the checkpoint never finished");
    if app.backend == Backend::Sqlite {
        let wal = PathBuf::from(format!("{}-wal", app.database.url()));
        let size = std::fs::metadata(&wal)
            .expect("SQLite writes through a write-ahead log")
            .len();
        assert_eq!(size, 0, "the WAL still holds {size} bytes");
        #[derive(QueryableByName)]
        struct AutoCheckpoint {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            wal_autocheckpoint: i32,
        }
        #[derive(QueryableByName)]
        struct SizeLimit {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            journal_size_limit: i64,
        }
        let AnyConnection::Sqlite(c) = conn else {
            unreachable!("an SQLite pool")
        };
        let auto: AutoCheckpoint = diesel::sql_query("PRAGMA wal_autocheckpoint")
            .get_result(c)
            .expect("pragma");
        assert_eq!(auto.wal_autocheckpoint, 1000);
        let limit: SizeLimit = diesel::sql_query("PRAGMA journal_size_limit")
            .get_result(c)
            .expect("pragma");
        assert_eq!(limit.journal_size_limit, 16 * 1024 * 1024);
    }
    // Everything written is still there.
    let list = app
        .get("/api/v1/articles?limit=100", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(list["data"].as_array().map(Vec::len), Some(40));
}

both_backends!(a_taken_slug_conflict_names_no_other_article);
async fn a_taken_slug_conflict_names_no_other_article(app: TestApp) {
    let (_, author_a) = app.user_token(Role::Author).await;
    let (_, author_b) = app.user_token(Role::Author).await;
    let hidden = app
        .post(
            "/api/v1/articles",
            Some(&author_a),
            json!({"title": "Merger talks with Northwind", "slug": "merger-talks"}),
        )
        .await
        .expect(201)
        .json();
    let r = app
        .post(
            "/api/v1/articles",
            Some(&author_b),
            json!({"title": "Something else", "slug": "merger-talks"}),
        )
        .await
        .expect(409);
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert_eq!(
        r.json()["detail"],
        "an article with this slug already exists"
    );
    for secret in [
        hidden["id"].as_str().expect("id"),
        "Northwind",
        hidden["author_id"].as_str().expect("author"),
    ] {
        assert!(!body.contains(secret), "the 409 reveals {secret}: {body}");
    }
}

/// Unmounts the test's tmpfs when the test ends, however it ends.
struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

fn mount_tmpfs(dir: &Path, size: &str) -> Option<Tmpfs> {
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    mounted.then(|| Tmpfs(dir.to_owned()))
}

/// Writes zeros into `path` until the file system is full.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    // The last partial chunk may still be in the page cache; make the file system account it.
    let _ = file.sync_all();
}

#[actix_web::test]
#[ignore = "mounts a tmpfs, which needs root; .ci/run runs it"]
async fn sqlite_out_of_disk_space_is_503_until_space_is_freed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(_tmpfs) = mount_tmpfs(dir.path(), "8m") else {
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED the disk-full test: mounting a tmpfs was not permitted (run as root).\n"
        );
        return;
    };
    let db_path = dir.path().join("byline.db");
    let url = db_path.to_string_lossy().into_owned();
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &[("DATABASE_URL", url.as_str())]).await
    else {
        return;
    };
    app.create_article(json!({"title": "Written before the disk filled up"}))
        .await;

    let filler = dir.path().join("filler");
    fill(&filler);
    let mut refused = None;
    for i in 0..200 {
        let body =
            json!({"title": format!("Too big for the disk {i}"), "body": "x".repeat(150_000)});
        let r = app
            .post("/api/v1/articles", Some(&app.admin_token), body)
            .await;
        match r.status {
            201 => continue,
            503 => {
                refused = Some(r);
                break;
            }
            other => panic!(
                "a full disk answered {other}: {}",
                String::from_utf8_lossy(&r.body)
            ),
        }
    }
    let refused = refused
        .expect("no write was refused on a full disk")
        .expect(503);
    let failed_at = Instant::now();
    assert_eq!(refused.header("retry-after").as_deref(), Some("5"));
    assert_eq!(refused.json()["type"], "urn:byline:problem:storage-full");
    let not_ready = app.get("/readyz", None).await.expect(503);
    assert_eq!(not_ready.header("retry-after").as_deref(), Some("5"));
    // Reads still work while writes cannot.
    app.get("/api/v1/articles", None).await.expect(200);

    std::fs::remove_file(&filler).expect("free the space");
    let quiet = Duration::from_millis(5_500).saturating_sub(failed_at.elapsed());
    actix_web::rt::time::sleep(quiet).await;
    app.get("/readyz", None).await.expect(200);
    app.create_article(
        json!({"title": "Written after space was freed", "body": "x".repeat(150_000)}),
    )
    .await;

    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = app.db.get().expect("conn");
    let conn: &mut AnyConnection = &mut conn;
    let AnyConnection::Sqlite(c) = conn else {
        unreachable!("an SQLite pool")
    };
    c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let check: Check = diesel::sql_query("PRAGMA integrity_check")
        .get_result(c)
        .expect("integrity check");
    assert_eq!(check.integrity_check, "ok");
}
