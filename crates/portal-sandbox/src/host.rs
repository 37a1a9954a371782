//! DNS-rebinding guard: a request is served only when its `Host` names
//! this sandbox as a local client would, `127.0.0.1:PORT`,
//! `localhost:PORT` or `[::1]:PORT` (plus the bound address when it is a
//! specific one, and any IP literal when bound to every interface). A web
//! page whose DNS name was re-pointed at 127.0.0.1 sends its own name as
//! `Host`, so it gets 403 in the addressed service's envelope and never
//! reaches a handler.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::context::Service;
use crate::error::ApiError;

/// Where the sandbox listens, to judge a request's `Host`.
#[derive(Debug, Clone, Copy)]
pub struct Listening(pub SocketAddr);

impl Listening {
    /// Whether `host` (a `Host` header value) names this sandbox.
    pub fn accepts(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port != self.0.port() {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let Ok(ip) = name.parse::<IpAddr>() else {
            return false;
        };
        let bound = self.0.ip();
        if bound.is_unspecified() {
            // Every interface: any address of this machine may be used,
            // and an IP literal cannot be re-pointed by DNS.
            return true;
        }
        ip == bound || (ip.is_loopback() && bound.is_loopback() && ip.is_ipv4() == bound.is_ipv4())
    }
}

/// `name` and `port` of `name:port` or `[v6]:port`; `None` without a port.
fn split_host(host: &str) -> Option<(&str, u16)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        (v6, after.strip_prefix(':')?)
    } else {
        host.rsplit_once(':')?
    };
    Some((name, port.parse().ok()?))
}

/// Middleware refusing requests whose `Host` is not this sandbox.
pub async fn guard(State(listening): State<Listening>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    match host {
        Some(host) if listening.accepts(host) => next.run(req).await,
        _ => ApiError::status(
            Service::from_path(req.uri().path()),
            StatusCode::FORBIDDEN,
            format!(
                "the Host header must name this sandbox (127.0.0.1:{port} or localhost:{port}); other names are refused against DNS rebinding",
                port = listening.0.port()
            ),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(addr: &str) -> Listening {
        Listening(addr.parse().unwrap_or_else(|_| unreachable!()))
    }

    #[test]
    fn loopback_names_with_the_right_port_only() {
        let l = on("127.0.0.1:4780");
        for good in ["127.0.0.1:4780", "localhost:4780", "LOCALHOST:4780"] {
            assert!(l.accepts(good), "{good}");
        }
        for bad in [
            "127.0.0.1",
            "localhost",
            "127.0.0.1:4781",
            "evil.example:4780",
            "localhost.evil.example:4780",
            "[::1]:4780",
            "10.0.0.5:4780",
            "127.0.0.1:4780:4780",
            "",
        ] {
            assert!(!l.accepts(bad), "{bad}");
        }
        let v6 = on("[::1]:4780");
        assert!(v6.accepts("[::1]:4780") && v6.accepts("localhost:4780"));
        assert!(!v6.accepts("127.0.0.1:4780"));
        let any = on("0.0.0.0:4780");
        assert!(any.accepts("192.168.1.20:4780") && !any.accepts("evil.example:4780"));
    }
}
