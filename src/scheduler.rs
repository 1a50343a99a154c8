//! Publishes scheduled articles when their time comes: checked every second, and once at
//! start-up so that articles that fell due while the service was down go out at once.

use std::time::Duration;

use actix_web::web;

use crate::articles::service;
use crate::state::AppState;

/// How often due articles are looked for; well inside the promised 5 seconds.
const TICK: Duration = Duration::from_secs(1);

/// Runs forever on the current actix runtime.
pub async fn run(state: web::Data<AppState>) {
    let mut interval = actix_web::rt::time::interval(TICK);
    loop {
        interval.tick().await;
        let keep = state.config.revisions_keep;
        match state
            .db
            .run(move |conn| service::workflow::publish_due(conn, keep))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(published = n, "published scheduled articles"),
            Err(e) => tracing::warn!(error = %e, "could not publish scheduled articles"),
        }
    }
}
