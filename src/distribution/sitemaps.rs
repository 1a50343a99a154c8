//! Sitemaps (sitemaps.org 0.9) and the Google News sitemap, written with `quick-xml`, which
//! escapes every text. Pure: rows and site settings in, bytes out.

use std::io;

use chrono::{NaiveDateTime, SecondsFormat};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::repo::FeedRow;
use super::site::Site;

/// The sitemaps.org namespace.
pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The Google News sitemap namespace.
pub const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
/// URLs in one sitemap file, the protocol's limit; more make `articles.xml` an index.
pub const ARTICLES_PER_SITEMAP: i64 = 50_000;
/// Articles in the news sitemap, Google's limit.
pub const NEWS_MAX: i64 = 1_000;
/// How far back the news sitemap reaches, in hours: Google News takes articles of the last
/// two days.
pub const NEWS_HOURS: i64 = 48;

/// W3C Datetime, as sitemaps want it (`2026-08-18T14:05:00+00:00`).
fn w3c(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn document(
    root: &str,
    namespaces: &[(&str, &str)],
    body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element(root)
        .with_attributes(namespaces.iter().copied())
        .write_inner_content(body)?;
    Ok(w.into_inner())
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

/// A `urlset` of article pages with their `lastmod`.
pub fn urlset(rows: &[FeedRow], site: &Site) -> io::Result<Vec<u8>> {
    document("urlset", &[("xmlns", SITEMAP_NS)], |w| {
        for row in rows {
            w.create_element("url").write_inner_content(|w| {
                text(w, "loc", &site.article_url(&row.id, &row.slug))?;
                text(w, "lastmod", &w3c(row.updated_at))
            })?;
        }
        Ok(())
    })
}

/// The path of page `n` (1-based) of the article sitemap.
pub fn page_path(n: i64) -> String {
    format!("/sitemaps/articles-{n}.xml")
}

/// How many sitemap files `total` articles need, `page_size` each (at least one).
pub fn page_count(total: i64, page_size: i64) -> i64 {
    ((total + page_size - 1) / page_size.max(1)).max(1)
}

/// A `sitemapindex` pointing at `pages` article sitemaps on the site.
pub fn index(pages: i64, site: &Site) -> io::Result<Vec<u8>> {
    document("sitemapindex", &[("xmlns", SITEMAP_NS)], |w| {
        for n in 1..=pages {
            w.create_element("sitemap")
                .write_inner_content(|w| text(w, "loc", &site.url_of(&page_path(n))))?;
        }
        Ok(())
    })
}

/// The language code Google News takes: ISO 639 (`en`, `de`), except `zh-cn` and `zh-tw`.
pub fn news_language(tag: &str) -> String {
    let tag = tag.to_ascii_lowercase();
    let mut subtags = tag.split(['-', '_']);
    let primary = subtags.next().unwrap_or_default();
    if primary == "zh" {
        let traditional = subtags.any(|s| matches!(s, "hant" | "tw" | "hk" | "mo"));
        return if traditional { "zh-tw" } else { "zh-cn" }.into();
    }
    primary.to_owned()
}

/// A Google News sitemap of `rows` (the articles of the last 48 hours).
pub fn news(rows: &[FeedRow], site: &Site) -> io::Result<Vec<u8>> {
    document(
        "urlset",
        &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)],
        |w| {
            for row in rows {
                w.create_element("url").write_inner_content(|w| {
                    text(w, "loc", &site.article_url(&row.id, &row.slug))?;
                    w.create_element("news:news").write_inner_content(|w| {
                        w.create_element("news:publication")
                            .write_inner_content(|w| {
                                text(w, "news:name", &site.publisher_name)?;
                                text(w, "news:language", &news_language(&row.language))
                            })?;
                        text(w, "news:publication_date", &w3c(row.listed_at))?;
                        text(w, "news:title", &row.title)
                    })?;
                    Ok(())
                })?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u32, title: &str) -> FeedRow {
        let t = chrono::DateTime::from_timestamp(1_787_000_000 + i64::from(n), 0)
            .unwrap_or_default()
            .naive_utc();
        FeedRow {
            id: format!("0198b7c1-0000-7000-8000-00000000000{n}"),
            slug: format!("story-{n}"),
            title: title.into(),
            seo_description: None,
            dek: None,
            summary: None,
            language: "en-GB".into(),
            listed_at: t,
            updated_at: t,
            tags: String::new(),
        }
    }

    fn site() -> Site {
        Site {
            url: "https://news.example".into(),
            ..Site::default()
        }
    }

    fn text_of(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn more_articles_than_a_page_holds_make_an_index_of_pages() {
        assert_eq!(page_count(0, 2), 1);
        assert_eq!(page_count(2, 2), 1);
        assert_eq!(page_count(5, 2), 3);
        assert_eq!(
            page_count(ARTICLES_PER_SITEMAP + 1, ARTICLES_PER_SITEMAP),
            2
        );
        let xml = text_of(index(page_count(5, 2), &site()).expect("written"));
        assert!(
            xml.contains(r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#),
            "{xml}"
        );
        for n in 1..=3 {
            assert!(
                xml.contains(&format!(
                    "<loc>https://news.example/sitemaps/articles-{n}.xml</loc>"
                )),
                "{xml}"
            );
        }
        assert!(!xml.contains("articles-4.xml"), "{xml}");
    }

    #[test]
    fn titles_are_escaped_in_the_news_sitemap() {
        let xml = text_of(news(&[row(1, "<script>&]]>\"'")], &site()).expect("written"));
        assert!(
            xml.contains("<news:title>&lt;script&gt;&amp;]]&gt;&quot;&apos;</news:title>"),
            "{xml}"
        );
        assert!(xml.contains("<news:language>en</news:language>"), "{xml}");
        assert!(xml.contains("<news:publication_date>2026-08-17T"), "{xml}");
    }

    #[test]
    fn urls_carry_lastmod_in_w3c_datetime() {
        let xml = text_of(urlset(&[row(1, "a")], &site()).expect("written"));
        assert!(
            xml.contains(
                "<url><loc>https://news.example/articles/story-1</loc><lastmod>2026-08-17T"
            ),
            "{xml}"
        );
        assert!(xml.contains("+00:00</lastmod>"), "{xml}");
    }

    #[test]
    fn news_languages_are_iso_639_with_google_s_chinese_codes() {
        assert_eq!(news_language("en-GB"), "en");
        assert_eq!(news_language("de"), "de");
        assert_eq!(news_language("zh-Hant-TW"), "zh-tw");
        assert_eq!(news_language("zh-Hans"), "zh-cn");
        assert_eq!(news_language("ZH"), "zh-cn");
    }
}
