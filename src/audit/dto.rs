//! Wire types of `GET /audit`: the filters it takes and the entries it answers.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::AuditRow;
use super::repo::{ActionFilter, AuditFilter};
use crate::error::AppError;
use crate::page::PageMeta;

/// The longest `action` filter accepted.
const MAX_ACTION_CHARS: usize = 100;

/// Filters of `GET /audit`; every one given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries by this user or API key (its id).
    #[param(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d"
    )]
    pub actor: Option<String>,
    /// Only entries with this action (`auth.login`), or, ending in `.*`, with every action
    /// under that prefix (`auth.*`, `user.*`).
    #[param(
        pattern = r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$",
        max_length = 100,
        example = "auth.*"
    )]
    pub action: Option<String>,
    /// Only entries about this target (an article, user, API key or session id).
    #[param(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d"
    )]
    pub target: Option<String>,
    /// Only entries recorded at or after this time (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>, example = "2026-01-01T00:00:00Z")]
    pub after: Option<String>,
    /// Only entries recorded before this time (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub before: Option<String>,
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

impl AuditParams {
    /// Checks every filter; a malformed one is a 400.
    pub fn parse(self) -> Result<AuditFilter, AppError> {
        Ok(AuditFilter {
            actor: self.actor.map(|v| id_param("actor", &v)).transpose()?,
            action: self.action.map(|v| action_param(&v)).transpose()?,
            target: self.target.map(|v| id_param("target", &v)).transpose()?,
            after: self.after.map(|v| time_param("after", &v)).transpose()?,
            before: self.before.map(|v| time_param("before", &v)).transpose()?,
        })
    }
}

// Only the hyphenated form, as the documented pattern says; stored ids are lower case.
fn id_param(name: &str, value: &str) -> Result<String, AppError> {
    Uuid::try_parse(value)
        .ok()
        .filter(|_| value.len() == 36)
        .map(|id| id.to_string())
        .ok_or_else(|| bad(format!("{name} must be an id (a UUID)")))
}

fn action_param(value: &str) -> Result<ActionFilter, AppError> {
    let (name, prefix) = match value.strip_suffix(".*") {
        Some(name) => (name, true),
        None => (value, false),
    };
    let well_formed = value.chars().count() <= MAX_ACTION_CHARS
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if !well_formed {
        return Err(bad(
            "action must be an action such as auth.login, or a prefix such as auth.*",
        ));
    }
    Ok(if prefix {
        ActionFilter::Prefix(format!("{name}."))
    } else {
        ActionFilter::Exact(name.to_owned())
    })
}

fn time_param(name: &str, value: &str) -> Result<NaiveDateTime, AppError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .map_err(|_| {
            bad(format!(
                "{name} must be an RFC 3339 time such as 2026-08-18T14:05:00Z"
            ))
        })
}

/// Who did it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// The user's or API key's id. It may name an account that has since been deleted.
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// Their display name at the time.
    #[schema(example = "Mara Lind")]
    pub name: String,
}

/// What it was done to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditTarget {
    /// The kind of thing: `article`, `user`, `api_key`, `session` or `webhook`.
    #[serde(rename = "type")]
    #[schema(example = "user")]
    pub type_: String,
    /// Its id. It may name something that has since been deleted.
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
}

/// One entry of the audit log. Entries are never changed or deleted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// The entry's id (UUID v7).
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// When it happened (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// Who did it; `null` for the system (the scheduler, the command line) and for callers
    /// who were not signed in, such as a failed login.
    pub actor: Option<AuditActor>,
    /// What was done, `<resource>.<verb>`: `auth.login`, `auth.login_failed`, `auth.logout`,
    /// `auth.password_change`, `auth.refresh_reuse`, `user.create`, `user.update`,
    /// `user.delete`, `api_key.create`, `api_key.revoke`, `webhook.create`, `webhook.update`,
    /// `webhook.delete`, and `article.*`.
    #[schema(example = "user.update")]
    pub action: String,
    /// What it was done to; `null` when there is no such thing (a failed login with an
    /// unknown email).
    pub target: Option<AuditTarget>,
    /// The IP address of the client's connection (the proxy's, behind a reverse proxy);
    /// `null` for changes that did not come in over HTTP.
    #[schema(example = "203.0.113.7")]
    pub ip: Option<String>,
    /// Facts about the change, which vary by action (see the README). Never passwords, hashes
    /// or tokens.
    #[schema(value_type = Object, example = json!({"changed": ["role"], "from": {"role": "author"}, "to": {"role": "editor"}}))]
    pub detail: Value,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        let actor = row.actor_id.map(|id| AuditActor {
            id,
            name: row.actor_name.unwrap_or_default(),
        });
        let target = row
            .target_id
            .zip(row.target_type)
            .map(|(id, type_)| AuditTarget { type_, id });
        Self {
            id: row.id,
            at: row.at.and_utc(),
            actor,
            action: row.action,
            target,
            ip: row.ip,
            // Written by `repo::insert` from a JSON object, so this parses.
            detail: serde_json::from_str(&row.detail).unwrap_or_else(|_| json!({})),
        }
    }
}

/// A page of audit entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// The entries on this page.
    pub data: Vec<AuditEntry>,
    /// Paging information.
    pub meta: PageMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(action: &str) -> Result<AuditFilter, AppError> {
        AuditParams {
            action: Some(action.into()),
            ..Default::default()
        }
        .parse()
    }

    #[test]
    fn an_action_is_exact_unless_it_ends_in_a_wildcard() {
        assert_eq!(
            params("auth.login").expect("exact").action,
            Some(ActionFilter::Exact("auth.login".into()))
        );
        assert_eq!(
            params("api_key.*").expect("prefix").action,
            Some(ActionFilter::Prefix("api_key.".into()))
        );
        for bad in [
            "",
            "*",
            ".*",
            "auth.",
            "Auth.login",
            "auth..login",
            "auth.*.x",
            "auth*",
            "a\0",
        ] {
            assert!(params(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_must_be_hyphenated_uuids_and_times_rfc_3339() {
        let id = "0198B7C1-2F4E-7CC1-9A51-6F1D2A3B4C5D";
        let parsed = AuditParams {
            actor: Some(id.into()),
            after: Some("2026-08-18T14:05:00+02:00".into()),
            ..Default::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(parsed.actor.as_deref(), Some(id.to_lowercase().as_str()));
        assert_eq!(
            parsed.after.map(|t| t.to_string()).as_deref(),
            Some("2026-08-18 12:05:00")
        );
        for bad in ["0198b7c12f4e7cc19a516f1d2a3b4c5d", "not-an-id", ""] {
            let p = AuditParams {
                target: Some(bad.into()),
                ..Default::default()
            };
            assert!(p.parse().is_err(), "{bad:?}");
        }
        let p = AuditParams {
            before: Some("yesterday".into()),
            ..Default::default()
        };
        assert!(p.parse().is_err());
    }
}
