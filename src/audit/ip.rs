//! The client's IP address, as recorded in audit entries: the address of the TCP peer, without
//! the port. `X-Forwarded-For` and similar headers are not read, because any client can send
//! them; behind a reverse proxy the address recorded is the proxy's.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::error::AppError;

/// The IP address of the connection a request came in on; `None` when there is no TCP peer
/// (as in some in-process tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientIp(pub Option<String>);

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // A listener on `[::]` sees IPv4 clients as `::ffff:a.b.c.d`; record them as `a.b.c.d`.
        let ip = req.peer_addr().map(|a| a.ip().to_canonical().to_string());
        ready(Ok(Self(ip)))
    }
}
