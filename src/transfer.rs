//! `byline export` and `byline import`: every user and article as one JSON document, lossless —
//! ids, slugs, statuses, times, versions and the ids and order of every part survive a round
//! trip. Password hashes are never exported; imported people must have their password reset
//! by an admin (or `byline user create`) before they can log in.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::articles::dto::{Article, ArticleInput};
use crate::articles::{domain, repo};
use crate::auth::AuthUser;
use crate::db::schema::users;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::users::domain::{AccountKind, Role};
use crate::users::models::UserRow;

/// The `format` of an export file.
pub const FORMAT: &str = "byline-export";
/// The version of the export format.
pub const VERSION: u32 = 1;
/// Article documents fetched per query while exporting.
const BATCH: usize = 200;

/// A user as exported (no password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

/// A whole export.
#[derive(Debug, Serialize)]
pub struct Export {
    pub format: &'static str,
    pub version: u32,
    pub users: Vec<ExportedUser>,
    pub articles: Vec<Article>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    format: String,
    version: u32,
    users: Vec<ExportedUser>,
    articles: Vec<serde_json::Value>,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub users_created: usize,
    pub users_existing: usize,
    pub articles: usize,
}

/// Reads every user and article.
pub fn export(conn: &mut AnyConnection) -> Result<Export, AppError> {
    let rows: Vec<UserRow> = users::table
        .order((users::created_at.asc(), users::id.asc()))
        .load(conn)?;
    let users = rows
        .into_iter()
        .map(|u| ExportedUser {
            role: Role::parse(&u.role).unwrap_or(Role::Author),
            id: u.id,
            email: u.email,
            name: u.name,
            active: u.active,
            kind: u.kind,
            created_at: u.created_at.and_utc(),
        })
        .collect();
    // An admin viewer sees every related article, so no relation is lost.
    let admin = AuthUser {
        id: String::new(),
        name: String::new(),
        role: Role::Admin,
    };
    let mut articles = Vec::new();
    for ids in repo::all_ids(conn)?.chunks(BATCH) {
        articles.extend(repo::documents_of_many(conn, ids, Some(&admin))?);
    }
    Ok(Export {
        format: FORMAT,
        version: VERSION,
        users,
        articles,
    })
}

/// Writes an export into the database in one transaction: all of it, or nothing. Users that
/// exist already (same id) are kept as they are; an article whose id or slug exists fails the
/// import.
pub fn import(conn: &mut AnyConnection, json: &[u8]) -> Result<ImportReport, AppError> {
    let file: ImportFile = crate::extract::parse_json(json)?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(AppError::BadRequest(format!(
            "not a {FORMAT} version {VERSION} file (format {:?}, version {})",
            file.format, file.version
        )));
    }
    conn.transaction(|conn| {
        let mut report = ImportReport::default();
        for user in &file.users {
            if crate::users::repo::find(conn, &user.id)?.is_some() {
                report.users_existing += 1;
                continue;
            }
            let kind = if user.kind == AccountKind::ApiKey.as_str() {
                AccountKind::ApiKey
            } else {
                AccountKind::Person
            };
            // "!" is no PHC string, so no password matches it until an admin sets one.
            crate::users::repo::insert_account(
                conn,
                &user.id,
                &user.email,
                &user.name,
                user.role,
                "!",
                kind,
            )?;
            diesel::update(users::table.find(&user.id))
                .set((
                    users::active.eq(user.active && kind == AccountKind::Person),
                    users::created_at.eq(user.created_at.naive_utc()),
                ))
                .execute(conn)?;
            report.users_created += 1;
        }
        let mut related = Vec::new();
        for (i, value) in file.articles.into_iter().enumerate() {
            let at = |e: AppError| match e {
                AppError::Validation(errors) => AppError::Validation(
                    errors
                        .into_iter()
                        .map(|mut f| {
                            f.pointer = format!("/articles/{i}{}", f.pointer);
                            f
                        })
                        .collect(),
                ),
                other => other,
            };
            let input: ArticleInput = crate::extract::from_value(value).map_err(at)?;
            let (draft, echo) = domain::validate(input).map_err(at)?;
            let id = repo::import_article(conn, &draft, &echo).map_err(at)?;
            related.push((id, draft.related));
            report.articles += 1;
        }
        let admin = AuthUser {
            id: String::new(),
            name: String::new(),
            role: Role::Admin,
        };
        for (id, ids) in related {
            repo::import_related(conn, &id, &ids, &admin)?;
        }
        Ok(report)
    })
}
