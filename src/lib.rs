//! Byline: a headless CMS API for news publishers.

pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod children;
pub mod cli;
pub mod config;
pub mod cursor;
pub mod db;
pub mod demo;
pub mod edge;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod openapi;
pub mod page;
pub mod proxy;
pub mod scheduler;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod transfer;
pub mod users;
pub mod validate;
pub mod webhooks;
