//! What every service's `main` needs: logs, a listener, a clean stop.

use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Structured logs to stderr, filtered by `RUST_LOG` (default `info`),
/// coloured only when stderr is a terminal (files and `docker logs` get
/// plain text). Safe to call more than once (later calls do nothing).
pub fn init_tracing(default_filter: &str) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// Binds `addr`; when the port is taken the error says which variable moves it.
pub async fn bind(addr: &str, variable: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("the port is already in use; stop the other program or set {variable} to another host:port")
        } else {
            format!("check {variable}")
        };
        std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}; {hint}"))
    })
}

/// What a service's `run_until_stopped` serves until: any future that
/// resolves when it is time to stop ([`shutdown_signal`] in `main`, a
/// channel or `std::future::pending()` in the tests and the launcher).
pub trait Shutdown: Future<Output = ()> + Send + 'static {}

impl<F: Future<Output = ()> + Send + 'static> Shutdown for F {}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
