//! The baseline of the hot-path benchmark: a bare actix-web handler serving a fixed article
//! document from memory, with the same headers Byline sends. Byline's own read of the same
//! article is measured against it in the same run (see BENCHMARKS.md).
//!
//! ```sh
//! cargo run --release --example memory_baseline -- 127.0.0.1:18090 article.json
//! ```

use actix_web::{web, App, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:18090".into());
    let path = args.next().expect("path of a JSON document to serve");
    let body = web::Bytes::from(std::fs::read(path)?);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().route(
            "/api/v1/articles/{slug}",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .insert_header(("ETag", "\"baseline-1\""))
                        .insert_header((
                            "Cache-Control",
                            "public, max-age=60, stale-while-revalidate=300",
                        ))
                        .body(body)
                }
            }),
        )
    })
    .bind(bind)?
    .run()
    .await
}
