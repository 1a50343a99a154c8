//! Test harness: a real Byline server on 127.0.0.1:0 over a fresh database per test, on SQLite
//! (a temp-dir file) or PostgreSQL (a database created for the test and dropped afterwards),
//! and small typed helpers to speak HTTP to it.

use std::collections::HashMap;
use std::sync::OnceLock;

use awc::http::header::HeaderMap;
use awc::http::Method;
use byline::config::Config;
use byline::db::{AnyConnection, Db};
use byline::startup::Application;
use byline::users::domain::Role;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};

pub const ADMIN_EMAIL: &str = "admin@byline.test";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }

    /// Whether `BYLINE_TEST_BACKENDS` (`sqlite`, `postgres`, or both comma-separated; both when
    /// unset or empty) lets tests run on this backend.
    pub fn selected(self) -> bool {
        static SELECTED: OnceLock<Result<Vec<Backend>, String>> = OnceLock::new();
        let selected = SELECTED.get_or_init(|| {
            let value = std::env::var("BYLINE_TEST_BACKENDS").unwrap_or_default();
            if value.trim().is_empty() {
                return Ok(vec![Self::Sqlite, Self::Postgres]);
            }
            value
                .split(',')
                .map(|name| match name.trim() {
                    "sqlite" => Ok(Self::Sqlite),
                    "postgres" => Ok(Self::Postgres),
                    other => Err(format!(
                        "BYLINE_TEST_BACKENDS={value}: unknown backend {other:?}; \
                         use sqlite, postgres, or both separated by a comma"
                    )),
                })
                .collect()
        });
        match selected {
            Ok(backends) => backends.contains(&self),
            Err(e) => panic!("{e}"),
        }
    }
}

/// A database that exists for one test only.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    /// A fresh database, or `None` when `BYLINE_TEST_BACKENDS` leaves `backend` out, or when
    /// PostgreSQL is unreachable and not required.
    pub fn create(backend: Backend) -> Option<Self> {
        let required = std::env::var("BYLINE_REQUIRE_POSTGRES").as_deref() == Ok("1");
        if !backend.selected() {
            if required && backend == Backend::Postgres {
                panic!(
                    "BYLINE_REQUIRE_POSTGRES=1 asks for PostgreSQL, \
                     but BYLINE_TEST_BACKENDS leaves it out"
                );
            }
            skipped::not_selected(backend);
            return None;
        }
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("byline.db").to_string_lossy().into_owned();
                Some(Self::Sqlite { _dir: dir, url })
            }
            Backend::Postgres => {
                let admin_url = std::env::var("BYLINE_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/postgres".into());
                let mut conn = match PgConnection::establish(&admin_url) {
                    Ok(c) => c,
                    Err(e) => {
                        if required {
                            panic!("PostgreSQL is required (BYLINE_REQUIRE_POSTGRES=1) but {admin_url} is unreachable: {e}");
                        }
                        skipped::unreachable(&admin_url);
                        // Written past the test harness's capture, so a passing run still shows it.
                        use std::io::Write;
                        let _ = writeln!(
                            std::io::stderr(),
                            "\n!!! SKIPPED a PostgreSQL test: {admin_url} is unreachable ({e}).\n\
                             !!! Set BYLINE_TEST_POSTGRES_URL, or BYLINE_REQUIRE_POSTGRES=1 to fail instead.\n"
                        );
                        return None;
                    }
                };
                let name = format!("byline_test_{}", uuid::Uuid::now_v7().simple());
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("postgres url");
                url.set_path(&name);
                Some(Self::Postgres {
                    admin_url,
                    name,
                    url: url.to_string(),
                })
            }
        }
    }

    /// The `DATABASE_URL` of this database.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The test runs skipped in this process (a half of `both_backends!`, or the part of a test
/// on one backend), told at the very end: the harness counts each as passed, and its summary
/// line would hide that they never ran. PostgreSQL runs are skipped when the server is
/// unreachable; runs on either backend when `BYLINE_TEST_BACKENDS` leaves it out.
pub mod skipped {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Once, OnceLock};

    use super::Backend;

    static UNREACHABLE: AtomicUsize = AtomicUsize::new(0);
    static URL: OnceLock<String> = OnceLock::new();
    static NOT_SELECTED: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
    static S3: AtomicUsize = AtomicUsize::new(0);
    static AT_EXIT: Once = Once::new();

    extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    }

    fn runs(n: usize) -> &'static str {
        if n == 1 {
            "run"
        } else {
            "runs"
        }
    }

    extern "C" fn report() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let n = NOT_SELECTED[backend as usize].load(Ordering::SeqCst);
            if n > 0 {
                let value = std::env::var("BYLINE_TEST_BACKENDS").unwrap_or_default();
                eprintln!(
                    "\n!!! Skipped {n} {} test {}, counted as passed above: BYLINE_TEST_BACKENDS={value}.",
                    backend.name(),
                    runs(n)
                );
            }
        }
        let n = S3.load(Ordering::SeqCst);
        if n > 0 {
            eprintln!(
                "\n!!! Skipped {n} S3 test {}, counted as passed above: BYLINE_TEST_S3_ENDPOINT is not set.\n\
                 !!! Run ci/s3.sh for a local S3 server, or set BYLINE_REQUIRE_S3=1 to fail instead.",
                runs(n)
            );
        }
        let n = UNREACHABLE.load(Ordering::SeqCst);
        if n > 0 {
            let url = URL.get().map_or("", String::as_str);
            eprintln!(
                "\n!!! Skipped {n} PostgreSQL test {}, counted as passed above: {url} is unreachable.\n\
                 !!! Set BYLINE_TEST_POSTGRES_URL, or BYLINE_REQUIRE_POSTGRES=1 to fail instead.",
                runs(n)
            );
        }
    }

    /// Arranges for the totals to be printed when the process exits.
    fn report_at_exit() {
        AT_EXIT.call_once(|| {
            // SAFETY: `report` is a plain function that lives as long as the process, and only
            // reads statics; the C library calls it once, from `exit`, after the harness's summary.
            unsafe {
                atexit(report);
            }
        });
    }

    /// Counts one PostgreSQL run skipped because `url` is unreachable.
    pub fn unreachable(url: &str) {
        UNREACHABLE.fetch_add(1, Ordering::SeqCst);
        let _ = URL.set(url.to_owned());
        report_at_exit();
    }

    /// Counts one S3 run skipped because `BYLINE_TEST_S3_ENDPOINT` is not set.
    pub fn s3_not_configured() {
        S3.fetch_add(1, Ordering::SeqCst);
        report_at_exit();
    }

    /// Counts one run skipped because `BYLINE_TEST_BACKENDS` leaves its backend out.
    pub fn not_selected(backend: Backend) {
        NOT_SELECTED[backend as usize].fetch_add(1, Ordering::SeqCst);
        report_at_exit();
    }
}

/// A response, fully read.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts the status and that errors are problem+json with the RFC 9457 members.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if status >= 400 {
            assert_eq!(
                self.header("content-type").as_deref(),
                Some("application/problem+json")
            );
            let p = self.json();
            for member in ["type", "title", "status", "detail"] {
                assert!(p.get(member).is_some(), "problem lacks {member}: {p}");
            }
            assert_eq!(p["status"], status);
        }
        self
    }

    /// The JSON Pointers of a validation problem.
    pub fn pointers(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A running Byline on a fresh database.
pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub admin_token: String,
    pub db: Db,
    pub database: TestDb,
    /// Where this app keeps media files.
    pub media: MediaStore,
}

/// Where a test app keeps media files: a temporary directory of its own unless the test's
/// environment names a store.
pub enum MediaStore {
    Dir(tempfile::TempDir),
    S3 { endpoint: String, bucket: String },
    Configured,
}

impl MediaStore {
    /// A temporary directory, or the store `vars` name.
    fn for_env(vars: &HashMap<String, String>) -> Self {
        match (vars.get("BYLINE_MEDIA_STORE"), vars.get("BYLINE_MEDIA_DIR")) {
            (Some(url), _) => Self::S3 {
                endpoint: vars.get("AWS_ENDPOINT_URL").cloned().unwrap_or_default(),
                bucket: url
                    .trim_start_matches("s3://")
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            },
            (None, Some(_)) => Self::Configured,
            (None, None) => Self::Dir(tempfile::tempdir().expect("media dir")),
        }
    }
}

impl TestApp {
    /// Starts Byline on `backend` with the demo off; `None` when the backend is skipped.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts Byline with extra environment values.
    pub async fn spawn_with(backend: Backend, env: &[(&str, &str)]) -> Option<Self> {
        let database = TestDb::create(backend)?;
        Some(Self::spawn_on(database, backend, env).await)
    }

    /// Starts Byline on a database prepared beforehand, and logs in as `ADMIN_EMAIL` with
    /// `ADMIN_PASSWORD`, which the database must accept.
    pub async fn spawn_on(database: TestDb, backend: Backend, env: &[(&str, &str)]) -> Self {
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", database.url()),
            ("BYLINE_BIND", "127.0.0.1:0"),
            ("BYLINE_JWT_SECRET", JWT_SECRET),
            ("BYLINE_ADMIN_EMAIL", ADMIN_EMAIL),
            ("BYLINE_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("BYLINE_DEMO", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in env {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let media = MediaStore::for_env(&vars);
        if let MediaStore::Dir(dir) = &media {
            let dir = dir.path().to_string_lossy().into_owned();
            vars.insert("BYLINE_MEDIA_DIR".into(), dir);
        }
        let mut config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        config.workers = Some(1);
        let db = Db::connect(&config.database_url, 2).expect("test pool");
        let app = Application::build(config).expect("application starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.into_server());
        let mut me = Self {
            base,
            backend,
            admin_token: String::new(),
            db,
            database,
            media,
        };
        me.admin_token = me.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        me
    }

    /// Starts a second Byline process-equivalent (own pool, own scheduler) on the same database;
    /// returns its base URL.
    pub async fn spawn_second_server(&self) -> String {
        let url = self.database.url().to_owned();
        let media_dir = match &self.media {
            MediaStore::Dir(dir) => dir.path().to_string_lossy().into_owned(),
            _ => String::new(),
        };
        let vars: HashMap<&str, &str> = [
            ("DATABASE_URL", url.as_str()),
            ("BYLINE_MEDIA_DIR", media_dir.as_str()),
            ("BYLINE_BIND", "127.0.0.1:0"),
            ("BYLINE_JWT_SECRET", JWT_SECRET),
            ("BYLINE_ADMIN_EMAIL", ADMIN_EMAIL),
            ("BYLINE_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("BYLINE_DEMO", "0"),
        ]
        .into_iter()
        .collect();
        let mut config =
            Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).expect("config");
        config.workers = Some(1);
        let app = Application::build(config).expect("second application starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.into_server());
        base
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        self.login_pair(email, password).await.access
    }

    /// Logs in and returns the access and refresh tokens.
    pub async fn login_pair(&self, email: &str, password: &str) -> Pair {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await
            .expect(200);
        Pair::from_response(&r.json())
    }

    /// Exchanges a refresh token; returns the raw response.
    pub async fn refresh(&self, refresh_token: &str) -> Resp {
        self.post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh_token}),
        )
        .await
    }

    /// Creates a user through the API as the admin; returns its id.
    pub async fn create_user(&self, email: &str, role: &str, password: &str) -> String {
        self.post(
            "/api/v1/users",
            Some(&self.admin_token),
            json!({"email": email, "role": role, "password": password}),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Creates a user with `role` directly in the database and returns a token for it.
    pub async fn user_token(&self, role: Role) -> (String, String) {
        let email = format!(
            "{}-{}@byline.test",
            role.as_str(),
            uuid::Uuid::now_v7().simple()
        );
        let password = "a-long-test-password";
        let hash = byline::auth::password::hash(password).expect("hash");
        let mut conn = self.db.get().expect("conn");
        let conn: &mut AnyConnection = &mut conn;
        let user = byline::users::repo::insert(conn, &email, "Test User", role, &hash)
            .expect("insert user");
        (user.id, self.login(&email, password).await)
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let raw = body.map(|b| (serde_json::to_vec(&b).expect("json"), "application/json"));
        self.send_raw(method, path, token, headers, raw).await
    }

    /// Sends raw bytes with a content type of the caller's choosing.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(Vec<u8>, &str)>,
    ) -> Resp {
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .finish();
        let mut req = client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let res = match body {
            Some((bytes, ct)) => {
                req.insert_header(("Content-Type", ct))
                    .send_body(bytes)
                    .await
            }
            None => req.send().await,
        };
        let mut res = res.expect("request sent");
        let body = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("body read")
            .to_vec();
        Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::GET, path, token, &[], None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(Method::POST, path, token, &[], Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(Method::PUT, path, token, &[], Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(Method::PATCH, path, token, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::DELETE, path, token, &[], None).await
    }

    /// Creates an article as the admin and returns its document.
    pub async fn create_article(&self, body: Value) -> Value {
        self.post("/api/v1/articles", Some(&self.admin_token), body)
            .await
            .expect(201)
            .json()
    }

    /// Creates and publishes an article; returns the published document.
    pub async fn create_published(&self, body: Value) -> Value {
        let a = self.create_article(body).await;
        let path = format!("/api/v1/articles/{}/publish", a["id"].as_str().expect("id"));
        self.post(&path, Some(&self.admin_token), json!({}))
            .await
            .expect(200)
            .json()
    }
}

/// What a run of the `byline` binary gave.
pub struct CliRun {
    pub ok: bool,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl CliRun {
    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs the `byline` binary on `db` with `args`, feeding `stdin`, with the demo off and the
/// `BYLINE_` settings of the caller's environment removed.
pub fn byline(db: &TestDb, args: &[&str], stdin: Option<&[u8]>) -> CliRun {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_byline"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("BYLINE_")) {
        command.env_remove(key);
    }
    let mut child = command
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("BYLINE_DEMO", "0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run byline");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    CliRun {
        ok: out.status.success(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An access token with the refresh token issued with it.
#[derive(Debug, Clone)]
pub struct Pair {
    pub access: String,
    pub refresh: String,
}

impl Pair {
    /// Reads a `TokenPair` response body.
    pub fn from_response(body: &Value) -> Self {
        Self {
            access: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }
}

/// The claims of a JWT, decoded without checking anything.
pub fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// Signs claims with `secret` and `alg`, as someone holding the key could.
pub fn sign(claims: &Value, secret: &str, alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

/// A complete article body using every part of the content model.
pub fn full_article(title: &str) -> Value {
    json!({
        "title": title,
        "dek": "A standfirst with ümlauts, עברית and emoji 🗞️.",
        "seo_title": "SEO title",
        "seo_description": "SEO description",
        "summary": "Summary of the piece.",
        "body": "## Heading\n\nBody paragraph one.\n\nZero\u{200d}width joiner and combining e\u{301}.",
        "analysis": "Analysis in *markdown*.",
        "kicker": "Harbour",
        "source": "Byline test desk",
        "language": "en-GB",
        "tags": ["ferries", "local-government"],
        "key_takeaways": [{"text": "First takeaway"}, {"text": "Second takeaway"}],
        "quotes": [
            {"text": "We will sail on batteries.", "speaker": "Ana Ferreira, harbour master", "context": "At the council meeting", "source_url": "https://example.com/minutes"},
            {"text": "مرحبا بالعالم", "speaker": "Omar Haddad", "context": null, "source_url": null}
        ],
        "highlights": [{"text": "A highlight"}],
        "risk_notes": [{"title": "Grant may fall through", "body": "The national grant is not confirmed.", "severity": "high", "category": "financial"}]
    })
}

/// Runs `test` on a fresh Byline over `backend` with the extra environment values `env`, or
/// returns at once when the backend is skipped. The two halves of [`both_backends!`] call it.
pub async fn run_on<F, Fut>(backend: Backend, env: &[(&str, &str)], test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if let Some(app) = TestApp::spawn_with(backend, env).await {
        test(app).await;
    }
}

/// The extra environment of a test, empty when none is given.
#[macro_export]
macro_rules! env_or_empty {
    () => {
        &[]
    };
    ($e:expr) => {
        &$e
    };
}

/// Runs a test once on SQLite and once on PostgreSQL, as the tests `name::sqlite` and
/// `name::postgres`. The test is an ordinary function written beside it, which rustfmt formats:
///
/// ```ignore
/// both_backends!(name);
/// async fn name(app: TestApp) { … }
/// ```
///
/// An optional second argument gives extra environment values:
/// `both_backends!(name, [("BYLINE_DEMO", "1")]);`. The test written inside the macro,
/// `both_backends! { async fn name(app) { … } }` (or `(app, [(…)])`), works the same, but
/// rustfmt leaves its body as it is.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident $(, $env:expr)?) $body:block)+) => {
        $(
            $crate::both_backends!($name $(, $env)?);
            async fn $name($app: $crate::helpers::TestApp) $body
        )+
    };
    ($name:ident $(, $env:expr)? $(,)?) => {
        mod $name {
            // So that the environment may name constants of the test file.
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let env: &[(&str, &str)] = $crate::env_or_empty!($($env)?);
                $crate::helpers::run_on($crate::helpers::Backend::Sqlite, env, super::$name).await;
            }

            #[actix_web::test]
            async fn postgres() {
                let env: &[(&str, &str)] = $crate::env_or_empty!($($env)?);
                $crate::helpers::run_on($crate::helpers::Backend::Postgres, env, super::$name).await;
            }
        }
    };
}
