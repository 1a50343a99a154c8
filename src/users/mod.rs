//! User accounts: rows, roles, the queries on them and the wire shape of a user.

pub mod domain;
pub mod dto;
pub mod models;
pub mod repo;
