//! Graceful shutdown: SIGTERM while clients write stops the real binary with exit status 0,
//! and every request it accepted was answered in full. Observable from outside as: each
//! article holds exactly the children whose appends were answered 201, its version is one more
//! than that, and no client got a 5xx.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::crash::{free_port, post, start_with};
use crate::helpers::{Backend, TestDb, ADMIN_EMAIL, ADMIN_PASSWORD};

async fn sigterm_while_clients_write_answers_every_accepted_request(backend: Backend) {
    let Some(db) = TestDb::create(backend) else {
        return;
    };
    let port = free_port();
    let mut server = start_with(
        &db,
        port,
        &[
            ("BYLINE_SHUTDOWN_TIMEOUT", "20"),
            ("BYLINE_RATE_LIMIT", "0"),
        ],
    )
    .await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let base = server.base.clone();
    let (_, login) = post(
        &client,
        &format!("{base}/api/v1/auth/login"),
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await
    .expect("login");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let mut ids = Vec::new();
    for i in 0..8 {
        let (_, doc) = post(
            &client,
            &format!("{base}/api/v1/articles"),
            Some(&token),
            json!({"title": format!("Night shift {i}")}),
        )
        .await
        .expect("create");
        ids.push(doc["id"].as_str().expect("id").to_owned());
    }

    let writers = ids.iter().map(|id| {
        let url = format!("{base}/api/v1/articles/{id}/highlights");
        let token = token.clone();
        async move {
            // A new connection per request, so that a refused connection means not accepted.
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish();
            let (mut answered, mut refused) = (0, 0);
            for n in 0..100_000 {
                let sent = client
                    .post(&url)
                    .force_close()
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .send_json(&json!({"text": format!("Highlight {n}")}))
                    .await;
                match sent {
                    Ok(r) if r.status().as_u16() == 201 => answered += 1,
                    Ok(r) => panic!("a write answered {} during shutdown", r.status()),
                    Err(_) => {
                        refused += 1;
                        if refused > 20 {
                            break;
                        }
                        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            answered
        }
    });
    let pid = i32::try_from(server.child.id()).expect("pid");
    let stopper = async {
        actix_web::rt::time::sleep(Duration::from_millis(800)).await;
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let start = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait().expect("wait") {
                return (status, start.elapsed());
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "still running 30 s after SIGTERM"
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (answered, (status, took)) =
        futures_util::future::join(futures_util::future::join_all(writers), stopper).await;
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    assert!(
        answered.iter().sum::<i64>() > 0,
        "writes happened before the signal"
    );
    eprintln!("{backend:?}: stopped {took:?} after SIGTERM; appends answered: {answered:?}");

    let server = start_with(&db, free_port(), &[]).await;
    let check = awc::Client::default();
    for (id, answered) in ids.iter().zip(&answered) {
        let mut res = check
            .get(format!("{}/api/v1/articles/{id}", server.base))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .expect("get after restart");
        let doc: Value =
            serde_json::from_slice(&res.body().limit(16 * 1024 * 1024).await.expect("body"))
                .expect("json");
        let positions: Vec<i64> = doc["highlights"]
            .as_array()
            .expect("highlights")
            .iter()
            .map(|c| c["position"].as_i64().expect("pos"))
            .collect();
        assert_eq!(
            positions,
            (1..=*answered).collect::<Vec<_>>(),
            "exactly the appends that were answered, in order"
        );
        assert_eq!(
            doc["version"].as_i64(),
            Some(1 + answered),
            "version = 1 + committed changes"
        );
    }
}

#[actix_web::test]
async fn sigterm_while_clients_write_answers_every_accepted_request_on_sqlite() {
    sigterm_while_clients_write_answers_every_accepted_request(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sigterm_while_clients_write_answers_every_accepted_request_on_postgres() {
    sigterm_while_clients_write_answers_every_accepted_request(Backend::Postgres).await;
}
