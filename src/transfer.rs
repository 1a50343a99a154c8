//! `byline export` and `byline import`: every user and article as one JSON document, lossless —
//! ids, slugs, statuses, times, versions and the ids and order of every part survive a round
//! trip, and so do every article's revision history and the authors its byline credits.
//! Password hashes are never exported;
//! imported people must have their password set (`byline user set-password`, or an admin's
//! `PATCH /users/{id}`) before they can log in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::articles::document::{self, Viewer};
use crate::articles::dto::{Article, ArticleInput};
use crate::articles::revisions::dto::{ActorRef, ExportedRevision};
use crate::articles::service::{import as use_case, Editor};
use crate::articles::{domain, revisions, store};
use crate::authors::dto::Author;
use crate::db::schema::users;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::users::domain::{AccountKind, Role};
use crate::users::models::UserRow;

/// The `format` of an export file.
pub const FORMAT: &str = "byline-export";
/// The version of the export format; version 1 files (no revisions) are read too.
pub const VERSION: u32 = 2;
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
    pub authors: Vec<Author>,
    pub articles: Vec<Article>,
    pub revisions: Vec<ExportedRevision>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    format: String,
    version: u32,
    users: Vec<ExportedUser>,
    #[serde(default)]
    authors: Vec<Author>,
    articles: Vec<serde_json::Value>,
    #[serde(default)]
    revisions: Vec<ExportedRevision>,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub users_created: usize,
    pub users_existing: usize,
    pub authors_created: usize,
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
    let authors = crate::authors::repo::all(conn)?
        .into_iter()
        .map(Author::from)
        .collect();
    let mut articles = Vec::new();
    let mut history = Vec::new();
    for ids in store::all_ids(conn)?.chunks(BATCH) {
        // Staff see every related article, so no relation is lost.
        articles.extend(document::load(conn, ids, Viewer::Staff)?);
        for (row, json) in revisions::store::all_of(conn, ids)? {
            history.push(ExportedRevision {
                article_id: row.article_id,
                version: row.version,
                action: row.action,
                actor: row.actor_id.map(|id| ActorRef {
                    id,
                    name: row.actor_name.unwrap_or_default(),
                }),
                at: row.at.and_utc(),
                changed: serde_json::from_str(&row.changed).unwrap_or_default(),
                document: serde_json::from_str(&json).unwrap_or_default(),
            });
        }
    }
    Ok(Export {
        format: FORMAT,
        version: VERSION,
        users,
        authors,
        articles,
        revisions: history,
    })
}

/// Writes an export into the database in one transaction: all of it, or nothing. Users that
/// exist already (same id) are kept as they are; an article whose id or slug exists fails the
/// import.
pub fn import(conn: &mut AnyConnection, json: &[u8]) -> Result<ImportReport, AppError> {
    let file: ImportFile = crate::validate::parse_json(json)?;
    if file.format != FORMAT || !(1..=VERSION).contains(&file.version) {
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
            let email = crate::users::domain::normalize_email(&user.email);
            let holder: Option<String> = users::table
                .filter(users::email.eq(&email))
                .select(users::id)
                .first(conn)
                .optional()?;
            if let Some(holder) = holder {
                return Err(AppError::Conflict(format!(
                    "the user {email} (id {}) cannot be imported: the database has another user with this email (id {holder}); import into an empty database",
                    user.id
                )));
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
        // Authors that exist already (same id) are kept as they are, like users.
        for author in &file.authors {
            if crate::authors::repo::import(conn, author)? {
                report.authors_created += 1;
            }
        }
        let mut related = Vec::new();
        for (i, value) in file.articles.into_iter().enumerate() {
            let named = value["slug"].as_str().unwrap_or_default().to_owned();
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
                AppError::Conflict(why) => {
                    AppError::Conflict(format!("/articles/{i} (slug {named:?}): {why}"))
                }
                other => other,
            };
            let input: ArticleInput = crate::validate::from_value(value).map_err(at)?;
            let (draft, echo) = domain::validate(input).map_err(at)?;
            let id = use_case::insert(conn, &draft, &echo).map_err(at)?;
            related.push((id, draft.related));
            report.articles += 1;
        }
        for (id, ids) in &related {
            use_case::link_related(conn, id, ids)?;
        }
        let system = Editor::system(0);
        let mut history: HashMap<String, Vec<ExportedRevision>> = HashMap::new();
        for r in file.revisions {
            history.entry(r.article_id.clone()).or_default().push(r);
        }
        for (id, _) in &related {
            let of_article = history.remove(id).unwrap_or_default();
            use_case::record_history(conn, &system, id, &of_article)?;
        }
        Ok(report)
    })
}
