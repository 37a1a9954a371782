//! A small server that plays the three services and misbehaves in one way
//! per [`Case`], and a second "foreign" listener that counts every request
//! it gets and whether it carried an `Authorization` header or a body.
//! Shared by the core's and the CLI's `hostile_server.rs`.
//!
//! Paths: VaultStream under `/vs`, JWT keys under `/jk/v2`, the vault under
//! `/vault` (as the sandbox lays them out, with other prefixes).

#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

/// A vault access token (not signed: the client reads its claims only),
/// valid until 2100, role admin.
pub const ACCESS_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsInRlbmFudElkIjoidDEiLCJyb2xlcyI6WyJhZG1pbiJdLCJlbWFpbCI6ImFkbWluQGhvc3RpbGUudGVzdCIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln";
pub const ADMIN_TOKEN: &str = "vst_live_hostile_admin";
pub const API_KEY: &str = "jk_hostile_api_key";
pub const EMAIL: &str = "admin@hostile.test";
pub const PASSWORD: &str = "hostile-password";

pub const VS: &str = "/vs";
pub const JK: &str = "/jk/v2";
pub const VAULT: &str = "/vault";

/// How the server misbehaves.
#[derive(Debug, Clone, PartialEq)]
pub enum Case {
    /// Answers every call as the documents say (the foreign listener's part).
    Plain,
    /// JWT keys page 1 links to the foreign listener (another port).
    ForeignNext,
    /// JWT keys page 1 links to `https:` on this same host and port.
    OtherSchemeNext,
    /// JWT keys pages linked by an absolute path, then a relative one.
    RelativeNext,
    /// JWT keys page 1 links to a path outside the base path (same origin).
    NextOutsideBase,
    /// Every call is answered with this 3xx to the foreign listener.
    Redirect(u16),
    /// Lists answer with a valid envelope of this many bytes, with or
    /// without `Content-Length` (then chunked).
    Big { bytes: usize, content_length: bool },
    /// Token pages with fresh ids and the cursors A, B, A, B…
    RepeatedCursor,
    /// Token and JWT key pages with fresh ids whose next cursor / link is
    /// the page just asked for.
    NonAdvancing,
    /// Pages of two fresh ids for ever, announcing three in all.
    PastTotal,
    /// Every page of every list is the first one again (with a next cursor
    /// that advances, and `has_more`).
    SamePage,
}

/// One request as a listener saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    /// Path and query exactly as received (percent-encoding kept).
    pub target: String,
    pub authorization: bool,
    pub body_len: usize,
}

struct Shared {
    case: Case,
    /// This listener's own address.
    own: SocketAddr,
    /// Where links and redirects to "elsewhere" point.
    foreign: Option<SocketAddr>,
    seen: Mutex<Vec<Seen>>,
    counter: AtomicU32,
}

pub struct Server {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(case: Case, foreign: Option<SocketAddr>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            case,
            own: addr,
            foreign,
            seen: Mutex::new(Vec::new()),
            counter: AtomicU32::new(0),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { addr, shared, task }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn vaultstream_url(&self) -> String {
        format!("{}{VS}", self.origin())
    }

    pub fn jwt_keys_url(&self) -> String {
        format!("{}{JK}", self.origin())
    }

    pub fn vault_url(&self) -> String {
        format!("{}{VAULT}", self.origin())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

/// A misbehaving server and the foreign listener it points at.
pub struct Hostile {
    pub server: Server,
    pub foreign: Server,
}

impl Hostile {
    pub async fn start(case: Case) -> Hostile {
        let foreign = Server::start(Case::Plain, None).await;
        let server = Server::start(case, Some(foreign.addr)).await;
        Hostile { server, foreign }
    }

    /// Fails when the foreign listener got anything at all.
    pub fn assert_foreign_untouched(&self) {
        let seen = self.foreign.seen();
        assert!(
            seen.is_empty(),
            "the foreign listener got {} request(s): {seen:?}",
            seen.len()
        );
    }
}

fn json_response(status: StatusCode, v: Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        v.to_string(),
    )
        .into_response()
}

fn query_param(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A valid envelope of about `bytes` bytes for the service at `path`.
fn big_body(path: &str, bytes: usize) -> Vec<u8> {
    let pad = "x".repeat(bytes);
    let v = if path.starts_with(JK) {
        json!({"success": true, "result": [], "links": null, "errors": [], "pad": pad})
    } else if path.starts_with(VAULT) {
        json!({"data": [], "error": null, "page": {"total": 0, "page": 1, "limit": 20, "has_more": false}, "pad": pad})
    } else {
        json!({"status": "ok", "data": [], "meta": {"pad": pad}})
    };
    v.to_string().into_bytes()
}

fn token(id: &str) -> Value {
    json!({"id": id, "name": format!("token {id}"), "scopes": ["content:read"], "created_at": "2026-01-01T00:00:00Z"})
}

fn key(id: &str) -> Value {
    json!({"id": id, "name": format!("key {id}"), "public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"})
}

fn asset(id: &str) -> Value {
    json!({"id": id, "name": format!("asset {id}"), "tenant_id": "t1"})
}

fn vs_page(items: Vec<Value>, next: Option<&str>, total: Option<u64>) -> Response {
    json_response(
        StatusCode::OK,
        json!({"status": "ok", "data": items, "meta": {"request_id": "req_h", "next_cursor": next, "total": total}}),
    )
}

fn jk_page(items: Vec<Value>, next: Option<String>) -> Response {
    json_response(
        StatusCode::OK,
        json!({"success": true, "result": items, "links": {"next": next}, "errors": []}),
    )
}

fn vault_page(items: Vec<Value>, page: u64, total: u64, has_more: bool) -> Response {
    json_response(
        StatusCode::OK,
        json!({"data": items, "error": null, "page": {"total": total, "page": page, "limit": 2, "has_more": has_more}, "meta": {"request_id": "r"}}),
    )
}

async fn handle(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |pq| pq.as_str().to_owned());
    let authorization = req.headers().contains_key(header::AUTHORIZATION);
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    s.seen.lock().unwrap().push(Seen {
        method: method.clone(),
        target: target.clone(),
        authorization,
        body_len: body.len(),
    });
    let n = s.counter.fetch_add(1, Ordering::SeqCst);
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let foreign = s.foreign.map(|a| format!("http://{a}"));

    if let Case::Redirect(status) = s.case {
        let to = format!("{}{target}", foreign.unwrap_or_default());
        return (
            StatusCode::from_u16(status).unwrap(),
            [(header::LOCATION, to)],
            "",
        )
            .into_response();
    }
    let list = method == Method::GET
        && (path == format!("{VS}/v1/auth/tokens")
            || path == format!("{JK}/jwt_keys")
            || path == format!("{VAULT}/vault/v1/assets"));
    if let (
        true,
        Case::Big {
            bytes,
            content_length,
        },
    ) = (list, &s.case)
    {
        let bytes = big_body(&path, *bytes);
        if *content_length {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                bytes,
            )
                .into_response();
        }
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .unwrap();
    }

    // --- VaultStream ---------------------------------------------------------
    if path == format!("{VS}/v1/auth/tokens") && method == Method::GET {
        let after = query_param(&target, "after");
        let fresh = format!("tok_{n}");
        return match s.case {
            Case::RepeatedCursor => {
                let next = match after.as_deref() {
                    None | Some("B") => "A",
                    _ => "B",
                };
                vs_page(vec![token(&fresh)], Some(next), None)
            }
            Case::NonAdvancing => vs_page(
                vec![token(&fresh)],
                Some(after.as_deref().unwrap_or("A")),
                None,
            ),
            Case::PastTotal => vs_page(
                vec![token(&format!("{fresh}a")), token(&format!("{fresh}b"))],
                Some(&format!("c{n}")),
                Some(3),
            ),
            Case::SamePage => vs_page(
                vec![token("tok_1"), token("tok_2")],
                Some(&format!("c{n}")),
                Some(4),
            ),
            _ => vs_page(vec![token("tok_1")], None, Some(1)),
        };
    }
    if path.starts_with(&format!("{VS}/v1/auth/tokens/")) {
        return StatusCode::NO_CONTENT.into_response();
    }

    // --- JWT keys ------------------------------------------------------------
    if path == format!("{JK}/jwt_keys") && method == Method::GET {
        let cursor = query_param(&target, "cursor");
        let fresh = format!("key_{n}");
        return match (&s.case, cursor.as_deref()) {
            (Case::ForeignNext, None) => jk_page(
                vec![key("key_1")],
                Some(format!(
                    "{}{JK}/jwt_keys?limit=25&cursor=2",
                    foreign.unwrap_or_default()
                )),
            ),
            (Case::OtherSchemeNext, None) => jk_page(
                vec![key("key_1")],
                Some(format!("https://{}{JK}/jwt_keys?limit=25&cursor=2", s.own)),
            ),
            (Case::RelativeNext, None) => jk_page(
                vec![key("key_1")],
                Some(format!("{JK}/jwt_keys?limit=25&cursor=2")),
            ),
            (Case::RelativeNext, Some("2")) => jk_page(
                vec![key("key_2")],
                Some("jwt_keys?limit=25&cursor=3".to_owned()),
            ),
            (Case::RelativeNext, Some(_)) => jk_page(vec![key("key_3")], None),
            (Case::NextOutsideBase, None) => jk_page(
                vec![key("key_1")],
                Some(format!("{JK}/../../admin/jwt_keys?cursor=2")),
            ),
            (Case::NonAdvancing, _) => {
                // The link is the page just asked for, on this origin.
                jk_page(vec![key(&fresh)], Some(target.clone()))
            }
            (Case::PastTotal, _) => jk_page(
                vec![key(&format!("{fresh}a")), key(&format!("{fresh}b"))],
                Some(format!("{JK}/jwt_keys?cursor=c{n}")),
            ),
            (Case::SamePage, _) => jk_page(
                vec![key("key_1"), key("key_2")],
                Some(format!("{JK}/jwt_keys?cursor=c{n}")),
            ),
            _ => jk_page(vec![key("key_1")], None),
        };
    }
    if let Some(id) = path.strip_prefix(&format!("{JK}/jwt_keys/")) {
        return if method == Method::DELETE {
            json_response(
                StatusCode::OK,
                json!({"success": true, "result": {}, "errors": []}),
            )
        } else {
            json_response(
                StatusCode::OK,
                json!({"success": true, "result": key(id), "errors": []}),
            )
        };
    }

    // --- vault ---------------------------------------------------------------
    if path == format!("{VAULT}/auth/v1/login") || path == format!("{VAULT}/auth/v1/refresh") {
        return json_response(
            StatusCode::OK,
            json!({"data": {"accessToken": ACCESS_TOKEN, "refreshToken": "refresh_h"}, "error": null}),
        );
    }
    if path == format!("{VAULT}/vault/v1/assets") && method == Method::GET {
        let page: u64 = query_param(&target, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        return match s.case {
            Case::PastTotal => vault_page(
                vec![asset(&format!("a{n}a")), asset(&format!("a{n}b"))],
                page,
                3,
                true,
            ),
            Case::SamePage => vault_page(vec![asset("a1"), asset("a2")], page, 4, true),
            _ => vault_page(vec![asset("a1")], 1, 1, false),
        };
    }
    if let Some(id) = path.strip_prefix(&format!("{VAULT}/vault/v1/assets/")) {
        return json_response(
            StatusCode::OK,
            json!({"data": asset(id), "error": null, "meta": {"request_id": "r"}}),
        );
    }
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": {"code": "not_found", "message": format!("no route {path}")}}),
    )
}
