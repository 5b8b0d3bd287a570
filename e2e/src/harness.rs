//! The whole system in one test: provider, client app and todo API on
//! ports chosen by the OS, each with a fresh database.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use e2e::{Options, System};
//!
//! let system = System::start(Options::default().provider("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", "1")).await?;
//! let healthz = reqwest::get(system.todo_api.url("/healthz")).await?;
//! assert!(healthz.status().is_success());
//! # Ok(()) }
//! ```
//!
//! The URLs follow the rule for cookies (RFC 6265 §8.5: cookies ignore the
//! port): every browser-facing URL
//! uses the host name `localhost` (`http://localhost:{port}`), so the
//! client's `access_token` cookie reaches the todo API; the back channel to
//! the provider uses `http://127.0.0.1:{port}`, as `http://provider:8080`
//! would in Docker. Servers bind `127.0.0.1:0`.
//!
//! Databases are fresh SQLite files, or fresh PostgreSQL databases when
//! `TEST_DATABASE_URL` is set (see `testkit::db::TestDatabase`).

use std::net::SocketAddr;

use anyhow::Context;
use shared::config::Env;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::services::{Configs, Service, ServiceEnvs};
use testkit::db::TestDatabase;

/// Settings on top of the services' defaults, one environment per service.
///
/// ```
/// # use e2e::Options;
/// let options = Options::default()
///     .provider("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", "1")
///     .todo_api("TODO_API_LEEWAY_SECONDS", "0")
///     .todo_api("TODO_API_TOKEN_VALIDATION", "introspection");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Options {
    envs: ServiceEnvs,
}

impl Options {
    /// A variable for the provider only.
    pub fn provider(mut self, name: &str, value: &str) -> Self {
        self.envs.provider.set(name, value);
        self
    }

    /// A variable for the client app only.
    pub fn client(mut self, name: &str, value: &str) -> Self {
        self.envs.client.set(name, value);
        self
    }

    /// A variable for the todo API only.
    pub fn todo_api(mut self, name: &str, value: &str) -> Self {
        self.envs.todo_api.set(name, value);
        self
    }

    /// A variable for all three (for example `TODO_API_AUDIENCE`, which the
    /// provider and the todo API must agree on).
    pub fn all(self, name: &str, value: &str) -> Self {
        self.provider(name, value).client(name, value).todo_api(name, value)
    }
}

/// Where one running service is, and its database.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The port it listens on (127.0.0.1), kept across restarts.
    pub port: u16,
    /// `http://localhost:{port}`: the URL browsers use (and the issuer, for
    /// the provider).
    pub public_url: String,
    /// `http://127.0.0.1:{port}`: the back channel between services.
    pub internal_url: String,
    /// Its database, kept across restarts (and removed when the last copy
    /// of the instance goes).
    pub database: std::sync::Arc<TestDatabase>,
}

impl Instance {
    /// An instance on `port` that owns `database`.
    fn on(port: u16, database: TestDatabase) -> Self {
        let (public_url, internal_url) = (format!("http://localhost:{port}"), format!("http://127.0.0.1:{port}"));
        Self { port, public_url, internal_url, database: std::sync::Arc::new(database) }
    }

    /// A URL on the browser-facing side, e.g. `url("/healthz")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// The three services, running in this test's runtime.
pub struct System {
    pub provider: Instance,
    pub client: Instance,
    pub todo_api: Instance,
    /// The configurations the services were built from.
    pub configs: Configs,
    provider_task: Option<Task>,
    client_task: Option<Task>,
    todo_api_task: Option<Task>,
}

/// One served app: how to stop it, and its end.
struct Task {
    stop: oneshot::Sender<()>,
    served: JoinHandle<std::io::Result<()>>,
}

impl Task {
    /// Stops serving and waits until the port is free again.
    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.served.await;
    }
}

impl System {
    /// Starts the three services with their defaults plus `options`.
    pub async fn start(options: Options) -> anyhow::Result<System> {
        Self::start_with_envs(options.envs).await
    }

    /// Starts the three services from the environments a deployment gives
    /// them (for example the `environment:` of each service in
    /// docker-compose.yml), changing only what cannot work in one test:
    ///
    /// - **bind addresses**: `PROVIDER_ADDR`, `CLIENT_ADDR` and `TODO_API_ADDR`
    ///   become `127.0.0.1:{a free port}`;
    /// - **URLs**: `PROVIDER_PUBLIC_URL`, `CLIENT_PUBLIC_URL` and
    ///   `TODO_API_PUBLIC_URL` become `http://localhost:{that port}`,
    ///   `PROVIDER_INTERNAL_URL` becomes `http://127.0.0.1:{the provider's
    ///   port}`; these four are set in all three environments, whether they
    ///   were there or not. In `REDIRECT_URI`, `TODO_API_AUDIENCE` and the
    ///   provider's clients file, every origin that was one of those URLs
    ///   (as given, or the service's default) is replaced the same way, so
    ///   `http://localhost:3000/callback` follows the client to its port and
    ///   an audience such as `urn:todo-api` stays as it is;
    /// - **databases**: `PROVIDER_DATABASE_URL`, `CLIENT_DATABASE_URL` and
    ///   `TODO_API_DATABASE_URL` become fresh test databases;
    /// - **the clients file**: a `PROVIDER_CLIENTS_FILE` that does not exist
    ///   on this machine (a path inside a container) is dropped, so the
    ///   provider's shipped `clients.toml` is used.
    ///
    /// Every other variable reaches its service untouched, and a bad value
    /// fails here exactly as it would fail the service.
    pub async fn start_with_envs(envs: ServiceEnvs) -> anyhow::Result<System> {
        let listeners = [bind_any_port().await?, bind_any_port().await?, bind_any_port().await?];
        let [provider_port, client_port, todo_api_port] = listeners.each_ref().map(port_of);
        let provider = Instance::on(provider_port, TestDatabase::fresh("e2e_provider").await);
        let client = Instance::on(client_port, TestDatabase::fresh("e2e_client").await);
        let todo_api = Instance::on(todo_api_port, TestDatabase::fresh("e2e_todo_api").await);

        let rewrites = Rewrites::new(&envs, &provider, &client, &todo_api);
        let mut envs = envs;
        for env in [&mut envs.provider, &mut envs.client, &mut envs.todo_api] {
            rewrites.apply_to_env(env, [&provider, &client, &todo_api]);
        }
        if envs.provider.get("PROVIDER_CLIENTS_FILE").is_some_and(|path| !std::path::Path::new(path).exists()) {
            envs.provider.set("PROVIDER_CLIENTS_FILE", "");
        }
        let mut configs = Configs::from_envs(&envs)?;
        configs.provider.clients_toml = rewrites.apply(&configs.provider.clients_toml);

        let [provider_listener, client_listener, todo_api_listener] = listeners;
        let (provider_task, client_task, todo_api_task) = tokio::try_join!(
            serve_provider(configs.provider.clone(), provider_listener),
            serve_client(configs.client.clone(), client_listener),
            serve_todo_api(configs.todo_api.clone(), todo_api_listener),
        )?;
        Ok(System {
            provider,
            client,
            todo_api,
            configs,
            provider_task: Some(provider_task),
            client_task: Some(client_task),
            todo_api_task: Some(todo_api_task),
        })
    }

    /// Stops the provider (its port and database stay reserved for a restart).
    pub async fn stop_provider(&mut self) {
        if let Some(task) = self.provider_task.take() {
            task.stop().await;
        }
    }

    /// Starts the provider again on the same port and database (stopping it
    /// first if it runs).
    pub async fn restart_provider(&mut self) -> anyhow::Result<()> {
        self.stop_provider().await;
        let listener = bind_port(self.provider.port).await?;
        self.provider_task = Some(serve_provider(self.configs.provider.clone(), listener).await?);
        Ok(())
    }

    /// Stops the todo API (its port and database stay reserved for a restart).
    pub async fn stop_todo_api(&mut self) {
        if let Some(task) = self.todo_api_task.take() {
            task.stop().await;
        }
    }

    /// Starts the todo API again on the same port and database.
    pub async fn restart_todo_api(&mut self) -> anyhow::Result<()> {
        self.stop_todo_api().await;
        let listener = bind_port(self.todo_api.port).await?;
        self.todo_api_task = Some(serve_todo_api(self.configs.todo_api.clone(), listener).await?);
        Ok(())
    }

    /// Stops all three and waits until they have finished.
    pub async fn stop(mut self) {
        for task in
            [self.provider_task.take(), self.client_task.take(), self.todo_api_task.take()].into_iter().flatten()
        {
            task.stop().await;
        }
    }
}

impl Drop for System {
    /// A test that panics still stops its servers (without waiting).
    fn drop(&mut self) {
        for task in
            [self.provider_task.take(), self.client_task.take(), self.todo_api_task.take()].into_iter().flatten()
        {
            let _ = task.stop.send(());
        }
    }
}

/// The URL changes of [`System::start_with_envs`]: each original origin and
/// the origin that replaces it.
struct Rewrites(Vec<(String, String)>);

impl Rewrites {
    fn new(envs: &ServiceEnvs, provider: &Instance, client: &Instance, todo_api: &Instance) -> Self {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut add = |from: Option<String>, to: &str| {
            if let Some(from) = from
                && !pairs.iter().any(|(known, _)| *known == from)
            {
                pairs.push((from, to.to_owned()));
            }
        };
        let all = [&envs.provider, &envs.client, &envs.todo_api];
        // Public URLs first: when the internal URL is the public one, the
        // browser-facing replacement wins.
        for (service, instance) in
            [(Service::Provider, provider), (Service::Client, client), (Service::TodoApi, todo_api)]
        {
            add(origin(service.default_public_url()), &instance.public_url);
            for env in all {
                add(env.get(service.public_url_variable()).and_then(origin), &instance.public_url);
            }
        }
        for env in all {
            add(env.get("PROVIDER_INTERNAL_URL").and_then(origin), &provider.internal_url);
        }
        Self(pairs)
    }

    fn apply_to_env(&self, env: &mut Env, [provider, client, todo_api]: [&Instance; 3]) {
        for (service, instance) in
            [(Service::Provider, provider), (Service::Client, client), (Service::TodoApi, todo_api)]
        {
            env.set(service.addr_variable(), format!("127.0.0.1:{}", instance.port));
            env.set(service.public_url_variable(), &instance.public_url);
            env.set(service.database_variable(), &instance.database.url);
        }
        env.set("PROVIDER_INTERNAL_URL", &provider.internal_url);
        for name in ["REDIRECT_URI", "TODO_API_AUDIENCE"] {
            if let Some(value) = env.get(name) {
                let value = self.apply(value);
                env.set(name, value);
            }
        }
    }

    /// Replaces each known origin, where it is a whole origin (not the start
    /// of a longer port or host name).
    fn apply(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, (from, to)| replace_origin(&text, from, to))
    }
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|url| url.origin().ascii_serialization()).filter(|origin| origin != "null")
}

fn replace_origin(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        let continues = after.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        out.push_str(&rest[..at]);
        out.push_str(if continues { from } else { to });
        rest = after;
    }
    out.push_str(rest);
    out
}

async fn bind_any_port() -> anyhow::Result<TcpListener> {
    bind_port(0).await
}

async fn bind_port(port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await.with_context(|| format!("bind 127.0.0.1:{port}"))
}

fn port_of(listener: &TcpListener) -> u16 {
    listener.local_addr().map(|addr| addr.port()).unwrap_or(0)
}

fn spawn<F>(serve: impl FnOnce(oneshot::Receiver<()>) -> F) -> Task
where
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let (stop, stopped) = oneshot::channel();
    Task { stop, served: tokio::spawn(serve(stopped)) }
}

async fn serve_provider(config: provider::Config, listener: TcpListener) -> anyhow::Result<Task> {
    let app = provider::App::build_on(config, listener).await.context("the provider starts")?;
    Ok(spawn(|stopped| app.run_until_stopped(until(stopped))))
}

async fn serve_client(config: client::Config, listener: TcpListener) -> anyhow::Result<Task> {
    let app = client::App::build_on(config, listener).await.context("the client app starts")?;
    Ok(spawn(|stopped| app.run_until_stopped(until(stopped))))
}

async fn serve_todo_api(config: todo_api::Config, listener: TcpListener) -> anyhow::Result<Task> {
    let app = todo_api::App::build_on(config, listener).await.context("the todo API starts")?;
    Ok(spawn(|stopped| app.run_until_stopped(until(stopped))))
}

async fn until(stopped: oneshot::Receiver<()>) {
    let _ = stopped.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_replaced_only_where_they_end() {
        let text = "a http://localhost:3000/callback b http://localhost:30001/x c http://localhost:3000";
        assert_eq!(
            replace_origin(text, "http://localhost:3000", "http://localhost:5"),
            "a http://localhost:5/callback b http://localhost:30001/x c http://localhost:5"
        );
    }

    #[tokio::test]
    async fn docker_urls_follow_their_services() {
        let database = || async { TestDatabase::fresh("e2e_rewrites").await };
        let provider = Instance::on(1, database().await);
        let client = Instance::on(2, database().await);
        let todo_api = Instance::on(3, database().await);
        let mut envs = ServiceEnvs::default();
        envs.client.set("PROVIDER_INTERNAL_URL", "http://provider:8080");
        envs.client.set("REDIRECT_URI", "http://localhost:3000/callback");
        envs.todo_api.set("TODO_API_AUDIENCE", "urn:todo-api");
        let rewrites = Rewrites::new(&envs, &provider, &client, &todo_api);
        for env in [&mut envs.provider, &mut envs.client, &mut envs.todo_api] {
            rewrites.apply_to_env(env, [&provider, &client, &todo_api]);
        }
        assert_eq!(envs.client.get("PROVIDER_INTERNAL_URL"), Some("http://127.0.0.1:1"));
        assert_eq!(envs.client.get("REDIRECT_URI"), Some("http://localhost:2/callback"));
        assert_eq!(envs.todo_api.get("TODO_API_AUDIENCE"), Some("urn:todo-api"));
        assert_eq!(envs.provider.get("TODO_API_PUBLIC_URL"), Some("http://localhost:3"));
        assert_eq!(
            rewrites.apply(r#"redirect_uris = ["http://localhost:3000/callback"]"#),
            r#"redirect_uris = ["http://localhost:2/callback"]"#
        );
    }
}
