//! `cargo run`: the provider, the client app and the todo API in one process.
//!
//! Each service runs on its own Tokio runtime, in threads named after it
//! (`provider`, `client`, `todo-api`). That is what lets one log show which
//! service wrote each line: axum serves every connection in a task of its
//! own, where a tracing span entered around `run_until_stopped` would be
//! lost, but the thread a line is written from is always the service's own.
//!
//! Start-up happens in two rounds, so that a mistake shows at once:
//!
//! 1. every configuration is read, then every service binds its port — a
//!    bad variable or a port in use stops everything before any database
//!    is touched, with a message naming the variable to change;
//! 2. every service opens its database and builds its app, in parallel;
//!    only when all three are ready are the URLs printed.
//!
//! Ctrl-C or SIGTERM stops all three: each finishes the requests in flight.
//! [`run`] also starts the single-page app's server (`spa`) and the attack
//! lab (`lab serve`) beside them.

use std::fmt::Write as _;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use crate::services::{Configs, Service, ServiceEnvs};

/// One log for the three services, each line prefixed with its service.
mod logging;
pub use logging::{DEFAULT_LOG_FILTER, init_logging};

/// The demo users the provider seeds on first start, shown at start.
pub const DEMO_USERS: [(&str, &str); 2] = [("demo", "demo"), ("alice", "alice")];

/// How long a service may take to finish its requests in flight at stop.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Why the launcher could not start or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A variable has a value that cannot be used; the message names it.
    #[error("configuration error: {0}")]
    Config(#[from] shared::config::ConfigError),
    /// A service could not bind its port or build its app.
    #[error("{service} did not start: {message}")]
    Start { service: Service, message: String },
    /// The attack lab could not bind its port or build its site.
    #[error("the lab did not start: {0}")]
    Lab(String),
    /// The single-page app's server could not bind its port.
    #[error("the spa did not start: {0}")]
    Spa(String),
    /// A service stopped serving while the others were still running.
    #[error("{service} stopped unexpectedly: {message}")]
    Stopped { service: Service, message: String },
}

/// Reads the configurations, starts the three services, prints where they
/// are, and serves until `shutdown` resolves (or one of them fails).
pub async fn run(envs: ServiceEnvs, shutdown: impl Future<Output = ()>) -> Result<(), LaunchError> {
    // The lab reads the same URL variables as the todo API.
    let lab_env = envs.todo_api.clone();
    let launched = launch(envs).await?;
    let extras = start_spa(&lab_env).and_then(|spa| Ok(format!("{spa}\n{}", start_lab(&lab_env)?)));
    let extras = match extras {
        Ok(lines) => lines,
        Err(error) => {
            let _ = launched.stop().await;
            return Err(error);
        }
    };
    println!("{}", launched.banner().replacen("Demo users", &format!("{extras}\nDemo users"), 1));
    launched.run_until(shutdown).await
}

/// `lab serve`, the attacker's site, beside the three services (see
/// [`serve_beside`]). Returns its banner line.
fn start_lab(env: &shared::config::Env) -> Result<String, LaunchError> {
    let config = lab::Config::from_env(env)?;
    let public_url = config.public_url.clone();
    let addr = serve_beside("lab", &config.addr.clone(), "LAB_ADDR", LaunchError::Lab, move |listener| async move {
        let lab = lab::Lab::build_on(config, listener).map_err(std::io::Error::other)?;
        lab.run_until_stopped(std::future::pending()).await
    })?;
    Ok(format!("  {:<9} {:<28} (the attack lab, an attacker's site; listening on {addr})", "lab", public_url))
}

/// The single-page app's server (`spa`), like the lab. Returns its banner
/// line.
fn start_spa(env: &shared::config::Env) -> Result<String, LaunchError> {
    let config = spa::Config::from_env(env)?;
    let public_url = config.public_url.clone();
    let addr = serve_beside("spa", &config.addr.clone(), "SPA_ADDR", LaunchError::Spa, move |listener| async move {
        let spa = spa::App::build_on(config, listener).map_err(std::io::Error::other)?;
        spa.run_until_stopped(std::future::pending()).await
    })?;
    Ok(format!("  {:<9} {:<28} (the single-page app, a public client; listening on {addr})", "spa", public_url))
}

/// Binds `addr` (the value of `variable`) and serves on it with `serve`, on
/// a thread and runtime of its own named `name` (so its log lines say
/// which it is), until the process ends. Returns the address it listens on.
fn serve_beside<Serve, Serving>(
    name: &'static str,
    addr: &str,
    variable: &str,
    error: fn(String) -> LaunchError,
    serve: Serve,
) -> Result<SocketAddr, LaunchError>
where
    Serve: FnOnce(TcpListener) -> Serving + Send + 'static,
    Serving: Future<Output = std::io::Result<()>>,
{
    let listener = std::net::TcpListener::bind(addr)
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
        .map_err(|e| error(format!("cannot listen on {addr} ({variable}): {e}")))?;
    let local_addr = listener.local_addr().map_err(|e| error(e.to_string()))?;
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let served = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|runtime| runtime.block_on(async move { serve(TcpListener::from_std(listener)?).await }));
            if let Ok(Err(error)) | Err(error) = served {
                tracing::error!(%error, "the {name} stopped");
            }
        })
        .map_err(|e| error(e.to_string()))?;
    Ok(local_addr)
}

/// Starts the three services and returns once all of them serve.
pub async fn launch(envs: ServiceEnvs) -> Result<Launched, LaunchError> {
    let configs = Configs::from_envs(&envs)?;
    let public_urls =
        [configs.provider.issuer.clone(), configs.client.public_url.clone(), configs.todo_api.public_url.clone()];
    let (exit_tx, exits) = mpsc::unbounded_channel();
    let starting = vec![
        start_thread(ServiceConfig::Provider(configs.provider), exit_tx.clone()),
        start_thread(ServiceConfig::Client(configs.client), exit_tx.clone()),
        start_thread(ServiceConfig::TodoApi(configs.todo_api), exit_tx),
    ];

    // Round 1: every port is bound before any service builds.
    let mut bound = Vec::new();
    let mut first_error = None;
    for (thread, public_url) in starting.into_iter().zip(public_urls) {
        let Starting { service, bound: answer, go, ready, stop } = thread;
        match answer.await {
            Ok(Ok(addr)) => bound.push((go, ready, Running { service, addr, public_url, stop })),
            Ok(Err(message)) => {
                first_error.get_or_insert(LaunchError::Start { service, message });
            }
            Err(_) => {
                first_error.get_or_insert(start_crashed(service));
            }
        }
    }
    if let Some(error) = first_error {
        // Dropping the `go` senders tells the services that did bind to give
        // their port back and end.
        return Err(error);
    }

    // Round 2: databases, migrations, keys; all three at once.
    let mut services = Vec::new();
    let mut waiting = Vec::new();
    for (go, ready, running) in bound {
        let _ = go.send(());
        waiting.push((running.service, ready));
        services.push(running);
    }
    let launched = Launched { services, exits };
    for (service, ready) in waiting {
        let result = ready.await.unwrap_or_else(|_| Err("its thread ended during start-up".to_owned()));
        if let Err(message) = result {
            // Stop the others before reporting.
            let _ = launched.stop().await;
            return Err(LaunchError::Start { service, message });
        }
    }
    Ok(launched)
}

/// The three services, serving.
pub struct Launched {
    services: Vec<Running>,
    exits: mpsc::UnboundedReceiver<(Service, Result<(), String>)>,
}

struct Running {
    service: Service,
    addr: SocketAddr,
    public_url: String,
    stop: oneshot::Sender<()>,
}

impl Launched {
    /// Where `service` listens (its actual port, also when configured as 0).
    pub fn local_addr(&self, service: Service) -> SocketAddr {
        self.services.iter().find(|s| s.service == service).map(|s| s.addr).unwrap_or(SocketAddr::from(([0; 4], 0)))
    }

    /// What to open in a browser, and how to sign in.
    pub fn banner(&self) -> String {
        let mut text = String::from("\nThe OAuth demo is running:\n");
        for running in &self.services {
            let role = match running.service {
                Service::Client => "the todo app: start here",
                Service::Provider => "the authorization server",
                Service::TodoApi => "the protected API",
            };
            let _ = writeln!(
                text,
                "  {:<9} {:<28} ({role}; listening on {})",
                running.service.name(),
                running.public_url,
                running.addr
            );
        }
        let users: Vec<String> = DEMO_USERS.iter().map(|(user, password)| format!("{user} / {password}")).collect();
        let _ = writeln!(text, "Demo users (username / password): {}", users.join(", "));
        let _ = write!(text, "Press Ctrl-C to stop.");
        text
    }

    /// Serves until `shutdown` resolves, then stops all three. If a service
    /// stops on its own first, the others are stopped too and that is an error.
    pub async fn run_until(mut self, shutdown: impl Future<Output = ()>) -> Result<(), LaunchError> {
        let early_exit = tokio::select! {
            () = shutdown => None,
            exit = self.exits.recv() => exit,
        };
        let stopped = self.stop().await;
        match early_exit {
            Some((service, result)) => Err(LaunchError::Stopped {
                service,
                message: result.err().unwrap_or_else(|| "it stopped serving".to_owned()),
            }),
            None => stopped,
        }
    }

    /// Stops all three and waits until they have finished.
    pub async fn stop(self) -> Result<(), LaunchError> {
        let Launched { services, mut exits } = self;
        tracing::info!("stopping the provider, the client and the todo API");
        for running in services {
            let _ = running.stop.send(());
        }
        let mut outcome = Ok(());
        // Every thread holds a sender; `None` means all of them have ended.
        while let Some((service, result)) = exits.recv().await {
            if let Err(message) = result {
                outcome = outcome.and(Err(LaunchError::Stopped { service, message }));
            }
        }
        outcome
    }
}

/// One service's configuration, whichever service it is.
enum ServiceConfig {
    Provider(provider::Config),
    Client(client::Config),
    TodoApi(todo_api::Config),
}

/// One service's app, built and ready to serve.
enum ServiceApp {
    Provider(provider::App),
    Client(client::App),
    TodoApi(todo_api::App),
}

impl ServiceConfig {
    fn service(&self) -> Service {
        match self {
            ServiceConfig::Provider(_) => Service::Provider,
            ServiceConfig::Client(_) => Service::Client,
            ServiceConfig::TodoApi(_) => Service::TodoApi,
        }
    }

    fn addr(&self) -> &str {
        match self {
            ServiceConfig::Provider(config) => &config.addr,
            ServiceConfig::Client(config) => &config.addr,
            ServiceConfig::TodoApi(config) => &config.addr,
        }
    }

    async fn build_on(self, listener: TcpListener) -> anyhow::Result<ServiceApp> {
        Ok(match self {
            ServiceConfig::Provider(config) => ServiceApp::Provider(provider::App::build_on(config, listener).await?),
            ServiceConfig::Client(config) => ServiceApp::Client(client::App::build_on(config, listener).await?),
            ServiceConfig::TodoApi(config) => ServiceApp::TodoApi(todo_api::App::build_on(config, listener).await?),
        })
    }
}

impl ServiceApp {
    async fn run_until_stopped(self, stop: oneshot::Receiver<()>) -> std::io::Result<()> {
        let stop = async {
            let _ = stop.await;
        };
        match self {
            ServiceApp::Provider(app) => app.run_until_stopped(stop).await,
            ServiceApp::Client(app) => app.run_until_stopped(stop).await,
            ServiceApp::TodoApi(app) => app.run_until_stopped(stop).await,
        }
    }
}

/// The launcher's end of one service thread's start-up conversation.
struct Starting {
    service: Service,
    /// The thread's answer to "bind your port".
    bound: oneshot::Receiver<Result<SocketAddr, String>>,
    /// "Go on and build" (dropped: "give up").
    go: oneshot::Sender<()>,
    /// The thread's answer to "build your app".
    ready: oneshot::Receiver<Result<(), String>>,
    /// "Stop serving" (dropped: the same).
    stop: oneshot::Sender<()>,
}

/// Starts one service on a runtime of its own, in threads named after it.
fn start_thread(config: ServiceConfig, exits: mpsc::UnboundedSender<(Service, Result<(), String>)>) -> Starting {
    let service = config.service();
    let (bound_tx, bound) = oneshot::channel();
    let (go, go_rx) = oneshot::channel::<()>();
    let (ready_tx, ready) = oneshot::channel();
    let (stop, stop_rx) = oneshot::channel();
    let spawned = std::thread::Builder::new().name(service.name().to_owned()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(service.name())
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = bound_tx.send(Err(format!("cannot start a Tokio runtime: {e}")));
                return;
            }
        };
        runtime.block_on(async move {
            let listener = match shared::server::bind(config.addr(), service.addr_variable()).await {
                Ok(listener) => listener,
                Err(e) => {
                    let _ = bound_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let addr = match listener.local_addr() {
                Ok(addr) => addr,
                Err(e) => {
                    let _ = bound_tx.send(Err(format!("the listener has no address: {e}")));
                    return;
                }
            };
            let _ = bound_tx.send(Ok(addr));
            if go_rx.await.is_err() {
                return;
            }
            let app = match config.build_on(listener).await {
                Ok(app) => app,
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("{e:#}")));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            let served = app.run_until_stopped(stop_rx).await;
            tracing::info!("stopped");
            let _ = exits.send((service, served.map_err(|e| e.to_string())));
        });
        // Background tasks (session clean-up, key reloads) end with the runtime.
        runtime.shutdown_timeout(STOP_GRACE);
    });
    if let Err(e) = spawned {
        tracing::error!(%service, error = %e, "cannot start a thread");
    }
    Starting { service, bound, go, ready, stop }
}

fn start_crashed(service: Service) -> LaunchError {
    LaunchError::Start { service, message: "its thread ended before binding its port".to_owned() }
}
