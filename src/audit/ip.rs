//! The client's IP address, as recorded in audit entries: the address of the TCP peer, without
//! the port, or the client's behind a trusted reverse proxy (`BYLINE_TRUSTED_PROXIES`). From
//! any other peer, `X-Forwarded-For` is ignored, because any client can send it.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::error::AppError;
use crate::state::AppState;

/// The IP address of the client a request came from; `None` when there is no TCP peer (as in
/// some in-process tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientIp(pub Option<String>);

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = match req.app_data::<web::Data<AppState>>() {
            Some(state) => state.config.trusted_proxies.client_of(req),
            // A listener on `[::]` sees IPv4 clients as `::ffff:a.b.c.d`; record them as `a.b.c.d`.
            None => req.peer_addr().map(|a| a.ip().to_canonical()),
        };
        ready(Ok(Self(ip.map(|ip| ip.to_string()))))
    }
}
