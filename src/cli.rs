//! The command line: `byline [serve | migrate | openapi]`.

use clap::{Parser, Subcommand};

/// Byline — a headless CMS API for news publishers.
///
/// Configuration comes from the environment (and a .env file when present): DATABASE_URL,
/// BYLINE_BIND, BYLINE_JWT_SECRET, BYLINE_JWT_ISSUER, BYLINE_JWT_AUDIENCE,
/// BYLINE_ACCESS_TOKEN_TTL, BYLINE_ADMIN_EMAIL, BYLINE_ADMIN_PASSWORD, BYLINE_MAX_BODY_BYTES,
/// BYLINE_CORS_ORIGINS, BYLINE_DEMO. See README.md for their meaning and defaults.
#[derive(Debug, Parser)]
#[command(name = "byline", version, about, long_about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, create the first admin (and the demo article) if the database is
    /// empty, and serve the API on BYLINE_BIND (default 127.0.0.1:8080).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI 3.1 document to standard output.
    Openapi,
}
