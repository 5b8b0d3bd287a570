//! Serving a test's stand-in on a free loopback port, and stopping it.
//!
//! Every server a test starts binds 127.0.0.1 port 0 (the system picks a
//! free port), so tests run in parallel and never reach beyond loopback.
//! A server in another process binds its port itself: [`free_port`] names
//! one for it.

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A bound port, before anything serves on it: its URL can be written into
/// the router that will serve it (an issuer names itself, a client its
/// callback).
pub struct Port {
    listener: TcpListener,
    url: String,
}

impl Port {
    /// A free port on 127.0.0.1.
    pub async fn free() -> Port {
        Self::bind(0).await
    }

    /// 127.0.0.1:`port` (0 for a free one), e.g. to restart "the same"
    /// server on the port it had.
    pub async fn bind(port: u16) -> Port {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("a loopback port");
        let url = format!("http://127.0.0.1:{}", listener.local_addr().expect("a bound address").port());
        Port { listener, url }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port number, for a URL under another name of this host
    /// (`http://localhost:<port>`).
    pub fn number(&self) -> u16 {
        self.listener.local_addr().expect("a bound address").port()
    }

    /// The listener, for a server that serves it itself.
    pub fn into_listener(self) -> TcpListener {
        self.listener
    }

    /// Serves `router` until [`Running::stop`] (or the end of the test).
    pub fn serve(self, router: Router) -> Running {
        let listener = self.listener;
        Running::spawn(move |stopped| async move {
            let _ = axum::serve(listener, router).with_graceful_shutdown(stopped).await;
        })
    }
}

/// A port nobody listens on right now, for a server in another process
/// to bind (bound on port 0, read, let go). Another process could take it
/// in between; a test in-process uses [`Port::free`], which keeps it.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("a bound address").port()
}

/// A server running in a task of the test's runtime.
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Runs `server`, handing it the future that resolves when the server is
    /// asked to stop (for `with_graceful_shutdown` or a service's own
    /// `run_until_stopped`).
    pub fn spawn<Fut>(server: impl FnOnce(Stopped) -> Fut) -> Running
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server(Stopped(stopped)));
        Running { stop: Some(stop), task: Some(task) }
    }

    /// Stops the server and waits until it has: its port refuses
    /// connections from then on.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Resolves when the server is asked to stop. A [`Running`] handle that is
/// dropped without `stop` leaves its server serving until the test's
/// runtime ends, so `port.serve(router);` is enough for a stand-in.
pub struct Stopped(oneshot::Receiver<()>);

impl Future for Stopped {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        match std::pin::Pin::new(&mut self.0).poll(cx) {
            std::task::Poll::Ready(Ok(())) => std::task::Poll::Ready(()),
            // The handle was dropped: nobody can ask any more, so never.
            std::task::Poll::Ready(Err(_)) | std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::get;

    use super::*;

    #[tokio::test]
    async fn a_served_router_answers_until_it_is_stopped() {
        let port = Port::free().await;
        assert_eq!(port.url(), format!("http://127.0.0.1:{}", port.number()));
        let url = format!("{}/", port.url());
        let mut running = port.serve(Router::new().route("/", get(|| async { "up" })));
        let http = reqwest::Client::new();
        assert_eq!(http.get(&url).send().await.unwrap().text().await.unwrap(), "up");
        running.stop().await;
        assert!(http.get(&url).send().await.is_err(), "the port refuses connections once stopped");
    }

    #[test]
    fn a_free_port_can_be_bound_again() {
        let port = free_port();
        assert_ne!(port, 0);
        std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free after free_port");
    }

    #[tokio::test]
    async fn a_dropped_handle_leaves_the_server_serving() {
        let port = Port::free().await;
        let url = format!("{}/", port.url());
        drop(port.serve(Router::new().route("/", get(|| async { "still up" }))));
        let answer = reqwest::Client::new().get(&url).send().await.unwrap();
        assert_eq!(answer.text().await.unwrap(), "still up");
    }
}
