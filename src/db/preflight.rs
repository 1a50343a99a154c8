//! The first connection of a process, made before the pool so that a database that cannot be
//! opened is reported once, in one line that says what to do, rather than as the pool's
//! retries.

use r2d2::ManageConnection;

use super::{ConnectError, DatabaseUrl, Manager};

/// Opens and drops one connection; the error names the database and the likely fix.
pub fn check(url: &DatabaseUrl) -> Result<(), String> {
    let manager = Manager {
        url: url.clone(),
        statement_timeout: None,
    };
    match manager.connect() {
        Ok(_) => Ok(()),
        Err(e) => Err(describe(url, &one_line(&e))),
    }
}

fn one_line(e: &ConnectError) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe(url: &DatabaseUrl, error: &str) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let dir = std::path::Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty());
            match dir {
                Some(dir) if !dir.is_dir() => format!(
                    "cannot open the SQLite database {path}: the directory {} does not exist",
                    dir.display()
                ),
                _ => format!("cannot open the SQLite database {path}: {error}"),
            }
        }
        DatabaseUrl::Postgres(raw) => {
            let parsed = url::Url::parse(raw).ok();
            let name = parsed
                .as_ref()
                .map(|u| u.path().trim_start_matches('/').to_owned())
                .filter(|n| !n.is_empty());
            match name {
                Some(name) if error.contains("does not exist") && error.contains(&name) => {
                    format!(
                        "the PostgreSQL database {name} does not exist; create it with: createdb{} {name}",
                        createdb_options(parsed.as_ref())
                    )
                }
                _ if error.contains("SSL support is not compiled in") => format!(
                    "cannot connect to the PostgreSQL database: {error}; this binary was built without TLS to PostgreSQL: build it with `cargo build --release --features postgres-tls`, or connect with sslmode=disable or prefer"
                ),
                _ => format!("cannot connect to the PostgreSQL database: {error}"),
            }
        }
    }
}

/// `createdb`'s options for the server and user of the URL.
fn createdb_options(url: Option<&url::Url>) -> String {
    let Some(url) = url else {
        return String::new();
    };
    let mut options = String::new();
    if let Some(host) = url.host_str().filter(|h| !h.is_empty()) {
        options.push_str(&format!(" -h {host}"));
    }
    if let Some(port) = url.port() {
        options.push_str(&format!(" -p {port}"));
    }
    if !url.username().is_empty() {
        options.push_str(&format!(" -U {}", url.username()));
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_postgresql_database_is_one_line_naming_createdb() {
        let url = DatabaseUrl::Postgres("postgres://editor@db.internal:5433/byline".into());
        let said = describe(
            &url,
            "connection to server at \"db.internal\", port 5433 failed: FATAL: database \"byline\" does not exist",
        );
        assert_eq!(
            said,
            "the PostgreSQL database byline does not exist; create it with: createdb -h db.internal -p 5433 -U editor byline"
        );
    }

    #[test]
    fn tls_without_tls_support_names_the_feature() {
        let url = DatabaseUrl::Postgres("postgres://db/byline?sslmode=require".into());
        let said = describe(
            &url,
            "sslmode value \"require\" invalid when SSL support is not compiled in",
        );
        assert!(said.contains("--features postgres-tls"), "{said}");
    }

    #[test]
    fn other_failures_keep_the_drivers_words() {
        let url = DatabaseUrl::Postgres("postgres://127.0.0.1/byline".into());
        let said = describe(&url, "connection refused");
        assert_eq!(
            said,
            "cannot connect to the PostgreSQL database: connection refused"
        );
        let url = DatabaseUrl::Sqlite("/no/such/dir/byline.db".into());
        assert_eq!(
            describe(&url, "unable to open database file"),
            "cannot open the SQLite database /no/such/dir/byline.db: the directory /no/such/dir does not exist"
        );
    }
}
