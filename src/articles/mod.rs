//! Articles: the document of SPEC §3, its parts' endpoints, its history and its one write
//! pipeline.
//!
//! - `handlers`, `child_handlers`, `list::handlers`, `revisions::handlers`: the HTTP edge.
//! - `service`: every change to an article goes through it (lock, authorize, apply, record).
//! - `domain`, `validation`, `policy`: pure rules over domain values.
//! - `store`, `list::query`, `search`, `revisions::store`, `slugs`: queries, no rules.
//! - `document`: the one mapping from rows to the wire document.

pub mod cache;
pub mod child_handlers;
pub mod document;
pub mod domain;
pub mod dto;
pub mod formats;
pub mod handlers;
pub mod http;
pub mod list;
pub mod models;
pub mod policy;
pub mod preview;
pub mod read;
pub mod redirect;
pub mod rendered;
pub mod revisions;
pub mod search;
pub mod service;
pub mod slugs;
pub mod store;
pub mod text;
pub mod validation;
pub mod workflow;
