//! Black-box HTTP tests of Byline. Every test runs against SQLite and PostgreSQL.

mod helpers;

mod articles;
mod audit;
mod auth;
mod authors;
mod children;
mod crash;
mod database_limits;
mod errors;
mod events;
mod hardening;
mod harness;
mod limits;
mod lookup;
mod media;
mod operations;
mod preconditions;
mod queries;
mod reading;
mod receiver;
mod revisions;
mod roles;
mod shutdown;
mod startup;
mod telemetry;
mod transfer;
mod users;
mod webhooks;
