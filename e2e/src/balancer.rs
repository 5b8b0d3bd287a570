//! A round-robin load balancer for tests: every request goes to the next
//! replica in turn, so a flow through it crosses replicas at every step —
//! the hardest case for services that must keep no state of their own.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! let balancer = e2e::balancer::RoundRobin::start(vec![
//!     ("A".to_owned(), "http://127.0.0.1:8081".to_owned()),
//!     ("B".to_owned(), "http://127.0.0.1:8082".to_owned()),
//! ])
//! .await?;
//! reqwest::get(balancer.url("/healthz")).await?;
//! assert_eq!(balancer.served()[0].1, "/healthz");
//! # Ok(()) }
//! ```
//!
//! A replica that does not answer (killed) is skipped, as a real balancer's
//! health check would; the request goes to the next one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A running balancer in front of named replicas.
pub struct RoundRobin {
    /// `http://127.0.0.1:{port}`.
    pub internal_url: String,
    /// `http://localhost:{port}`, for browsers.
    pub public_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    replicas: Vec<(String, String)>,
    next: AtomicUsize,
    /// (replica name, path) of every request served, in order.
    served: Mutex<Vec<(String, String)>>,
    http: reqwest::Client,
}

impl RoundRobin {
    /// Listens on 127.0.0.1 (a free port) in front of `replicas`, each a
    /// (name, base URL) pair.
    pub async fn start(replicas: Vec<(String, String)>) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("bind the balancer")?;
        let port = listener.local_addr()?.port();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        let shared = Arc::new(Shared { replicas, next: AtomicUsize::new(0), served: Mutex::default(), http });
        let router = Router::new().fallback(forward).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            internal_url: format!("http://127.0.0.1:{port}"),
            public_url: format!("http://localhost:{port}"),
            shared,
            task,
        })
    }

    /// A browser-facing URL, e.g. `url("/healthz")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// Which replica served each request so far, with its path.
    pub fn served(&self) -> Vec<(String, String)> {
        self.shared.served.lock().map(|served| served.clone()).unwrap_or_default()
    }
}

impl Drop for RoundRobin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB").into_response();
    };
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let start = shared.next.fetch_add(1, Ordering::SeqCst);
    for attempt in 0..shared.replicas.len() {
        let (name, base) = &shared.replicas[(start + attempt) % shared.replicas.len()];
        let sent = shared
            .http
            .request(parts.method.clone(), format!("{base}{path_and_query}"))
            .headers(without_host(&parts.headers))
            .body(body.clone())
            .send()
            .await;
        let Ok(answer) = sent else { continue };
        if let Ok(mut served) = shared.served.lock() {
            served.push((name.clone(), parts.uri.path().to_owned()));
        }
        let status = answer.status();
        let headers = answer.headers().clone();
        let bytes: Bytes = answer.bytes().await.unwrap_or_default();
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        // The body is whole now: hop-by-hop framing does not carry over.
        response.headers_mut().remove(header::TRANSFER_ENCODING);
        response.headers_mut().remove(header::CONNECTION);
        return response;
    }
    (StatusCode::BAD_GATEWAY, "no replica answered").into_response()
}

fn without_host(headers: &HeaderMap) -> HeaderMap {
    let mut headers = headers.clone();
    headers.remove(header::HOST);
    headers
}
