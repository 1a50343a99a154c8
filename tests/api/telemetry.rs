//! Request ids and logs, read from the real binary's standard error: every response carries
//! `x-request-id` (the client's when it is sane), the access log line of a request carries it,
//! and with `BYLINE_LOG_FORMAT=json` every line is a JSON object.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::crash::free_port;
use crate::helpers::{Backend, TestDb, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};

struct Logged {
    child: std::process::Child,
    base: String,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Logged {
    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .expect("log")
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

async fn start_logging(db: &TestDb, env: &[(&str, &str)]) -> Logged {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("stderr.log");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_byline"))
        .arg("serve")
        .current_dir(dir.path())
        .env("DATABASE_URL", db.url())
        .env("BYLINE_BIND", format!("127.0.0.1:{port}"))
        .env("BYLINE_JWT_SECRET", JWT_SECRET)
        .env("BYLINE_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("BYLINE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("BYLINE_DEMO", "0")
        .env("BYLINE_RATE_LIMIT", "0")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("start byline");
    let logged = Logged {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
        _dir: dir,
    };
    let client = awc::Client::default();
    for _ in 0..100 {
        if client
            .get(format!("{}/readyz", logged.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return logged;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("byline did not become ready");
}

async fn request_id(base: &str, path: &str, sent: Option<&str>) -> String {
    let mut req = awc::Client::default().get(format!("{base}{path}"));
    if let Some(id) = sent {
        req = req.insert_header(("x-request-id", id));
    }
    let res = req.send().await.expect("sent");
    res.headers()
        .get("x-request-id")
        .expect("x-request-id on every response")
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// The log lines, once one of them contains `needle` (the access log is written off the
/// request's thread).
async fn lines_with(server: &Logged, needle: &str) -> Vec<String> {
    for _ in 0..100 {
        let lines = server.lines();
        if lines.iter().any(|l| l.contains(needle)) {
            return lines;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no log line contains {needle:?}: {:?}", server.lines());
}

#[actix_web::test]
async fn a_sane_request_id_is_echoed_and_logged_and_an_insane_one_replaced() {
    let Some(db) = TestDb::create(Backend::Sqlite) else {
        return;
    };
    let server = start_logging(&db, &[]).await;
    assert_eq!(
        request_id(&server.base, "/healthz", Some("req-7f3a.9:b_c")).await,
        "req-7f3a.9:b_c"
    );
    let generated = request_id(&server.base, "/api/v1/articles/no-such-article", None).await;
    assert_eq!(
        uuid::Uuid::parse_str(&generated)
            .map(|u| u.get_version_num())
            .ok(),
        Some(7),
        "{generated}"
    );
    for insane in ["has space", "quote\"d", &"x".repeat(129)] {
        let replaced = request_id(&server.base, "/healthz", Some(insane)).await;
        assert_ne!(replaced, insane);
        assert!(uuid::Uuid::parse_str(&replaced).is_ok());
    }
    let lines = lines_with(&server, &generated).await;
    let line = lines
        .iter()
        .find(|l| l.contains(&generated))
        .expect("the request's access line");
    assert!(
        line.contains("/api/v1/articles/{id}") && line.contains("404"),
        "{line}"
    );
    assert!(lines.iter().any(|l| l.contains("req-7f3a.9:b_c")));
}

#[actix_web::test]
async fn json_logs_are_one_object_per_line_with_the_request_id() {
    let Some(db) = TestDb::create(Backend::Sqlite) else {
        return;
    };
    let server = start_logging(&db, &[("BYLINE_LOG_FORMAT", "json")]).await;
    request_id(
        &server.base,
        "/api/v1/articles?limit=5",
        Some("json-line-check"),
    )
    .await;
    let lines = lines_with(&server, "json-line-check").await;
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let access = parsed
        .iter()
        .find(|v| v.to_string().contains("json-line-check"))
        .expect("access line");
    let text = access.to_string();
    assert!(
        text.contains("\"status\":200") && text.contains("/api/v1/articles"),
        "{text}"
    );
}

/// The samples of a scrape in the text exposition format: series (name and labels) to value.
/// CI also parses a scrape with the Prometheus client library's own parser (ci/metrics.sh).
fn samples(body: &str) -> std::collections::BTreeMap<String, f64> {
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("not a sample: {l}"));
            (
                series.to_owned(),
                value.parse().unwrap_or_else(|_| panic!("not a value: {l}")),
            )
        })
        .collect()
}

fn series(body: &str) -> std::collections::BTreeSet<String> {
    samples(body).into_keys().collect()
}

async fn scrape(base: &str, token: Option<&str>) -> (u16, String) {
    let mut req = awc::Client::default().get(format!("{base}/metrics"));
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let mut res = req.send().await.expect("sent");
    let body = res.body().limit(16 * 1024 * 1024).await.expect("body");
    (
        res.status().as_u16(),
        String::from_utf8(body.to_vec()).expect("utf-8"),
    )
}

#[actix_web::test]
async fn metrics_count_requests_by_route_template_so_ids_add_no_series() {
    let Some(db) = TestDb::create(Backend::Sqlite) else {
        return;
    };
    let server = start_logging(&db, &[]).await;
    let client = awc::Client::default();
    let read = |n: usize| {
        let client = client.clone();
        let url = format!("{}/api/v1/articles/{}", server.base, uuid::Uuid::now_v7());
        async move {
            let status = client.get(url).send().await.expect("sent").status();
            assert_eq!(status.as_u16(), 404, "request {n}");
        }
    };
    for n in 0..10 {
        read(n).await;
    }
    let (status, first) = scrape(&server.base, None).await;
    assert_eq!(status, 200);
    let before = series(&first);
    for n in 10..1000 {
        read(n).await;
    }
    let (_, second) = scrape(&server.base, None).await;
    let after = series(&second);
    let new: Vec<&String> = after.difference(&before).collect();
    assert!(
        new.iter().all(|s| !s.contains("/api/v1/articles/{id}")),
        "1,000 ids added series: {new:?}"
    );
    let counted = samples(&second)
        .get(r#"byline_http_requests_total{method="GET",route="/api/v1/articles/{id}",status="404"}"#)
        .copied();
    assert_eq!(counted, Some(1000.0));
    for name in [
        "byline_http_request_duration_seconds_bucket",
        "byline_db_pool_connections",
        "byline_webhook_deliveries_pending",
        "byline_scheduler_runs_total",
    ] {
        assert!(after.iter().any(|s| s.starts_with(name)), "{name} missing");
    }
}

#[actix_web::test]
async fn metrics_need_the_token_when_one_is_set() {
    let Some(db) = TestDb::create(Backend::Sqlite) else {
        return;
    };
    let token = "metrics-token-0123456789";
    let server = start_logging(&db, &[("BYLINE_METRICS_TOKEN", token)]).await;
    assert_eq!(scrape(&server.base, None).await.0, 401);
    assert_eq!(
        scrape(&server.base, Some("metrics-token-wrong-guess"))
            .await
            .0,
        401
    );
    assert_eq!(scrape(&server.base, Some(token)).await.0, 200);
}
