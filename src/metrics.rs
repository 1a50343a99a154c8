//! `GET /metrics`: Prometheus text format, from the `metrics` facade and its Prometheus
//! recorder. Requests are counted by route template (never the raw path, so ids cannot create
//! series), method and status, with a latency histogram; the database pool, the scheduler and
//! the webhook outbox report their own figures.
//!
//! The recorder is global, installed once per process; every application in the process (the
//! tests start many) reports into it.

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::AppError;
use crate::state::AppState;

/// Latency buckets, in seconds: fine below 10 ms, where reads live, coarse above.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// How often histograms are folded, so that their memory stays bounded between scrapes.
pub const UPKEEP: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("_duration_seconds".into()),
                &LATENCY_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder is installed already; this one then records
        // nothing, and /metrics shows what is there.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts a finished request under its route template.
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let method = method.to_owned();
    let route = route.to_owned();
    metrics::counter!(
        "byline_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "byline_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(elapsed.as_secs_f64());
}

/// Folds histograms now and then; runs forever on the current actix runtime.
pub async fn upkeep() {
    let mut interval = actix_web::rt::time::interval(UPKEEP);
    loop {
        interval.tick().await;
        handle().run_upkeep();
    }
}

/// Prometheus metrics of this process.
///
/// Requests by route template, method and status, latency histograms, the database pool,
/// scheduler runs, the webhook outbox backlog and delivery outcomes. When the server sets
/// `BYLINE_METRICS_TOKEN`, send it as a bearer token.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security((), ("metrics" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"),
        (status = 401, description = "`BYLINE_METRICS_TOKEN` is set and the request does not carry it", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn serve_metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Some(expected) = &state.config.metrics_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            given.as_bytes(),
            expected.as_bytes(),
        )) {
            return Err(AppError::Unauthorized(
                "send the metrics token as `Authorization: Bearer <token>`".into(),
            ));
        }
    }
    state.db.report_pool();
    let backlog = state
        .db
        .run(|conn| Ok(crate::webhooks::store::backlog(conn)?))
        .await;
    if let Ok(pending) = backlog {
        metrics::gauge!("byline_webhook_deliveries_pending").set(pending as f64);
    }
    let handle = handle();
    handle.run_upkeep();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(handle.render()))
}
