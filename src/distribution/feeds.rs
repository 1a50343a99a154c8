//! RSS 2.0 and Atom 1.0 documents of the latest published articles, written by the `rss` and
//! `atom_syndication` crates (which escape every text). Pure: rows and site settings in, bytes
//! out. Every value comes from the rows, none from the clock, so the same articles always give
//! the same bytes and the same ETag.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

use super::repo::FeedRow;
use super::site::Site;

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn fixed(t: NaiveDateTime) -> DateTime<FixedOffset> {
    utc(t).fixed_offset()
}

/// The feed's title: the publisher, and the tag when the feed is filtered by one.
fn feed_title(site: &Site, tag: Option<&str>) -> String {
    match tag {
        Some(tag) => format!("{}: {tag}", site.publisher_name),
        None => site.publisher_name.clone(),
    }
}

/// An RSS 2.0 channel of `rows` (newest first).
pub fn rss(rows: &[FeedRow], site: &Site, tag: Option<&str>) -> Result<Vec<u8>, rss::Error> {
    let mut channel = rss::Channel::default();
    channel.set_title(feed_title(site, tag));
    channel.set_link(site.url.clone());
    channel.set_description(format!("The latest articles from {}", site.publisher_name));
    channel.set_generator("Byline".to_owned());
    if let Some(newest) = rows.iter().map(|r| r.updated_at).max() {
        channel.set_last_build_date(utc(newest).to_rfc2822());
    }
    let items: Vec<rss::Item> = rows
        .iter()
        .map(|row| {
            let mut item = rss::Item::default();
            item.set_title(row.title.clone());
            item.set_link(site.article_url(&row.id, &row.slug));
            let mut guid = rss::Guid::default();
            guid.set_value(row.id.clone());
            guid.set_permalink(false);
            item.set_guid(guid);
            item.set_pub_date(utc(row.listed_at).to_rfc2822());
            // RSS readers render a description as HTML; ours is plain text.
            if let Some(d) = row.description() {
                item.set_description(quick_xml::escape::escape(d).into_owned());
            }
            item.set_categories(
                row.tags()
                    .map(|t| {
                        let mut c = rss::Category::default();
                        c.set_name(t.to_owned());
                        c
                    })
                    .collect::<Vec<_>>(),
            );
            item
        })
        .collect();
    channel.set_items(items);
    channel.write_to(Vec::new())
}

/// An Atom 1.0 feed of `rows` (newest first).
pub fn atom(rows: &[FeedRow], site: &Site, tag: Option<&str>) -> Result<Vec<u8>, atom::Error> {
    let mut feed = atom::Feed::default();
    feed.set_title(feed_title(site, tag));
    feed.set_id(match tag {
        Some(tag) => format!("{}/feeds/atom.xml?tag={tag}", site.url),
        None => format!("{}/feeds/atom.xml", site.url),
    });
    // With no articles, the epoch: a fixed value keeps the bytes and the ETag stable.
    let newest = rows.iter().map(|r| r.updated_at).max().unwrap_or_default();
    feed.set_updated(fixed(newest));
    let mut publisher = atom::Person::default();
    publisher.set_name(site.publisher_name.clone());
    feed.set_authors(vec![publisher]);
    let mut home = atom::Link::default();
    home.set_href(site.url.clone());
    home.set_rel("alternate");
    feed.set_links(vec![home]);
    let mut generator = atom::Generator::default();
    generator.set_value("Byline");
    feed.set_generator(generator);
    let entries: Vec<atom::Entry> = rows
        .iter()
        .map(|row| {
            let mut entry = atom::Entry::default();
            entry.set_title(atom::Text::plain(row.title.clone()));
            entry.set_id(format!("urn:uuid:{}", row.id));
            entry.set_published(fixed(row.listed_at));
            entry.set_updated(fixed(row.updated_at));
            let mut link = atom::Link::default();
            link.set_href(site.article_url(&row.id, &row.slug));
            link.set_rel("alternate");
            entry.set_links(vec![link]);
            if let Some(d) = row.description() {
                entry.set_summary(atom::Text::plain(d.to_owned()));
            }
            entry.set_categories(
                row.tags()
                    .map(|t| {
                        let mut c = atom::Category::default();
                        c.set_term(t.to_owned());
                        c
                    })
                    .collect::<Vec<_>>(),
            );
            entry
        })
        .collect();
    feed.set_entries(entries);
    feed.write_to(Vec::new())
}
