//! The builder held to Google's Article structured-data guidelines: the recommended
//! properties present, the types schema.org names, dates in ISO 8601 with an offset, and a
//! headline Google shows whole.

use chrono::DateTime;
use serde_json::Value;

use super::*;

fn demo() -> Article {
    serde_json::from_value(crate::demo::document_example())
        .expect("the demo document is an Article")
}

fn site() -> Site {
    Site {
        url: "https://news.example".into(),
        article_path: "/articles/{slug}".into(),
        publisher_name: "Velmora Daily".into(),
        publisher_logo_url: Some("https://news.example/logo.png".into()),
    }
}

fn json_of(article: &Article, authors: &[Person], image: Option<&ImageObject>) -> Value {
    serde_json::to_value(news_article(article, &site(), authors, image)).expect("serializes")
}

#[test]
fn has_every_property_google_recommends_with_schema_org_types() {
    let authors = [Person::new(
        "Ana Ferreira",
        Some("https://news.example/authors/ana".into()),
    )];
    let image = ImageObject::new(
        "https://news.example/media/ferry.jpg",
        Some(1600),
        Some(900),
    );
    let ld = json_of(&demo(), &authors, Some(&image));
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    for property in [
        "headline",
        "description",
        "datePublished",
        "dateModified",
        "author",
        "image",
        "publisher",
        "inLanguage",
        "keywords",
        "mainEntityOfPage",
    ] {
        assert!(ld.get(property).is_some(), "{property} missing: {ld}");
    }
    assert_eq!(ld["author"][0]["@type"], "Person");
    assert_eq!(ld["author"][0]["name"], "Ana Ferreira");
    assert_eq!(ld["author"][0]["url"], "https://news.example/authors/ana");
    assert_eq!(ld["image"][0]["@type"], "ImageObject");
    assert_eq!(
        ld["image"][0]["url"],
        "https://news.example/media/ferry.jpg"
    );
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "Velmora Daily");
    assert_eq!(ld["publisher"]["logo"]["@type"], "ImageObject");
    assert_eq!(
        ld["publisher"]["logo"]["url"],
        "https://news.example/logo.png"
    );
    assert_eq!(
        ld["mainEntityOfPage"],
        "https://news.example/articles/velmora-council-approves-electric-harbour-ferry-plan"
    );
    assert_eq!(
        ld["keywords"],
        serde_json::to_value(&demo().tags).expect("tags")
    );
}

#[test]
fn dates_are_iso_8601_with_an_offset() {
    let ld = json_of(&demo(), &[], None);
    for property in ["datePublished", "dateModified"] {
        let text = ld[property].as_str().expect(property);
        let parsed = DateTime::parse_from_rfc3339(text).expect(text);
        assert!(text.ends_with("+00:00"), "{text} names its offset");
        assert_eq!(parsed.offset().local_minus_utc(), 0);
    }
    assert_eq!(ld["datePublished"], "2026-08-18T14:05:00+00:00");
}

#[test]
fn the_headline_is_the_seo_title_and_the_description_falls_back_in_order() {
    let mut a = demo();
    assert_eq!(
        news_article(&a, &site(), &[], None).headline,
        a.seo_title.clone().expect("demo has an SEO title")
    );
    a.seo_title = None;
    a.seo_description = None;
    let ld = news_article(&a, &site(), &[], None);
    assert_eq!(ld.headline, a.title);
    assert_eq!(ld.description, a.dek);
    a.dek = None;
    assert_eq!(news_article(&a, &site(), &[], None).description, a.summary);
}

#[test]
fn a_long_headline_is_cut_at_a_word_with_an_ellipsis() {
    let mut a = demo();
    a.seo_title = Some("word ".repeat(40));
    let headline = news_article(&a, &site(), &[], None).headline;
    assert!(headline.chars().count() <= MAX_HEADLINE_CHARS, "{headline}");
    assert!(headline.ends_with("word…"), "{headline}");
}

#[test]
fn truncation_counts_characters_and_keeps_whole_words() {
    assert_eq!(truncate_words("short", 110), "short");
    assert_eq!(truncate_words("one two three", 8), "one two…");
    assert_eq!(truncate_words("one two three", 9), "one two…");
    assert_eq!(truncate_words("onetwothree", 6), "onetw…");
    let greek = "αβγ ".repeat(50);
    let cut = truncate_words(&greek, MAX_HEADLINE_CHARS);
    assert_eq!(cut.chars().count(), 108, "{cut}");
    assert!(cut.ends_with("αβγ…"));
}

#[test]
fn without_bylines_image_or_logo_those_properties_are_left_out() {
    let mut s = site();
    s.publisher_logo_url = None;
    let ld = serde_json::to_value(news_article(&demo(), &s, &[], None)).expect("serializes");
    assert!(ld.get("author").is_none());
    assert!(ld.get("image").is_none());
    assert!(ld["publisher"].get("logo").is_none());
}

#[test]
fn an_unpublished_article_has_no_date_published() {
    let mut a = demo();
    a.published_at = None;
    assert!(news_article(&a, &site(), &[], None)
        .date_published
        .is_none());
}
