//! Answers given before the request body was read still wait for it.
//!
//! Faults, rate limits and auth rejections answer without reading the
//! body. hyper then closes the connection after the answer, and a client
//! still sending (a streamed upload) or reusing the pooled connection meets
//! a closed socket: a plain `500` turns into a lost answer on its side.
//! Real front ends read and discard the rest (nginx's lingering close);
//! so does this layer, up to [`DRAIN_LIMIT`] bytes and [`DRAIN_TIME`].

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;

/// The most left unread that is still read before answering; past it the
/// connection is closed, as before.
pub const DRAIN_LIMIT: usize = 8 * 1024 * 1024;
/// How long the rest of a body may take to arrive.
pub const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The request body, shared between the handler and this layer.
struct Shared(Arc<Mutex<Body>>);

impl HttpBody for Shared {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let mut body = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Pin::new(&mut *body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.lock().map(|b| b.is_end_stream()).unwrap_or(true)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0.lock().map(|b| b.size_hint()).unwrap_or_default()
    }
}

/// Middleware: run the request, then read what the handler left of its
/// body (bounded) before the answer goes out.
pub async fn unread_body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = Arc::new(Mutex::new(body));
    let response = next
        .run(Request::from_parts(parts, Body::new(Shared(body.clone()))))
        .await;
    let rest = std::mem::take(&mut *body.lock().unwrap_or_else(|e| e.into_inner()));
    if !rest.is_end_stream() {
        let _ = tokio::time::timeout(DRAIN_TIME, discard(rest)).await;
    }
    response
}

async fn discard(body: Body) {
    let mut stream = body.into_data_stream();
    let mut read = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        read = read.saturating_add(chunk.len());
        if read > DRAIN_LIMIT {
            return;
        }
    }
}
