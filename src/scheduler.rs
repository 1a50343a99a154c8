//! Publishes scheduled articles when their time comes: checked every second, and once at
//! start-up so that articles that fell due while the service was down go out at once.

use std::time::Duration;

use actix_web::web;

use crate::articles::service;
use crate::state::AppState;

/// How often due articles are looked for; well inside the promised 5 seconds.
const TICK: Duration = Duration::from_secs(1);

/// Runs on the current actix runtime until `stopping` turns true; a round in progress
/// finishes first.
pub async fn run(state: web::Data<AppState>, mut stopping: tokio::sync::watch::Receiver<bool>) {
    let mut interval = actix_web::rt::time::interval(TICK);
    loop {
        let tick = Box::pin(interval.tick());
        let stop = Box::pin(crate::startup::until_stopped(&mut stopping));
        if let futures_util::future::Either::Right(_) =
            futures_util::future::select(tick, stop).await
        {
            return;
        }
        metrics::counter!("byline_scheduler_runs_total").increment(1);
        let keep = state.config.revisions_keep;
        match state
            .db
            .run(move |conn| service::workflow::publish_due(conn, keep))
            .await
        {
            Ok(0) => {}
            Ok(n) => {
                metrics::counter!("byline_scheduler_published_total").increment(n as u64);
                tracing::info!(published = n, "published scheduled articles");
            }
            Err(e) => tracing::warn!(error = %e, "could not publish scheduled articles"),
        }
    }
}
