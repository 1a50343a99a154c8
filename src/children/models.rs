//! Diesel rows of the `article_children` table.

use diesel::prelude::*;

use crate::db::schema::article_children;

/// A stored child of any kind; the columns a kind does not use are `NULL`.
#[derive(Debug, Clone, Queryable)]
pub struct ChildRow {
    pub id: String,
    pub article_id: String,
    pub kind: String,
    pub position: i32,
    pub text: Option<String>,
    pub speaker: Option<String>,
    pub context: Option<String>,
    pub source_url: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub severity: Option<String>,
    pub category: Option<String>,
}

/// A child to insert.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = article_children, treat_none_as_null = true)]
pub struct ChildChanges<'a> {
    pub text: Option<&'a str>,
    pub speaker: Option<&'a str>,
    pub context: Option<&'a str>,
    pub source_url: Option<&'a str>,
    pub title: Option<&'a str>,
    pub body: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub category: Option<&'a str>,
}
