//! Building the application: database, migrations, first admin, demo content, routes, server.
//! Binds before it returns, so tests can ask for port 0 and read the real port.

use std::net::TcpListener;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::Server;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{self, ErrorHandlers, Next};
use actix_web::{http, web, App, HttpServer};
use rand::distributions::{Alphanumeric, DistString};

use crate::articles::cache::ReadCache;
use crate::auth::password::{self, PasswordPool};
use crate::auth::throttle::LoginThrottle;
use crate::auth::AuthUser;
use crate::config::{Config, CorsPolicy};
use crate::db::{run_migrations, Db};
use crate::error::{render_framework_error, AppError};
use crate::rate_limit::{self, RateLimit};
use crate::state::AppState;
use crate::users::domain::Role;
use crate::users::repo as users;
use crate::{demo, edge, metrics, telemetry};

/// How long a new connection may take to send its request head; a slower one gets 408.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a closing connection may take to shut down cleanly before it is dropped.
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the scheduler and the webhook dispatcher get to finish their round after the
/// server has stopped.
const BACKGROUND_STOP: Duration = Duration::from_secs(10);

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
    /// Tells the background tasks to stop, and waits for them.
    background: Background,
}

/// The scheduler and the webhook dispatcher: told to stop when the server has, and awaited.
struct Background {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<actix_web::rt::task::JoinHandle<()>>,
}

impl Application {
    /// Opens the database, migrates it, creates the first admin and the demo article on an
    /// empty database, and binds the listener.
    pub fn build(config: Config) -> Result<Self, String> {
        let db = Db::connect_with(
            &config.database_url,
            config.db_pool_size,
            config.db_statement_timeout,
        )?;
        prepare_database(&db, &config)?;
        let listener = TcpListener::bind(config.bind).map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "cannot listen on {}: another process uses this port; stop it, or set BYLINE_BIND to another address, e.g. BYLINE_BIND=127.0.0.1:8081",
                config.bind
            ),
            _ => format!("cannot listen on {} (BYLINE_BIND): {e}", config.bind),
        })?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let tokens = crate::auth::token::TokenKeys::from_config(&config);
        let workers = config.workers;
        let request_timeout = config.request_timeout;
        let shutdown_timeout = config.shutdown_timeout.as_secs();
        let passwords = PasswordPool::new(config.password_threads, config.password_queue)?;
        let cursor_key = crate::cursor::CursorKey::derive(&config.jwt_secret);
        let throttle = LoginThrottle::new(db.clone());
        let rate_limit = RateLimit::new(config.rate_limit);
        let read_cache = std::sync::Arc::new(ReadCache::for_database(db.url()));
        let media = crate::media::storage::open(&config.media.store)?;
        let upload_timeout = config.media.upload_timeout.max(request_timeout);
        let state = web::Data::new(AppState {
            config,
            db,
            tokens,
            cursor_key,
            read_cache,
            throttle,
            rate_limit,
            passwords,
            media,
        });
        metrics::handle();
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let background = Background {
            stop,
            tasks: vec![
                actix_web::rt::spawn(crate::scheduler::run(state.clone(), stopping.clone())),
                actix_web::rt::spawn(crate::webhooks::dispatcher::run(
                    state.clone(),
                    stopping.clone(),
                )),
                actix_web::rt::spawn(
                    state
                        .read_cache
                        .clone()
                        .listen(state.db.url().clone(), stopping),
                ),
            ],
        };
        actix_web::rt::spawn(crate::db::checkpoint_periodically(state.db.clone()));
        actix_web::rt::spawn(metrics::upkeep());
        actix_web::rt::spawn(rate_limit::forget_idle_periodically(state.clone()));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    AppError::BadRequest(format!("malformed query string: {err}")).into()
                }))
                .wrap(middleware::from_fn(reject_nul_in_path))
                // Inside CORS, so that a browser app can read a 429 and the RateLimit headers.
                .wrap(middleware::from_fn(rate_limit::enforce))
                .wrap(cors(&state.config))
                // Outside CORS, so that its refusals are problem+json like every other error.
                .wrap(ErrorHandlers::new().default_handler(render_framework_error))
                .wrap(middleware::from_fn(move |req, next| {
                    // Uploads may take longer to arrive than any other request.
                    let timeout = if crate::media::is_upload(&req) {
                        upload_timeout
                    } else {
                        request_timeout
                    };
                    edge::guard(timeout, req, next)
                }))
                // Outermost: the request id and the access log cover every response.
                .wrap(middleware::from_fn(telemetry::trace))
                .configure(crate::routes::routes)
        })
        .client_request_timeout(HEAD_TIMEOUT)
        .client_disconnect_timeout(DISCONNECT_TIMEOUT)
        // Signals are handled by `run_until_stopped`, so that SIGINT is graceful too and tests
        // that start servers in-process install no handlers.
        .disable_signals()
        .shutdown_timeout(shutdown_timeout);
        if let Some(n) = workers {
            server = server.workers(n);
        }
        let server = server.listen(listener).map_err(|e| e.to_string())?.run();
        Ok(Self {
            server,
            port,
            background,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully: no new connections, requests in
    /// flight finish (up to `BYLINE_SHUTDOWN_TIMEOUT`), then the scheduler and the webhook
    /// dispatcher finish their round.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        actix_web::rt::spawn(async move {
            let signal = stop_signal().await;
            tracing::info!(signal, "stopping: finishing the requests in flight");
            handle.stop(true).await;
        });
        self.server.await?;
        let Background { stop, tasks } = self.background;
        let _ = stop.send(true);
        let all = futures_util::future::join_all(tasks);
        if actix_web::rt::time::timeout(BACKGROUND_STOP, all)
            .await
            .is_err()
        {
            tracing::warn!("the scheduler or the webhook dispatcher did not stop in time");
        }
        tracing::info!("stopped");
        Ok(())
    }

    /// The server future, for tests to spawn.
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Returns once the application is told to stop; never, when the application was handed over
/// without its stop signal (`into_server`, as tests do).
pub async fn until_stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    if stopping.wait_for(|stop| *stop).await.is_err() {
        futures_util::future::pending::<()>().await;
    }
}

/// Waits for SIGTERM or SIGINT (Ctrl-C); names the one that came.
async fn stop_signal() -> &'static str {
    use actix_web::rt::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM and SIGINT; stop the process with SIGKILL");
        return futures_util::future::pending().await;
    };
    let first = futures_util::future::select(Box::pin(term.recv()), Box::pin(int.recv())).await;
    match first {
        futures_util::future::Either::Left(_) => "SIGTERM",
        futures_util::future::Either::Right(_) => "SIGINT",
    }
}

/// Applies migrations, creates the first admin on an empty users table and loads the demo.
pub fn prepare_database(db: &Db, config: &Config) -> Result<(), String> {
    let mut conn = db
        .get()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let applied = run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    let backfilled = crate::articles::revisions::backfill(&mut conn).map_err(|e| e.to_string())?;
    if backfilled > 0 {
        tracing::info!(
            articles = backfilled,
            "recorded a first revision of existing articles"
        );
    }
    let rendered = crate::articles::rendered::backfill(&mut conn).map_err(|e| e.to_string())?;
    if rendered > 0 {
        tracing::info!(articles = rendered, "rendered stored article documents");
    }
    let no_users = users::count(&mut conn).map_err(|e| e.to_string())? == 0;
    if !no_users && config.admin_password.is_some() {
        tracing::warn!(
            "BYLINE_ADMIN_PASSWORD is ignored: the database has users already. \
             To set a password, run: byline user set-password EMAIL"
        );
    }
    if no_users {
        let (password, generated) = match &config.admin_password {
            Some(p) => (p.clone(), false),
            None => (
                Alphanumeric.sample_string(&mut rand::thread_rng(), 20),
                true,
            ),
        };
        let hash = password::hash(&password).map_err(|e| e.to_string())?;
        users::insert(
            &mut conn,
            &config.admin_email,
            "Administrator",
            Role::Admin,
            &hash,
        )
        .map_err(|e| e.to_string())?;
        if generated {
            println!(
                "Created the first admin: {} with password {password}",
                config.admin_email
            );
            println!(
                "This password is shown only once; set BYLINE_ADMIN_PASSWORD to choose your own."
            );
        } else {
            tracing::info!(email = %config.admin_email, "created the first admin");
        }
    }
    // The demo goes only into a brand-new database, never back into one whose articles were deleted.
    if config.demo && no_users {
        let admin = users::find_by_email(&mut conn, &config.admin_email)
            .map_err(|e| e.to_string())?
            .map(|u| AuthUser {
                id: u.id,
                name: u.name,
                role: Role::Admin,
            });
        if let Some(admin) = admin {
            if let Some(slug) = demo::load(&mut conn, &admin).map_err(|e| e.to_string())? {
                tracing::info!(%slug, "loaded the demo article at /api/v1/articles/{slug}");
            }
        }
    }
    Ok(())
}

fn cors(config: &Config) -> Cors {
    const READS: [&str; 2] = ["GET", "HEAD"];
    const ALL: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    let cors = match &config.cors {
        CorsPolicy::ReadsFromAnyOrigin => Cors::default().allow_any_origin().allowed_methods(READS),
        CorsPolicy::AnyOrigin => Cors::default().allow_any_origin().allowed_methods(ALL),
        CorsPolicy::Origins(origins) => origins
            .iter()
            .fold(Cors::default(), |c, o| c.allowed_origin(o))
            .allowed_methods(ALL),
    };
    cors.allowed_headers([
        http::header::AUTHORIZATION,
        http::header::CONTENT_TYPE,
        http::header::IF_MATCH,
        http::header::IF_NONE_MATCH,
        http::header::IF_MODIFIED_SINCE,
    ])
    .expose_headers([
        http::header::ETAG,
        http::header::LOCATION,
        http::header::LINK,
        http::header::RETRY_AFTER,
        rate_limit::RATELIMIT_LIMIT,
        rate_limit::RATELIMIT_REMAINING,
        rate_limit::RATELIMIT_RESET,
    ])
    .max_age(3600)
}

// PostgreSQL cannot hold NUL in text, so an id or slug containing one can match nothing: answer
// 404 here rather than let the database refuse the query.
async fn reject_nul_in_path(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req
        .path()
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%00"))
    {
        return Err(
            AppError::NotFound("no resource has a NUL character in its path".into()).into(),
        );
    }
    next.call(req).await
}
