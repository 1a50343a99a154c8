//! Logging: `tracing` to stderr, filtered by `RUST_LOG`. The default, `info` without the
//! per-request access log, keeps the hot read path free of a log line per request; set
//! `RUST_LOG=info,actix_web::middleware::logger=info` to log every request.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls are ignored (tests start many apps).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_web::middleware::logger=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
