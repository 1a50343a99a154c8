//! Limits that keep one client from hurting the others or the service: bounded password
//! hashing, capped error lists, disk-full handling, security headers and CORS, request
//! deadlines, the SQLite write-ahead log, and what a slug conflict reveals.

use serde_json::json;

use crate::both_backends;

both_backends! {
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
}
