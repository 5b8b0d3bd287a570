//! The system under test: the three release services, each its own process
//! with its own SQLite file in a temporary directory, and the floor.
//!
//! The services run with their default configuration; the bench sets only
//! what it must — addresses, URLs, database files — and `RUST_LOG=warn`:
//! the level a production deployment logs at, where a request that goes
//! well writes nothing. At the default `info` every request writes a line,
//! and on a 2-core machine formatting and writing those lines measures the
//! terminal, not the service.

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use testkit::serve::free_port;

use crate::flows;
use crate::procs::{self, Service};

pub struct Services {
    pub provider: Service,
    pub todo_api: Service,
    pub client: Service,
    pub floor: Service,
    /// The databases and logs; removed when dropped.
    pub dir: TempDir,
    binaries: Binaries,
    /// The environments they were started with, to restart them alike.
    provider_env: Vec<(&'static str, String)>,
    todo_api_env: Vec<(&'static str, String)>,
}

struct Binaries {
    provider: PathBuf,
    todo_api: PathBuf,
    client: PathBuf,
}

/// What the provider needs to run on `port` with its database `db` in `dir`.
pub fn provider_env(port: u16, todo_port: u16, dir: &Path, db: &str) -> Vec<(&'static str, String)> {
    let mut env = own_settings(["PROVIDER_ADDR", "PROVIDER_PUBLIC_URL", "PROVIDER_DATABASE_URL"], port, &dir.join(db));
    env.push(("TODO_API_PUBLIC_URL", format!("http://127.0.0.1:{todo_port}")));
    env
}

fn todo_api_env(port: u16, provider_port: u16, client_port: u16, dir: &Path) -> Vec<(&'static str, String)> {
    let provider_url = format!("http://127.0.0.1:{provider_port}");
    let names = ["TODO_API_ADDR", "TODO_API_PUBLIC_URL", "TODO_API_DATABASE_URL"];
    let mut env = own_settings(names, port, &dir.join("todos.db"));
    env.extend([
        ("PROVIDER_PUBLIC_URL", provider_url.clone()),
        ("PROVIDER_INTERNAL_URL", provider_url),
        ("CLIENT_PUBLIC_URL", format!("http://127.0.0.1:{client_port}")),
    ]);
    env
}

fn client_env(port: u16, provider_port: u16, todo_port: u16, dir: &Path) -> Vec<(&'static str, String)> {
    let provider_url = format!("http://127.0.0.1:{provider_port}");
    let mut env =
        own_settings(["CLIENT_ADDR", "CLIENT_PUBLIC_URL", "CLIENT_DATABASE_URL"], port, &dir.join("client.db"));
    env.extend([
        ("PROVIDER_PUBLIC_URL", provider_url.clone()),
        ("PROVIDER_INTERNAL_URL", provider_url),
        ("TODO_API_PUBLIC_URL", format!("http://127.0.0.1:{todo_port}")),
        ("REDIRECT_URI", flows::REDIRECT_URI.to_owned()),
    ]);
    env
}

/// The settings every service reads under its own names — where it listens,
/// the URL it is reached at, its SQLite file — and the log level of a
/// production deployment (see the README's benchmark section).
fn own_settings(names: [&'static str; 3], port: u16, db: &Path) -> Vec<(&'static str, String)> {
    let [addr, public_url, database_url] = names;
    vec![
        (addr, format!("127.0.0.1:{port}")),
        (public_url, format!("http://127.0.0.1:{port}")),
        (database_url, sqlite_url(db)),
        ("RUST_LOG", "warn".to_owned()),
    ]
}

pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

impl Services {
    /// Starts the floor and the three services, each once healthy.
    pub async fn start() -> anyhow::Result<Self> {
        let binaries = Binaries {
            provider: procs::binary("provider")?,
            todo_api: procs::binary("todo-api")?,
            client: procs::binary("client")?,
        };
        let dir = tempfile::Builder::new().prefix("oauth-bench-").tempdir()?;
        let (p, t, c) = (free_port(), free_port(), free_port());
        eprintln!("starting the provider, todo-api, client and the floor in {}", dir.path().display());
        let floor = procs::spawn_floor(dir.path()).await?;
        let provider_env = provider_env(p, t, dir.path(), "provider.db");
        let provider = procs::spawn_service("provider", &binaries.provider, p, &provider_env, dir.path()).await?;
        let todo_api_env = todo_api_env(t, p, c, dir.path());
        let todo_api = procs::spawn_service("todo-api", &binaries.todo_api, t, &todo_api_env, dir.path()).await?;
        let client =
            procs::spawn_service("client", &binaries.client, c, &client_env(c, p, t, dir.path()), dir.path()).await?;
        Ok(Self { provider, todo_api, client, floor, dir, binaries, provider_env, todo_api_env })
    }

    /// The provider's and the todo API's database files.
    pub fn provider_db(&self) -> PathBuf {
        self.dir.path().join("provider.db")
    }

    pub fn todos_db(&self) -> PathBuf {
        self.dir.path().join("todos.db")
    }

    /// Stops the provider and the todo API, runs `work` (on their database
    /// files), and starts them again on the same ports with the same
    /// settings.
    pub async fn with_provider_and_todo_api_stopped<T>(
        &mut self,
        work: impl std::future::Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        self.provider.kill().await;
        self.todo_api.kill().await;
        let result = work.await;
        let (p, t) = (self.provider.addr.port(), self.todo_api.addr.port());
        self.provider =
            procs::spawn_service("provider", &self.binaries.provider, p, &self.provider_env, self.dir.path()).await?;
        self.todo_api =
            procs::spawn_service("todo-api", &self.binaries.todo_api, t, &self.todo_api_env, self.dir.path()).await?;
        result
    }

    /// Every process by the name the report uses.
    pub fn all(&self) -> [&Service; 4] {
        [&self.provider, &self.todo_api, &self.client, &self.floor]
    }

    pub fn pid_of(&self, name: &str) -> u32 {
        self.all().into_iter().find(|s| s.name == name).map(Service::pid).unwrap_or(0)
    }

    /// VmRSS of each process, in MB.
    pub fn rss(&self) -> Vec<(&'static str, f64)> {
        self.named(Service::rss_mb)
    }

    /// VmHWM (the peak) of each process, in MB.
    pub fn peak_rss(&self) -> Vec<(&'static str, f64)> {
        self.named(Service::peak_rss_mb)
    }

    fn named(&self, read: fn(&Service) -> f64) -> Vec<(&'static str, f64)> {
        ["provider", "todo-api", "client", "floor"].into_iter().zip(self.all().map(read)).collect()
    }

    /// Starts one more provider on a database of its own, with `extra`
    /// settings on top of the bench's (for the per-algorithm runs).
    pub async fn extra_provider(&self, name: &str, extra: &[(&'static str, String)]) -> anyhow::Result<Service> {
        let port = free_port();
        let mut env = provider_env(port, self.todo_api.addr.port(), self.dir.path(), &format!("{name}.db"));
        env.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        env.extend_from_slice(extra);
        procs::spawn_service(name, &self.binaries.provider, port, &env, self.dir.path()).await
    }

    pub async fn stop(self) {
        let Self { provider, todo_api, client, floor, dir, .. } = self;
        for service in [provider, todo_api, client, floor] {
            service.stop().await;
        }
        drop(dir);
    }
}
