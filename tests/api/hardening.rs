//! Limits that keep one client from hurting the others or the service: bounded password
//! hashing, capped error lists, disk-full handling, security headers and CORS, request
//! deadlines, the SQLite write-ahead log, and what a slug conflict reveals.

use std::path::PathBuf;
use std::time::Duration;

use byline::db::AnyConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Resp, ADMIN_EMAIL, ADMIN_PASSWORD};

both_backends! {
    async fn logins_beyond_the_password_queue_get_503_with_retry_after(app, [("BYLINE_PASSWORD_THREADS", "1"), ("BYLINE_PASSWORD_QUEUE", "0")]) {
        let attempts = (0..24).map(|i| {
            app.post("/api/v1/auth/login", None, json!({"email": format!("nobody-{i}@byline.test"), "password": "not-the-password"}))
        });
        let answers = futures_util::future::join_all(attempts).await;
        let busy: Vec<&Resp> = answers.iter().filter(|r| r.status == 503).collect();
        assert!(answers.iter().all(|r| r.status == 401 || r.status == 503), "only 401 and 503 expected");
        assert!(answers.iter().any(|r| r.status == 401), "some logins must get through");
        assert!(!busy.is_empty(), "with one thread and no queue, concurrent logins must be refused");
        for r in busy {
            assert_eq!(r.header("retry-after").as_deref(), Some("1"));
            assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
            assert_eq!(r.json()["type"], "urn:byline:problem:overloaded");
        }
        // A refused attempt is no guess: the admin is not locked out, and logs in at once.
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    }

    async fn passwords_set_through_the_pool_work(app) {
        let id = app.create_user("pool@byline.test", "editor", "first-password-123").await;
        app.patch(&format!("/api/v1/users/{id}"), Some(&app.admin_token), json!({"password": "second-password-123"})).await.expect(200);
        let token = app.login("pool@byline.test", "second-password-123").await;
        app.put("/api/v1/auth/me/password", Some(&token), json!({"current_password": "second-password-123", "new_password": "third-password-123"})).await.expect(200);
        app.login("pool@byline.test", "third-password-123").await;
    }

    async fn a_body_with_300_invalid_fields_lists_100_and_counts_300(app) {
        // 100 quotes with an empty text and speaker, and 100 empty highlights: 300 errors.
        let quotes: Vec<_> = (0..100).map(|_| json!({"text": "", "speaker": ""})).collect();
        let highlights: Vec<_> = (0..100).map(|_| json!({"text": ""})).collect();
        let body = json!({"title": "Too many mistakes", "quotes": quotes, "highlights": highlights});
        let r = app.post("/api/v1/articles", Some(&app.admin_token), body).await.expect(422);
        let problem = r.json();
        assert_eq!(problem["errors"].as_array().map(Vec::len), Some(100));
        assert_eq!(problem["detail"], "the request body has 300 invalid fields; the first 100 are listed");
    }

    async fn a_checkpoint_empties_the_sqlite_write_ahead_log(app) {
        for i in 0..40 {
            app.create_article(json!({"title": format!("Checkpoint {i}"), "body": "x".repeat(20_000)})).await;
        }
        let mut conn = app.db.get().expect("conn");
        let conn: &mut AnyConnection = &mut conn;
        // A checkpoint gives way to a reader or writer still busy, as the periodic one does.
        let mut finished = false;
        for _ in 0..20 {
            finished = byline::db::checkpoint_wal(conn).expect("checkpoint");
            if finished {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(finished, "the checkpoint never finished");
        if app.backend == Backend::Sqlite {
            let wal = PathBuf::from(format!("{}-wal", app.database.url()));
            let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            assert_eq!(size, 0, "the WAL still holds {size} bytes");
            #[derive(QueryableByName)]
            struct AutoCheckpoint {
                #[diesel(sql_type = diesel::sql_types::Integer)]
                wal_autocheckpoint: i32,
            }
            #[derive(QueryableByName)]
            struct SizeLimit {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                journal_size_limit: i64,
            }
            let AnyConnection::Sqlite(c) = conn else { unreachable!("an SQLite pool") };
            let auto: AutoCheckpoint = diesel::sql_query("PRAGMA wal_autocheckpoint").get_result(c).expect("pragma");
            assert_eq!(auto.wal_autocheckpoint, 1000);
            let limit: SizeLimit = diesel::sql_query("PRAGMA journal_size_limit").get_result(c).expect("pragma");
            assert_eq!(limit.journal_size_limit, 16 * 1024 * 1024);
        }
        // Everything written is still there.
        let list = app.get("/api/v1/articles?limit=100", Some(&app.admin_token)).await.expect(200).json();
        assert_eq!(list["data"].as_array().map(Vec::len), Some(40));
    }
}
