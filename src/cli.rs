//! The command line: `byline [serve | migrate | openapi | export | import | user create |
//! user set-password]`.

use clap::{Args, Parser, Subcommand};

/// Byline — a headless CMS API for news publishers.
///
/// Configuration comes from the environment (and a .env file when present): DATABASE_URL,
/// BYLINE_BIND, BYLINE_JWT_SECRET, BYLINE_JWT_ISSUER, BYLINE_JWT_AUDIENCE,
/// BYLINE_ACCESS_TOKEN_TTL, BYLINE_REFRESH_TOKEN_TTL, BYLINE_ADMIN_EMAIL,
/// BYLINE_ADMIN_PASSWORD, BYLINE_MAX_BODY_BYTES, BYLINE_CORS_ORIGINS, BYLINE_DEMO,
/// BYLINE_REVISIONS_KEEP, BYLINE_PASSWORD_THREADS, BYLINE_PASSWORD_QUEUE,
/// BYLINE_REQUEST_TIMEOUT, BYLINE_WEBHOOK_RETRY_BASE_MS, BYLINE_WEBHOOK_ALLOW_PRIVATE,
/// BYLINE_DB_POOL_SIZE, BYLINE_DB_STATEMENT_TIMEOUT_MS, BYLINE_SHUTDOWN_TIMEOUT,
/// BYLINE_LOG_FORMAT, BYLINE_METRICS_TOKEN, BYLINE_RATE_LIMIT, BYLINE_TRUSTED_PROXIES,
/// BYLINE_MEDIA_DIR, BYLINE_MEDIA_STORE (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
/// AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL, AWS_ALLOW_HTTP), BYLINE_MAX_MEDIA_BYTES,
/// BYLINE_MEDIA_UPLOAD_TIMEOUT. See README.md for their meaning and defaults.
///
/// Canonical URLs, structured data, feeds and sitemaps: BYLINE_SITE_URL, BYLINE_ARTICLE_PATH,
/// BYLINE_PUBLISHER_NAME, BYLINE_PUBLISHER_LOGO_URL.
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
    /// Write every user and article to one JSON document (lossless: ids, times, versions and
    /// the order of every part survive). Password hashes are not exported.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Load an export into the database in one transaction: all of it or nothing. Existing
    /// users are kept; an existing article id or slug, or a user whose email another account
    /// has, fails the import. Imported people have no password: give one with
    /// `byline user set-password EMAIL` before they log in.
    Import {
        /// The export file; standard input when omitted.
        file: Option<std::path::PathBuf>,
    },
    /// Manage user accounts directly in the database, without the HTTP API.
    #[command(subcommand)]
    User(UserCommand),
}

/// `byline user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user in the database named by DATABASE_URL (migrating it first).
    ///
    /// Meant for bootstrapping and recovery, e.g. a second admin, without a running server.
    /// The password is read from standard input with --password-stdin; without it, a random
    /// password is generated and printed once.
    ///
    /// Example: printf '%s\n' "$PASSWORD" | byline user create --email mara@example.com
    /// --role editor --name "Mara Lind" --password-stdin
    Create(UserCreate),
    /// Set the password of an existing user, ending all of their sessions.
    ///
    /// For the accounts `byline import` brings, which have no password, and for a lost admin
    /// password. The password is read from standard input with --password-stdin; without it, a
    /// random password is generated and printed once.
    ///
    /// Example: printf '%s\n' "$PASSWORD" | byline user set-password admin@localhost
    /// --password-stdin
    SetPassword(UserSetPassword),
}

/// The arguments of `byline user create`.
#[derive(Debug, Args)]
pub struct UserCreate {
    /// Login email; stored in lower case, unique regardless of case.
    #[arg(long)]
    pub email: String,
    /// What the user may do.
    #[arg(long, value_parser = ["admin", "editor", "author"])]
    pub role: String,
    /// Display name; the part of the email before @ when omitted.
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password (at least 12 characters) from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// The arguments of `byline user set-password`.
#[derive(Debug, Args)]
pub struct UserSetPassword {
    /// The user's login email (compared case-insensitively).
    pub email: String,
    /// Read the new password (at least 12 characters) from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}
