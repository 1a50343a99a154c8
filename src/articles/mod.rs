//! Articles: the document of SPEC §3, its validation, storage and endpoints.

pub mod cache;
pub mod domain;
pub mod dto;
pub mod handlers;
pub mod list;
pub mod models;
pub mod policy;
pub mod repo;
pub mod search;
