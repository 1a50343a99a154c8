//! What the `byline` binary says at start-up, run as the real binary: warnings, the URL it
//! serves, and one-line errors with the fix for a port in use or a database it cannot open.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::both_backends;
use crate::helpers::{TestApp, TestDb, ADMIN_PASSWORD, JWT_SECRET};

/// A `byline serve` child process, killed when dropped.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `byline serve` on `db` on a free port with `env`, and returns its log up to the line
/// saying it listens (or up to its exit, when it stops first).
fn serve_log(db: &TestDb, env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_byline"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("BYLINE_")) {
        command.env_remove(key);
    }
    command
        .arg("serve")
        .env("DATABASE_URL", db.url())
        .env("BYLINE_BIND", "127.0.0.1:0")
        .env("BYLINE_JWT_SECRET", JWT_SECRET)
        .env("BYLINE_DEMO", "0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = Serving(command.spawn().expect("run byline serve"));
    let stderr = child.0.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        log.push_str(&line);
        log.push('\n');
        if line.contains("is listening") {
            break;
        }
    }
    drop(child);
    log
}

both_backends!(serve_warns_when_byline_admin_password_is_set_but_ignored);
async fn serve_warns_when_byline_admin_password_is_set_but_ignored(app: TestApp) {
    // The app's database has its first admin already.
    let log = serve_log(
        &app.database,
        &[("BYLINE_ADMIN_PASSWORD", "another-password-123")],
    );
    assert!(log.contains("BYLINE_ADMIN_PASSWORD is ignored"), "{log}");
    assert!(log.contains("byline user set-password"), "{log}");
}

both_backends!(serve_does_not_warn_when_byline_admin_password_creates_the_admin);
async fn serve_does_not_warn_when_byline_admin_password_creates_the_admin(app: TestApp) {
    let Some(db) = TestDb::create(app.backend) else {
        return;
    };
    let log = serve_log(&db, &[("BYLINE_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    assert!(log.contains("is listening"), "{log}");
    assert!(!log.contains("BYLINE_ADMIN_PASSWORD is ignored"), "{log}");
}

both_backends!(serve_prints_the_swagger_ui_url_with_the_real_port);
async fn serve_prints_the_swagger_ui_url_with_the_real_port(app: TestApp) {
    let log = serve_log(&app.database, &[]);
    let line = log
        .lines()
        .find(|l| l.contains("is listening"))
        .unwrap_or_else(|| panic!("{log}"));
    let url = line
        .split_whitespace()
        .find(|w| w.ends_with("/swagger-ui/"))
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.starts_with("http://127.0.0.1:0/"),
        "{url}"
    );
}

#[test]
fn a_port_in_use_is_one_line_suggesting_byline_bind() {
    let Some(db) = TestDb::create(crate::helpers::Backend::Sqlite) else {
        return;
    };
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("address").to_string();
    let log = serve_log(&db, &[("BYLINE_BIND", addr.as_str()), ("RUST_LOG", "warn")]);
    let last = log.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("byline: cannot listen on {addr}"))
            && last.contains("set BYLINE_BIND"),
        "{log}"
    );
}

#[test]
fn a_sqlite_file_that_cannot_be_opened_is_one_line_naming_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-dir").join("byline.db");
    let path = path.to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_byline"))
        .arg("migrate")
        .env("DATABASE_URL", &path)
        .output()
        .expect("run byline migrate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&path) && stderr.contains("does not exist"),
        "{stderr}"
    );
}

#[test]
fn a_missing_postgresql_database_is_one_line_suggesting_createdb() {
    let Some(server) = TestDb::create(crate::helpers::Backend::Postgres) else {
        return;
    };
    let mut url = url::Url::parse(server.url()).expect("url");
    let name = format!("byline_missing_{}", uuid::Uuid::now_v7().simple());
    url.set_path(&name);
    let out = Command::new(env!("CARGO_BIN_EXE_byline"))
        .arg("migrate")
        .env("DATABASE_URL", url.as_str())
        .output()
        .expect("run byline migrate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("createdb") && stderr.contains(&name),
        "{stderr}"
    );
}
