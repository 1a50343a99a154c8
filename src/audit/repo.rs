//! Queries on the audit log: append one entry, read a filtered page. No HTTP types here, and
//! nothing that updates or deletes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use super::models::{AuditRow, NewAuditRow};
use super::NewEntry;
use crate::db::schema::audit_log;
use crate::db::{now, AnyConnection};
use crate::error::AppError;

/// Which entries to list. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries by this actor id.
    pub actor: Option<String>,
    /// Only entries with this action, or with actions under a prefix.
    pub action: Option<ActionFilter>,
    /// Only entries about this target id.
    pub target: Option<String>,
    /// Only entries at or after this time.
    pub after: Option<NaiveDateTime>,
    /// Only entries before this time.
    pub before: Option<NaiveDateTime>,
}

/// How `action` is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    /// This action exactly, e.g. `auth.login`.
    Exact(String),
    /// Every action starting with this prefix, which ends in a dot, e.g. `auth.`.
    Prefix(String),
}

/// Appends an entry with a new id and the current time (see [`super::record`]).
pub fn insert(conn: &mut AnyConnection, entry: NewEntry) -> Result<(), AppError> {
    let detail = match entry.detail {
        Value::Object(_) => entry.detail,
        Value::Null => json!({}),
        other => json!({ "value": other }),
    };
    // serde_json escapes control characters, so the text holds no NUL for PostgreSQL to refuse.
    let detail = serde_json::to_string(&detail)
        .map_err(|e| AppError::internal(format!("audit detail not serializable: {e}")))?;
    let id = Uuid::now_v7().to_string();
    let actor_name = entry.actor.as_ref().map(|a| without_nul(&a.name));
    diesel::insert_into(audit_log::table)
        .values(NewAuditRow {
            id: &id,
            at: now(),
            actor_id: entry.actor.as_ref().map(|a| a.id.as_str()),
            actor_name: actor_name.as_deref(),
            action: &entry.action,
            target_type: entry.target.as_ref().map(|t| t.kind),
            target_id: entry.target.as_ref().map(|t| t.id.as_str()),
            ip: entry.ip.as_deref(),
            detail: &detail,
        })
        .execute(conn)?;
    Ok(())
}

// Names are checked before they are stored, but an entry must never fail for its text alone.
fn without_nul(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

/// Up to `limit` entries matching `filter`, newest first, with ids below `before_id` (the last
/// id of the previous page) when given.
pub fn list(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    limit: i64,
    before_id: Option<&str>,
) -> Result<Vec<AuditRow>, AppError> {
    let mut query = audit_log::table
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(id) = before_id {
        query = query.filter(audit_log::id.lt(id.to_owned()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor_id.eq(actor.clone()));
    }
    if let Some(target) = &filter.target {
        query = query.filter(audit_log::target_id.eq(target.clone()));
    }
    match &filter.action {
        Some(ActionFilter::Exact(action)) => {
            query = query.filter(audit_log::action.eq(action.clone()));
        }
        Some(ActionFilter::Prefix(prefix)) => {
            let pattern = format!("{}%", escape_like(prefix));
            query = query.filter(audit_log::action.like(pattern).escape('\\'));
        }
        None => {}
    }
    if let Some(after) = filter.after {
        query = query.filter(audit_log::at.ge(after));
    }
    if let Some(before) = filter.before {
        query = query.filter(audit_log::at.lt(before));
    }
    Ok(query.load::<AuditRow>(conn)?)
}

// `_` is a LIKE wildcard and occurs in actions such as `api_key.create`.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_in_a_prefix_match_only_themselves() {
        assert_eq!(escape_like("api_key."), "api\\_key.");
        assert_eq!(escape_like("a%b\\"), "a\\%b\\\\");
    }
}
