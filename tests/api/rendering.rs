//! Rendered text: `?formats=html,plaintext`, `word_count` and `reading_time_minutes`, rendered
//! when the article changes.

use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

const BODY: &str = "Ferries *run* on **time** ~~late~~ [map](https://example.com/map)\n\n\
| stop | minute |\n|---|---|\n| Quay | 5 |\n\n\
<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n";

both_backends!(formats_add_sanitized_html_and_plain_text);
async fn formats_add_sanitized_html_and_plain_text(app: TestApp) {
    let a = app
        .create_published(json!({"title": "Rendered", "body": BODY, "analysis": "Two words"}))
        .await;
    let id = a["id"].as_str().expect("id");
    let plain = app
        .get(&format!("/api/v1/articles/{id}"), None)
        .await
        .expect(200)
        .json();
    assert!(plain.get("html").is_none() && plain.get("plaintext").is_none());

    let doc = app
        .get(
            &format!("/api/v1/articles/{id}?formats=html,plaintext"),
            None,
        )
        .await
        .expect(200)
        .json();
    let html = doc["html"]["body"].as_str().expect("html body");
    for kept in [
        "<em>run</em>",
        "<strong>time</strong>",
        "<del>late</del>",
        "<table>",
        "<td>Quay</td>",
        "href=\"https://example.com/map\"",
    ] {
        assert!(html.contains(kept), "{kept} missing from {html}");
    }
    let lower = html.to_ascii_lowercase();
    for gone in ["<script", "onerror", "javascript:"] {
        assert!(!lower.contains(gone), "{gone} survived in {html}");
    }
    assert_eq!(doc["html"]["analysis"], "<p>Two words</p>\n");
    let text = doc["plaintext"]["body"].as_str().expect("plain body");
    assert!(!text.contains(['<', '>', '*', '|', '~']), "{text}");
    assert!(text.starts_with("Ferries run on time late map"), "{text}");
    assert_eq!(doc["plaintext"]["analysis"], "Two words");
    assert_eq!(doc["word_count"], plain["word_count"]);

    let only_html = app
        .get(&format!("/api/v1/articles/{id}?formats=html"), None)
        .await
        .expect(200)
        .json();
    assert!(only_html.get("plaintext").is_none());
}

both_backends!(word_count_and_reading_time_follow_every_edit);
async fn word_count_and_reading_time_follow_every_edit(app: TestApp) {
    let body = "word ".repeat(500);
    let a = app
        .create_article(json!({"title": "Counted", "body": body, "analysis": "one two three"}))
        .await;
    assert_eq!(a["word_count"], 503);
    assert_eq!(a["reading_time_minutes"], 3, "503 words at 238 a minute");
    let id = a["id"].as_str().expect("id");

    let edited = app
        .patch(
            &format!("/api/v1/articles/{id}"),
            Some(&app.admin_token),
            json!({"body": "# Short\n\n*Now* short."}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(edited["word_count"], 6);
    assert_eq!(edited["reading_time_minutes"], 1);
    let doc = app
        .get(
            &format!("/api/v1/articles/{id}?formats=html"),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        doc["html"]["body"],
        "<h1>Short</h1>\n<p><em>Now</em> short.</p>\n"
    );

    // What GET returned goes back with PUT, derived fields included.
    let mut echo = app
        .get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    echo["word_count"] = json!(99999);
    app.put(
        &format!("/api/v1/articles/{id}"),
        Some(&app.admin_token),
        echo,
    )
    .await
    .expect(200);
    let empty = app.create_article(json!({"title": "Nothing yet"})).await;
    assert_eq!(empty["word_count"], 0);
    assert_eq!(empty["reading_time_minutes"], 0);
}
