//! Black-box HTTP tests of Byline. Every test runs against SQLite and PostgreSQL.

mod helpers;

mod articles;
mod auth;
mod children;
mod crash;
mod errors;
mod hardening;
mod operations;
mod queries;
mod reading;
mod roles;
mod transfer;
mod users;
