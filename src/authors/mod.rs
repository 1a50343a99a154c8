//! Authors: the public byline of articles, apart from the login accounts in `users`. An
//! author may name the user who writes as them (`user_id`). Readers list and fetch authors
//! anonymously; editors and admins create, change and delete them.
//!
//! Articles credit authors through `article_authors`, written by the article write pipeline
//! only; this module reads that table to refuse deleting an author in use and to say which
//! articles credit one ([`repo::articles_crediting`]).

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod models;
pub mod repo;
