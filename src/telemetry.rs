//! Logs and request tracing.
//!
//! Logs go to standard error through a background writer, so that a request's thread never
//! waits for the terminal or a pipe: as text by default, one JSON object per line with
//! `BYLINE_LOG_FORMAT=json`, filtered by `RUST_LOG` (default `info`, which includes the access
//! log: one line per request with method, route template, path, status and duration).
//!
//! Every request runs in a span that carries its request id: the client's `x-request-id` when
//! it is sane (1 to 128 letters, digits and `-_.:`), otherwise a new UUIDv7. The id is echoed
//! on the response and is on every log line of the request, the database work included.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The header that carries request ids.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
const MAX_ID_CHARS: usize = 128;

/// Installs the global subscriber; later calls are ignored (tests start many apps). Keep the
/// guard until the process ends: dropping it flushes the lines still queued.
pub fn init(format: LogFormat) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let installed = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    installed.ok().map(|()| guard)
}

/// A client's request id, when it is one we can repeat safely in headers and logs.
fn sane(id: &HeaderValue) -> Option<&str> {
    let id = id.to_str().ok()?;
    let ok = (1..=MAX_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then_some(id)
}

/// Runs a request in a span with its request id, echoes the id, writes the access log line
/// and counts the request for `/metrics`.
pub async fn trace(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(sane)
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let span = tracing::info_span!("request", request_id = %id);
    let method = req.method().clone();
    let header = HeaderValue::from_str(&id).ok();
    let access = |route: Option<String>, path: &str, status: u16| {
        let route = route.as_deref().unwrap_or("unmatched");
        let elapsed = started.elapsed();
        crate::metrics::record_request(method.as_str(), route, status, elapsed);
        span.in_scope(|| {
            tracing::info!(
                target: "byline::access",
                method = %method,
                route,
                path,
                status,
                duration_ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            );
        });
    };
    // Kept before the call: a request that fails in a middleware (a timeout) is gone with it.
    let (path, pattern) = (req.path().to_owned(), req.match_pattern());
    match next.call(req).instrument(span.clone()).await {
        Ok(res) => {
            let mut res = res.map_into_boxed_body();
            if let Some(value) = header {
                res.headers_mut().insert(REQUEST_ID, value);
            }
            access(
                res.request().match_pattern(),
                res.request().path(),
                res.status().as_u16(),
            );
            Ok(res)
        }
        Err(e) => {
            // The error becomes its response one level up; give that response the id too.
            let mut res = e.error_response();
            if let Some(value) = header {
                res.headers_mut().insert(REQUEST_ID, value);
            }
            access(pattern, &path, res.status().as_u16());
            Err(actix_web::error::InternalError::from_response(e, res).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_short_plain_tokens() {
        for ok in [
            "abc",
            "req-7f3a.9:b_c",
            "01a23300-518f-77c9-bac5-46e341729e2c",
        ] {
            assert_eq!(sane(&HeaderValue::from_static(ok)), Some(ok));
        }
        let long = "x".repeat(MAX_ID_CHARS + 1);
        for bad in ["", "has space", "quote\"d", "semi;colon", long.as_str()] {
            let value = HeaderValue::from_str(bad).expect("a header value");
            assert_eq!(sane(&value), None, "{bad}");
        }
    }
}
