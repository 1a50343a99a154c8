//! Configuration from the environment (and `.env` when present), read once at start-up.
//!
//! Every value is checked here; a bad one stops start-up with one line naming the variable.

use std::net::SocketAddr;
use std::time::Duration;

use rand::RngCore;

use crate::db::DatabaseUrl;
use crate::proxy::TrustedProxies;

/// Requests a minute per caller unless `BYLINE_RATE_LIMIT` says otherwise: 20 a second on
/// average, with a minute's worth at once. Far above what a person in an editor or Swagger UI
/// does; it slows a scraper or a runaway script down to that pace.
pub const DEFAULT_RATE_LIMIT: u64 = 1_200;

/// Everything the service reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// Which database to use.
    pub database_url: DatabaseUrl,
    /// Where to listen.
    pub bind: SocketAddr,
    /// The HS256 signing key.
    pub jwt_secret: Vec<u8>,
    /// Whether the signing key was generated for this process only.
    pub jwt_secret_generated: bool,
    /// The `iss` claim issued and required.
    pub jwt_issuer: String,
    /// The `aud` claim issued and required.
    pub jwt_audience: String,
    /// Access token lifetime in seconds.
    pub access_token_ttl: u64,
    /// Refresh token lifetime in seconds; each refresh starts a new one.
    pub refresh_token_ttl: u64,
    /// The first admin's email, used only on an empty users table.
    pub admin_email: String,
    /// The first admin's password; generated and printed once when unset.
    pub admin_password: Option<String>,
    /// Request bodies above this size get 413.
    pub max_body_bytes: usize,
    /// Which browser origins may call the API, and with which methods.
    pub cors: CorsPolicy,
    /// Whether to load the demo article into an empty database.
    pub demo: bool,
    /// How many newest revisions to keep per article; 0 keeps all.
    pub revisions_keep: i64,
    /// Threads that hash and check passwords, at most this many at a time.
    pub password_threads: usize,
    /// Password calls that may wait for a thread; more are answered 503 at once.
    pub password_queue: usize,
    /// The longest a request may take, its body included.
    pub request_timeout: Duration,
    /// The first retry delay of a failed webhook delivery; each further retry waits twice as
    /// long (`BYLINE_WEBHOOK_RETRY_BASE_MS`).
    pub webhook_retry_base: Duration,
    /// Whether webhooks may point at loopback, private and link-local addresses
    /// (`BYLINE_WEBHOOK_ALLOW_PRIVATE`), for local receivers and tests.
    pub webhook_allow_private: bool,
    /// Connections in the database pool (`BYLINE_DB_POOL_SIZE`).
    pub db_pool_size: u32,
    /// How long one PostgreSQL statement may run (`BYLINE_DB_STATEMENT_TIMEOUT_MS`); `None`
    /// for no limit.
    pub db_statement_timeout: Option<Duration>,
    /// How long in-flight requests may take to finish after SIGTERM or SIGINT
    /// (`BYLINE_SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: Duration,
    /// How log lines are written (`BYLINE_LOG_FORMAT`).
    pub log_format: crate::telemetry::LogFormat,
    /// The bearer token `/metrics` requires, if any (`BYLINE_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// Requests a minute per caller (user, API key, or client address); 0 turns limits off
    /// (`BYLINE_RATE_LIMIT`).
    pub rate_limit: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`BYLINE_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// HTTP worker threads; one per core when `None`. Not read from the environment.
    pub workers: Option<usize>,
    /// The public site and its publisher, for canonical URLs, structured data, feeds and
    /// sitemaps (`BYLINE_SITE_URL`, `BYLINE_ARTICLE_PATH`, `BYLINE_PUBLISHER_NAME`,
    /// `BYLINE_PUBLISHER_LOGO_URL`).
    pub site: crate::distribution::site::Site,
    /// Media uploads and their store (`BYLINE_MEDIA_*`).
    pub media: crate::media::config::MediaConfig,
}

/// Which browser origins may call the API (`BYLINE_CORS_ORIGINS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsPolicy {
    /// Unset: any origin may read (`GET`, `HEAD`); no origin may write.
    ReadsFromAnyOrigin,
    /// `*`: any origin, every method.
    AnyOrigin,
    /// These origins, every method; no other origin.
    Origins(Vec<String>),
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid {var}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub var: &'static str,
    /// Why its value was refused.
    pub reason: String,
}

pub(crate) fn err(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        reason: reason.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads configuration through `get`, so tests can supply their own values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());

        let database_url =
            DatabaseUrl::parse(&var("DATABASE_URL").unwrap_or_else(|| "byline.db".into()))
                .map_err(|r| err("DATABASE_URL", r))?;
        let bind = var("BYLINE_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse::<SocketAddr>()
            .map_err(|e| {
                err(
                    "BYLINE_BIND",
                    format!("expected host:port, e.g. 127.0.0.1:8080 ({e})"),
                )
            })?;

        let (jwt_secret, jwt_secret_generated) = match var("BYLINE_JWT_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(err("BYLINE_JWT_SECRET", "must be at least 32 bytes long"))
            }
            Some(s) => (s.into_bytes(), false),
            None => {
                let mut key = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                (key, true)
            }
        };
        let jwt_issuer = var("BYLINE_JWT_ISSUER").unwrap_or_else(|| "byline".into());
        let jwt_audience = var("BYLINE_JWT_AUDIENCE").unwrap_or_else(|| "byline-api".into());
        let access_token_ttl = parse_number(&var, "BYLINE_ACCESS_TOKEN_TTL", 900, 1..=86_400)?;
        let refresh_token_ttl = parse_number(
            &var,
            "BYLINE_REFRESH_TOKEN_TTL",
            30 * 86_400,
            60..=365 * 86_400,
        )?;

        let admin_email = var("BYLINE_ADMIN_EMAIL").unwrap_or_else(|| "admin@localhost".into());
        if !admin_email.contains('@') {
            return Err(err("BYLINE_ADMIN_EMAIL", "must be an email address"));
        }
        let admin_password = var("BYLINE_ADMIN_PASSWORD");
        if admin_password
            .as_ref()
            .is_some_and(|p| p.chars().count() < 12)
        {
            return Err(err(
                "BYLINE_ADMIN_PASSWORD",
                "must be at least 12 characters",
            ));
        }

        let max_body_bytes = parse_number(
            &var,
            "BYLINE_MAX_BODY_BYTES",
            1_048_576,
            1_024..=1_073_741_824,
        )?;
        let max_body_bytes = usize::try_from(max_body_bytes)
            .map_err(|_| err("BYLINE_MAX_BODY_BYTES", "too large"))?;

        let cors = match var("BYLINE_CORS_ORIGINS") {
            None => CorsPolicy::ReadsFromAnyOrigin,
            Some(v) if v.trim() == "*" => CorsPolicy::AnyOrigin,
            Some(v) => {
                let origins: Vec<String> = v
                    .split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect();
                if let Some(bad) = origins.iter().find(|o| !is_origin(o)) {
                    return Err(err(
                        "BYLINE_CORS_ORIGINS",
                        format!("{bad:?} is not an origin such as https://news.example.com (scheme and host, no path)"),
                    ));
                }
                CorsPolicy::Origins(origins)
            }
        };

        let demo = parse_flag(&var, "BYLINE_DEMO", true)?;

        let revisions_keep = parse_number(&var, "BYLINE_REVISIONS_KEEP", 0, 0..=1_000_000)?;
        let revisions_keep =
            i64::try_from(revisions_keep).map_err(|_| err("BYLINE_REVISIONS_KEEP", "too large"))?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let password_threads = to_usize(
            "BYLINE_PASSWORD_THREADS",
            parse_number(
                &var,
                "BYLINE_PASSWORD_THREADS",
                u64::try_from(cores).unwrap_or(1),
                1..=256,
            )?,
        )?;
        let password_queue = to_usize(
            "BYLINE_PASSWORD_QUEUE",
            parse_number(&var, "BYLINE_PASSWORD_QUEUE", 16, 0..=10_000)?,
        )?;
        let request_timeout =
            Duration::from_secs(parse_number(&var, "BYLINE_REQUEST_TIMEOUT", 30, 1..=3_600)?);

        let webhook_retry_base = Duration::from_millis(parse_number(
            &var,
            "BYLINE_WEBHOOK_RETRY_BASE_MS",
            5_000,
            1..=3_600_000,
        )?);
        let webhook_allow_private = parse_flag(&var, "BYLINE_WEBHOOK_ALLOW_PRIVATE", false)?;
        let rate_limit = u32::try_from(parse_number(
            &var,
            "BYLINE_RATE_LIMIT",
            DEFAULT_RATE_LIMIT,
            0..=1_000_000_000,
        )?)
        .map_err(|_| err("BYLINE_RATE_LIMIT", "too large"))?;
        let trusted_proxies =
            TrustedProxies::parse(&var("BYLINE_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|r| err("BYLINE_TRUSTED_PROXIES", r))?;

        let default_pool = u64::try_from(cores.saturating_mul(2).max(4)).unwrap_or(4);
        let db_pool_size = u32::try_from(parse_number(
            &var,
            "BYLINE_DB_POOL_SIZE",
            default_pool,
            1..=1_000,
        )?)
        .map_err(|_| err("BYLINE_DB_POOL_SIZE", "too large"))?;
        let db_statement_timeout =
            match parse_number(&var, "BYLINE_DB_STATEMENT_TIMEOUT_MS", 5_000, 0..=3_600_000)? {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            };
        let shutdown_timeout = Duration::from_secs(parse_number(
            &var,
            "BYLINE_SHUTDOWN_TIMEOUT",
            30,
            0..=3_600,
        )?);
        let log_format = match var("BYLINE_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => crate::telemetry::LogFormat::Text,
            Some("json") => crate::telemetry::LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "BYLINE_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ))
            }
        };
        let metrics_token = var("BYLINE_METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(err(
                "BYLINE_METRICS_TOKEN",
                "must be at least 16 characters",
            ));
        }

        let site = crate::distribution::site::Site::from_lookup(&var)?;
        let media = crate::media::config::MediaConfig::from_lookup(&var)?;

        Ok(Self {
            database_url,
            bind,
            jwt_secret,
            jwt_secret_generated,
            jwt_issuer,
            jwt_audience,
            access_token_ttl,
            refresh_token_ttl,
            admin_email,
            admin_password,
            max_body_bytes,
            cors,
            demo,
            revisions_keep,
            password_threads,
            password_queue,
            request_timeout,
            webhook_retry_base,
            webhook_allow_private,
            db_pool_size,
            db_statement_timeout,
            shutdown_timeout,
            log_format,
            metrics_token,
            rate_limit,
            trusted_proxies,
            workers: None,
            site,
            media,
        })
    }
}

/// Whether `s` is exactly a browser origin: http(s), a host, an optional port, nothing else.
fn is_origin(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host().is_some()
            && u.origin().ascii_serialization() == s
    })
}

pub(crate) fn parse_flag(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(err(
            name,
            format!("expected 1 or 0 (or true/false), got {other:?}"),
        )),
    }
}

fn to_usize(name: &'static str, n: u64) -> Result<usize, ConfigError> {
    usize::try_from(n).map_err(|_| err(name, "too large"))
}

pub(crate) fn parse_number(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = var(name) else {
        return Ok(default);
    };
    let n: u64 = raw
        .trim()
        .parse()
        .map_err(|_| err(name, format!("expected a whole number, got {raw:?}")))?;
    if !range.contains(&n) {
        return Err(err(
            name,
            format!("must be between {} and {}", range.start(), range.end()),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
