//! Black-box HTTP tests of Byline. Every test runs against SQLite and PostgreSQL.

mod helpers;

mod articles;
mod audit;
mod auth;
mod authors;
mod bylines;
mod children;
mod coherence;
mod crash;
mod database_limits;
mod distribution;
mod errors;
mod events;
mod hardening;
mod harness;
mod limits;
mod lookup;
mod media;
mod old_links;
mod operations;
mod preconditions;
mod previews;
mod queries;
mod reading;
mod receiver;
mod rendering;
mod revisions;
mod roles;
mod shutdown;
mod startup;
mod telemetry;
mod transfer;
mod users;
mod webhooks;
