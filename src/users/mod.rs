//! User accounts: rows, roles, the queries on them, their wire shapes and the `/users`
//! endpoints.

pub mod bootstrap;
pub mod domain;
pub mod dto;
pub mod handlers;
pub mod models;
pub mod repo;
