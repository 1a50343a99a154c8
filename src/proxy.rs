//! Whose address a request comes from: the TCP peer's, or — only when that peer is one of the
//! reverse proxies named in `BYLINE_TRUSTED_PROXIES` — the client's address that the proxies
//! wrote into `X-Forwarded-For`.
//!
//! Any client can send `X-Forwarded-For`, so the header is read only from a trusted peer, and
//! only as far as trusted proxies vouch for it: from the right, each address was written by
//! the hop after it, so the client is the rightmost address that is not itself a trusted
//! proxy. Whatever a client wrote further left is never read.

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::{HeaderValue, X_FORWARDED_FOR};
use actix_web::HttpRequest;
use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads a comma-separated list of IP addresses and CIDR blocks, such as
    /// `10.0.0.0/8, 192.168.1.10, fd00::/8`; the error names the entry that is neither.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .map(|net| net.trunc())
                    .or_else(|_| {
                        entry
                            .parse::<IpAddr>()
                            .map(|ip| IpNet::from(ip.to_canonical()))
                    })
                    .map_err(|_| {
                        format!("{entry:?} is not an IP address or a CIDR block such as 10.0.0.0/8")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether no proxy is trusted, so that `X-Forwarded-For` is never read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address of the client that sent `req`; `None` when there is no TCP peer (as in
    /// some in-process tests).
    pub fn client_of(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        Some(self.client_behind(peer, req.headers().get_all(X_FORWARDED_FOR)))
    }

    /// The client behind `peer`, given the `X-Forwarded-For` header lines in the order they
    /// came. IPv4 clients of a listener on `[::]` are given as IPv4.
    pub fn client_behind<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a HeaderValue>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&[u8]> = forwarded_for
            .flat_map(|line| line.as_bytes().split(|b| *b == b','))
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            // A hop that is not an address ends what the proxies vouch for.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an IP address, possibly with a port (`203.0.113.7:4711`,
/// `[2001:db8::1]:443`) or in brackets.
fn parse_hop(hop: &[u8]) -> Option<IpAddr> {
    let hop = std::str::from_utf8(hop).ok()?.trim();
    let ip = hop
        .parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|a| a.ip()))
        .or_else(|_| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or_default()
                .parse::<IpAddr>()
        })
        .ok()?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an IP address")
    }

    fn client(trusted: &str, peer: &str, lines: &[&str]) -> IpAddr {
        let trusted = TrustedProxies::parse(trusted).expect("valid list");
        let lines: Vec<HeaderValue> = lines
            .iter()
            .map(|l| HeaderValue::from_str(l).expect("header value"))
            .collect();
        trusted.client_behind(ip(peer), lines.iter())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(
            client("", "198.51.100.1", &["203.0.113.7"]),
            ip("198.51.100.1")
        );
        assert_eq!(
            client("10.0.0.0/8", "198.51.100.1", &["203.0.113.7"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_rightmost_untrusted_address() {
        let chain = ["6.6.6.6, 203.0.113.7", "10.0.0.2"];
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &chain), ip("203.0.113.7"));
        assert_eq!(client("10.0.0.1", "10.0.0.1", &chain), ip("10.0.0.2"));
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        assert_eq!(client("127.0.0.1", "127.0.0.1", &[]), ip("127.0.0.1"));
    }

    #[test]
    fn when_every_hop_is_trusted_the_leftmost_is_the_client() {
        assert_eq!(
            client("10.0.0.0/8", "10.0.0.1", &["10.0.0.3, 10.0.0.2"]),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn a_hop_that_is_no_address_ends_the_chain() {
        assert_eq!(
            client(
                "10.0.0.0/8",
                "10.0.0.1",
                &["203.0.113.7, unknown, 10.0.0.2"]
            ),
            ip("10.0.0.2")
        );
        assert_eq!(
            client("10.0.0.0/8", "10.0.0.1", &["garbage"]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn hops_may_carry_ports_brackets_and_mapped_addresses() {
        let trusted = "10.0.0.0/8";
        assert_eq!(
            client(trusted, "10.0.0.1", &["203.0.113.7:4711"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            client(trusted, "10.0.0.1", &["[2001:db8::1]:443"]),
            ip("2001:db8::1")
        );
        assert_eq!(
            client(trusted, "10.0.0.1", &["[2001:db8::1]"]),
            ip("2001:db8::1")
        );
        assert_eq!(
            client(trusted, "::ffff:10.0.0.1", &["::ffff:203.0.113.7"]),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn lists_take_addresses_and_cidr_blocks_and_name_a_bad_entry() {
        let list = TrustedProxies::parse(" 10.0.0.0/8, 192.168.1.10 ,fd00::/8,").expect("valid");
        assert!(list.contains(ip("10.9.9.9")) && list.contains(ip("192.168.1.10")));
        assert!(list.contains(ip("fd00::1")) && !list.contains(ip("192.168.1.11")));
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
        let e = TrustedProxies::parse("10.0.0.0/8, proxy.internal").expect_err("a host name");
        assert!(e.contains("\"proxy.internal\""), "{e}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
