//! A real HTTP receiver for webhook deliveries, on 127.0.0.1, as a test's peer: it records
//! every request and answers 200, or the statuses it was told to answer first.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub content_type: String,
    pub body: Vec<u8>,
    /// What the receiver answered.
    pub answered: u16,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }

    /// Whether the signature verifies with `secret`, per the Standard Webhooks convention:
    /// HMAC-SHA256 keyed with the base64-decoded secret (after `whsec_`), over
    /// `{id}.{timestamp}.{body}`, sent as `v1,<base64>` among space-separated signatures.
    pub fn verifies(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
            .expect("base64 secret");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
        mac.update(format!("{}.{}.", self.id, self.timestamp).as_bytes());
        mac.update(&self.body);
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signature.split(' ').any(|s| s == expected)
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Delivery>>,
    answers: Mutex<VecDeque<u16>>,
    redirect: Mutex<Option<String>>,
}

/// A running receiver; its server stops with the test's runtime.
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let answered = shared
        .answers
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or(200);
    shared.received.lock().expect("lock").push(Delivery {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
        answered,
    });
    let mut res =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).expect("status"));
    if let (300..=399, Some(to)) = (answered, shared.redirect.lock().expect("lock").clone()) {
        res.insert_header(("location", to));
    }
    res.finish()
}

impl Receiver {
    /// Starts a receiver on a free port of 127.0.0.1, at path `/hook`.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Starts a receiver on this port of 127.0.0.1 (0 for any), at path `/hook`.
    pub async fn start_on(port: u16) -> Self {
        let shared = web::Data::new(Shared::default());
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let data = shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/hook", web::post().to(receive))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        actix_web::rt::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            shared: shared.into_inner(),
        }
    }

    /// Answers these statuses to the next requests, in order, then 200 again.
    pub fn answer_first(&self, statuses: &[u16]) {
        self.shared
            .answers
            .lock()
            .expect("lock")
            .extend(statuses.iter().copied());
    }

    /// Answers the next request with a redirect to `location`.
    pub fn redirect_first(&self, location: &str) {
        *self.shared.redirect.lock().expect("lock") = Some(location.to_owned());
        self.answer_first(&[307]);
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Delivery> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// The requests so far, once `done` holds of them; panics after `within`.
    pub async fn wait_until(
        &self,
        within: Duration,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                start.elapsed() < within,
                "the receiver did not get what was expected within {within:?}; it got: {:?}",
                got.iter()
                    .map(|d| String::from_utf8_lossy(&d.body).into_owned())
                    .collect::<Vec<_>>()
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
