//! Webhooks: admins register URLs; every event the write pipeline records is queued for each
//! active webhook subscribed to it, in the change's transaction, and a dispatcher in every
//! process sends the queue, signed per Standard Webhooks, retrying with backoff for 24 hours.

pub mod address;
pub mod dispatcher;
pub mod dto;
pub mod handlers;
pub mod signing;
pub mod store;

use std::net::{IpAddr, ToSocketAddrs};

use diesel::Connection;
use serde_json::json;
use url::{Host, Url};
use uuid::Uuid;

use self::dto::{Ping, Subscription};
use self::store::{NewWebhookRow, WebhookChanges, WebhookRow};
use crate::audit::{self, action, Origin, Target};
use crate::db::{now, AnyConnection};
use crate::error::AppError;

/// The longest webhook URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// Why a URL cannot be a webhook's.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, String> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let url = Url::parse(raw).map_err(|e| format!("must be an absolute http(s) URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if allow_private {
        return Ok(url);
    }
    let private = || {
        "must not point at a loopback, private or link-local address (set \
         BYLINE_WEBHOOK_ALLOW_PRIVATE=1 for local receivers)"
            .to_owned()
    };
    match url.host() {
        None => return Err("must name a host".into()),
        Some(Host::Ipv4(ip)) if address::is_forbidden(IpAddr::V4(ip)) => return Err(private()),
        Some(Host::Ipv6(ip)) if address::is_forbidden(IpAddr::V6(ip)) => return Err(private()),
        Some(Host::Domain(name)) if is_local_name(name) => return Err(private()),
        Some(_) => {}
    }
    Ok(url)
}

// Names that always mean this machine or its network, whatever DNS says.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.ends_with(".local")
}

/// Resolves the URL's host name and refuses it when any address it has is forbidden. A name
/// that does not resolve now passes: it is checked again, after DNS, at every delivery. Blocks
/// on DNS; call it off the async workers.
pub fn check_resolved(url: &Url, allow_private: bool) -> Result<(), String> {
    let (Some(Host::Domain(name)), false) = (url.host(), allow_private) else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let Ok(addrs) = (name, port).to_socket_addrs() else {
        return Ok(());
    };
    if addrs.into_iter().any(|a| address::is_forbidden(a.ip())) {
        return Err(format!(
            "{name} resolves to a loopback, private or link-local address; webhooks must \
             reach a public address (set BYLINE_WEBHOOK_ALLOW_PRIVATE=1 for local receivers)"
        ));
    }
    Ok(())
}

/// Checks a subscription list: one or more distinct events, `*` alone.
pub fn check_events(events: &[Subscription]) -> Result<(), String> {
    if events.is_empty() {
        return Err("must list at least one event, or \"*\" for all".into());
    }
    if events.contains(&Subscription::All) && events.len() > 1 {
        return Err("\"*\" already means every event; send it alone".into());
    }
    if (1..events.len()).any(|i| events[..i].contains(&events[i])) {
        return Err("lists an event twice".into());
    }
    Ok(())
}

fn events_json(events: &[Subscription]) -> Result<String, AppError> {
    serde_json::to_string(events).map_err(|e| AppError::internal(e.to_string()))
}

/// Registers a webhook and records `webhook.create`; answers it with its secret.
pub fn create(
    conn: &mut AnyConnection,
    url: &str,
    events: &[Subscription],
    active: bool,
    origin: &Origin,
) -> Result<(WebhookRow, String), AppError> {
    let id = Uuid::now_v7().to_string();
    let secret = signing::new_secret();
    let events = events_json(events)?;
    let at = now();
    conn.transaction(|conn| {
        store::insert(
            conn,
            &NewWebhookRow {
                id: &id,
                url,
                secret: &secret,
                events: &events,
                active,
                created_at: at,
                updated_at: at,
            },
        )?;
        audit::record(
            conn,
            origin.entry(
                action::WEBHOOK_CREATE,
                Some(Target::webhook(&id)),
                json!({"url": url, "events": serde_json::from_str::<serde_json::Value>(&events).unwrap_or_default(), "active": active}),
            ),
        )?;
        let row = store::find(conn, &id)?.ok_or_else(|| AppError::internal("webhook vanished"))?;
        Ok((row, secret))
    })
}

/// Changes a webhook and records `webhook.update`; `None` when there is no such webhook.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    url: Option<String>,
    events: Option<&[Subscription]>,
    active: Option<bool>,
    origin: &Origin,
) -> Result<Option<WebhookRow>, AppError> {
    let changes = WebhookChanges {
        url,
        events: events.map(events_json).transpose()?,
        active,
        updated_at: Some(now()),
    };
    conn.transaction(|conn| {
        if !store::update(conn, id, &changes)? {
            return Ok(None);
        }
        let row = store::find(conn, id)?;
        if let Some(row) = &row {
            audit::record(
                conn,
                origin.entry(
                    action::WEBHOOK_UPDATE,
                    Some(Target::webhook(id)),
                    json!({"url": row.url, "events": row.subscriptions(), "active": row.active}),
                ),
            )?;
        }
        Ok(row)
    })
}

/// Deletes a webhook, its queue and its log, and records `webhook.delete`.
pub fn delete(conn: &mut AnyConnection, id: &str, origin: &Origin) -> Result<bool, AppError> {
    conn.transaction(|conn| {
        if !store::lock(conn, id)? {
            return Ok(false);
        }
        let Some(row) = store::find(conn, id)? else {
            return Ok(false);
        };
        store::delete(conn, id)?;
        audit::record(
            conn,
            origin.entry(
                action::WEBHOOK_DELETE,
                Some(Target::webhook(id)),
                json!({"url": row.url}),
            ),
        )?;
        Ok(true)
    })
}

/// Queues a `ping` for a webhook, active or not; `None` when there is no such webhook.
pub fn ping(conn: &mut AnyConnection, id: &str) -> Result<Option<Ping>, AppError> {
    conn.transaction(|conn| {
        if !store::lock(conn, id)? {
            return Ok(None);
        }
        let ping = Ping {
            id: Uuid::now_v7().to_string(),
            kind: "ping".into(),
            occurred_at: dto::utc(now()),
        };
        let payload =
            serde_json::to_string(&ping).map_err(|e| AppError::internal(e.to_string()))?;
        store::queue(conn, id, &ping.id, "ping", &payload)?;
        Ok(Some(ping))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_on_this_machine_or_private_networks_are_refused() {
        for url in [
            "http://127.0.0.1/hook",
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/hook",
            "http://localhost:9000/",
            "https://printer.local/",
            "http://0x7f000001/",
        ] {
            assert!(check_url(url, false).is_err(), "{url}");
            assert!(check_url(url, true).is_ok(), "{url} with the override");
        }
    }

    #[test]
    fn only_absolute_http_urls_are_webhooks() {
        for url in [
            "ftp://example.com/",
            "/relative",
            "mailto:a@example.com",
            "https://",
        ] {
            assert!(check_url(url, true).is_err(), "{url}");
        }
        assert!(check_url("https://hooks.example.com/byline?x=1", false).is_ok());
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(2000)), false).is_err());
    }

    #[test]
    fn a_subscription_list_is_distinct_events_or_star_alone() {
        use Subscription::*;
        assert!(check_events(&[All]).is_ok());
        assert!(check_events(&[Published, Deleted]).is_ok());
        assert!(check_events(&[]).is_err());
        assert!(check_events(&[All, Published]).is_err());
        assert!(check_events(&[Published, Published]).is_err());
    }
}
