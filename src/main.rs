//! The `byline` binary: parse the command line, read configuration, dispatch.

use std::process::ExitCode;

use byline::cli::{Cli, Command, UserCommand, UserCreate, UserSetPassword};
use byline::config::Config;
use byline::db::{run_migrations, Db};
use byline::startup::Application;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = dotenvy::dotenv();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        use std::io::Write;
        // A closed pipe (`byline openapi | head`) is not an error worth a panic.
        let _ = writeln!(
            std::io::stdout().lock(),
            "{}",
            byline::openapi::api_doc_json()
        );
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("byline: {e}");
            return ExitCode::from(2);
        }
    };
    // Flushes the log lines still queued when it drops, at the end of `main`.
    let _logs = byline::telemetry::init(config.log_format);
    let result = match command {
        Command::Migrate => migrate(&config),
        Command::User(UserCommand::Create(args)) => create_user(&config, args),
        Command::User(UserCommand::SetPassword(args)) => set_password(&config, args),
        Command::Export { output } => export(&config, output),
        Command::Import { file } => import(&config, file),
        _ => serve(config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("byline: {e}");
            ExitCode::FAILURE
        }
    }
}

fn migrate(config: &Config) -> Result<(), String> {
    let db = Db::connect(&config.database_url, 1)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let applied = run_migrations(&mut conn)?;
    println!("applied {applied} migration(s)");
    let backfilled = byline::articles::revisions::backfill(&mut conn).map_err(|e| e.to_string())?;
    if backfilled > 0 {
        println!("recorded a first revision of {backfilled} existing article(s)");
    }
    let rendered = byline::articles::rendered::backfill(&mut conn).map_err(|e| e.to_string())?;
    if rendered > 0 {
        println!("rendered the stored documents of {rendered} article(s)");
    }
    Ok(())
}

fn open_migrated(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url, 1)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    run_migrations(&mut conn)?;
    byline::articles::revisions::backfill(&mut conn).map_err(|e| e.to_string())?;
    byline::articles::rendered::backfill(&mut conn).map_err(|e| e.to_string())?;
    Ok(db)
}

fn export(config: &Config, output: Option<std::path::PathBuf>) -> Result<(), String> {
    use std::io::Write;
    let db = open_migrated(config)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let dump = byline::transfer::export(&mut conn).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec_pretty(&dump).map_err(|e| e.to_string())?;
    match output {
        Some(path) => std::fs::write(&path, json)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&json).and_then(|()| out.write_all(b"\n"));
        }
    }
    eprintln!(
        "exported {} users and {} articles",
        dump.users.len(),
        dump.articles.len()
    );
    Ok(())
}

fn import(config: &Config, file: Option<std::path::PathBuf>) -> Result<(), String> {
    use std::io::Read;
    let mut json = Vec::new();
    match &file {
        Some(path) => {
            json =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut json)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
        }
    }
    let db = open_migrated(config)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let report = byline::transfer::import(&mut conn, &json).map_err(|e| match e {
        byline::error::AppError::Validation(errors) => errors
            .iter()
            .map(|f| format!("{}: {}", f.pointer, f.detail))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    })?;
    println!(
        "imported {} articles; created {} users, kept {} existing",
        report.articles, report.users_created, report.users_existing
    );
    Ok(())
}

/// The password from the first line of standard input, or a random one; `true` when random.
fn new_password(from_stdin: bool) -> Result<(String, bool), String> {
    if !from_stdin {
        return Ok((byline::users::bootstrap::random_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

fn create_user(config: &Config, args: UserCreate) -> Result<(), String> {
    let (password, generated) = new_password(args.password_stdin)?;
    let user = byline::users::bootstrap::create_user(
        &config.database_url,
        &args.email,
        args.name.as_deref(),
        &args.role,
        password.clone(),
    )?;
    println!(
        "Created {} {} with id {}",
        user.role.as_str(),
        user.email,
        user.id
    );
    if generated {
        println!("Password: {password}");
        println!("This password is shown only once.");
    }
    Ok(())
}

fn set_password(config: &Config, args: UserSetPassword) -> Result<(), String> {
    let (password, generated) = new_password(args.password_stdin)?;
    let user = byline::users::bootstrap::set_password(
        &config.database_url,
        &args.email,
        password.clone(),
    )?;
    println!(
        "Set the password of {} {}; their sessions have ended",
        user.role.as_str(),
        user.email
    );
    if generated {
        println!("Password: {password}");
        println!("This password is shown only once.");
    }
    if !user.active {
        println!("The account is disabled: enable it (PATCH /api/v1/users/{{id}} with {{\"active\": true}}) before it can log in.");
    }
    Ok(())
}

fn serve(config: Config) -> Result<(), String> {
    if config.jwt_secret_generated {
        tracing::warn!(
            "BYLINE_JWT_SECRET is not set: using a random key, so tokens stop working on restart"
        );
    }
    let bind = config.bind;
    let backend = config.database_url.backend_name();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config)?;
        let url = browsable_url(bind, app.port());
        tracing::info!(%bind, backend, "Byline is listening on {url}/api/v1; Swagger UI: {url}/swagger-ui/");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

/// The base URL to print for a listen address: a wildcard address is not one a browser can open,
/// so it becomes the loopback address of its family.
fn browsable_url(bind: std::net::SocketAddr, port: u16) -> String {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", std::net::SocketAddr::new(ip, port))
}
