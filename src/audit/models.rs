//! Diesel rows of the `audit_log` table; never serialized to the wire.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;

/// A stored audit entry; `detail` is JSON text.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

/// An audit entry to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow<'a> {
    pub id: &'a str,
    pub at: NaiveDateTime,
    pub actor_id: Option<&'a str>,
    pub actor_name: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: &'a str,
}
