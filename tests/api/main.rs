//! Black-box HTTP tests of Byline. Every test runs against SQLite and PostgreSQL.

mod helpers;

mod articles;
mod children;
mod errors;
mod operations;
