//! The processes under test: the three release binaries and the floor, each
//! its own process so that `/proc/<pid>/stat` gives each one's CPU time.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::http::Conn;

/// Linux reports process times in clock ticks of 1/100 s (`USER_HZ`, fixed
/// at 100 on every mainstream architecture).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of a process so far.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start at
    // field 3; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / CLOCK_TICKS_PER_SECOND)
}

/// A `/proc/<pid>/status` memory line (`VmRSS`, `VmHWM`) in MB (10^6 bytes).
pub fn memory_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0 / 1e6)
}

/// The machine's CPU time so far, from the first line of `/proc/stat`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MachineCpu {
    /// Every state's ticks: user, nice, system, idle, iowait, irq, softirq, steal.
    total: f64,
    steal: f64,
}

impl MachineCpu {
    /// The percentage of the CPU time since `earlier` that was stolen.
    pub fn steal_percent_since(&self, earlier: &MachineCpu) -> f64 {
        let total = self.total - earlier.total;
        if total > 0.0 { 100.0 * (self.steal - earlier.steal) / total } else { 0.0 }
    }
}

pub fn machine_cpu_seconds() -> MachineCpu {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> =
        stat.lines().next().unwrap_or("").split_whitespace().skip(1).take(8).filter_map(|t| t.parse().ok()).collect();
    MachineCpu { total: ticks.iter().sum(), steal: ticks.get(7).copied().unwrap_or(0.0) }
}

/// `/proc/loadavg`: the 1, 5 and 15 minute load averages and more.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_owned()
}

/// A running child process, killed when dropped.
pub struct Service {
    pub name: String,
    pub addr: SocketAddr,
    pub child: Child,
    pub log: PathBuf,
}

impl Service {
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    pub fn rss_mb(&self) -> f64 {
        memory_mb(self.pid(), "VmRSS:").unwrap_or(0.0)
    }

    pub fn peak_rss_mb(&self) -> f64 {
        memory_mb(self.pid(), "VmHWM:").unwrap_or(0.0)
    }

    /// Stops the process and waits for it.
    pub async fn stop(mut self) {
        self.kill().await;
    }

    /// Kills the process and waits until it is gone.
    pub async fn kill(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// The release binaries live next to this one (`target/release/`).
pub fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me.parent().ok_or_else(|| anyhow::anyhow!("the bench binary has no directory"))?;
    let path = dir.join(name);
    if !path.is_file() {
        anyhow::bail!(
            "{} is missing. The benchmark runs the release binaries of the three services; build them first:\n\n    \
             cargo build --release --workspace --bins && cargo run --release -p bench\n",
            path.display()
        );
    }
    if !dir.ends_with("release") {
        eprintln!("warning: {} is not a release build; numbers will be meaningless", dir.display());
    }
    Ok(path)
}

/// Starts `program` with `env` (and nothing else from our environment but
/// `PATH` and `HOME`), logs to `log_dir/<name>.log`, and waits until
/// `GET /healthz` answers 200.
pub async fn spawn_service(
    name: &str,
    program: &Path,
    port: u16,
    env: &[(&str, String)],
    log_dir: &Path,
) -> anyhow::Result<Service> {
    let log = log_dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log)?;
    let mut command = Command::new(program);
    command
        .env_clear()
        .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        // The services' working directory is the temp dir: no `.env` and no
        // `provider/clients.toml` of the checkout is picked up by accident.
        .current_dir(log_dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .kill_on_drop(true);
    let child = command.spawn().map_err(|e| anyhow::anyhow!("cannot start {}: {e}", program.display()))?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let service = Service { name: name.to_owned(), addr, child, log };
    wait_healthy(service).await
}

async fn wait_healthy(mut service: Service) -> anyhow::Result<Service> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = service.child.try_wait() {
            let log = std::fs::read_to_string(&service.log).unwrap_or_default();
            anyhow::bail!("{} exited at start ({status}); its log:\n{log}", service.name);
        }
        let mut conn = Conn::new(service.addr);
        if let Ok(response) = conn.send("GET", "/healthz", &[], b"").await
            && response.status == 200
        {
            return Ok(service);
        }
        if Instant::now() > deadline {
            anyhow::bail!("{} did not become healthy within 60 s (log: {})", service.name, service.log.display());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts this same executable with `--floor DIR`; it prints its port.
pub async fn spawn_floor(log_dir: &Path) -> anyhow::Result<Service> {
    let me = std::env::current_exe()?;
    let log = log_dir.join("floor.log");
    let mut child = Command::new(me)
        .arg("--floor")
        .arg(log_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log)?)
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("floor has no stdout"))?;
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(10), BufReader::new(stdout).read_line(&mut line)).await??;
    let port: u16 = line.trim().parse().map_err(|_| anyhow::anyhow!("floor printed {line:?}, not a port"))?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    wait_healthy(Service { name: "floor".into(), addr, child, log }).await
}

/// The floor: the cheapest useful axum endpoint, `GET /`, a fixed small
/// JSON body. Every scenario is compared with it. Beside it, `GET /sqlite`:
/// the same endpoint plus the cheapest useful query, one row read by its
/// primary key from a SQLite file in `dir` through sqlx's `Any` driver, as
/// the todo API reads (`shared::db::connect_with(url, 4)`, connections kept
/// by `shared::db::Kept`) — what any endpoint that reads the database pays
/// at least. And `POST /sqlite`: the same endpoint plus the cheapest useful
/// write, one new row keyed by 64 hex characters (as a hashed code is),
/// through one kept writer connection (`connect_with(url, 1)`, as the
/// provider writes) — what any endpoint that writes pays at least. It exits
/// when its parent closes its stdin (the bench ended, however it ended).
pub fn serve_floor(dir: &Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        use axum::extract::State;
        use axum::routing::get;
        let url = format!("sqlite://{}?mode=rwc", dir.join("floor.db").display());
        let pool = shared::db::connect_with(&url, 4).await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS items (id BIGINT PRIMARY KEY, title TEXT NOT NULL)")
            .execute(&pool)
            .await?;
        sqlx::query("INSERT INTO items (id, title) VALUES (1, 'the floor') ON CONFLICT (id) DO NOTHING")
            .execute(&pool)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS writes (key TEXT PRIMARY KEY, at BIGINT NOT NULL)")
            .execute(&pool)
            .await?;
        let writer = shared::db::Kept::new(&url, shared::db::connect_with(&url, 1).await?);
        let db = shared::db::Kept::new(&url, pool);
        let one_row = |State(db): State<shared::db::Kept>| async move {
            let row: Result<(i64, String), _> = match db.acquire().await {
                Ok(mut conn) => {
                    sqlx::query_as("SELECT id, title FROM items WHERE id = $1").bind(1_i64).fetch_one(&mut *conn).await
                }
                Err(e) => Err(e),
            };
            match row {
                Ok((id, title)) => Ok(axum::Json(serde_json::json!({"id": id, "title": title}))),
                Err(e) => Err((axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
            }
        };
        let one_write = move || {
            let writer = writer.clone();
            async move {
                let key = shared::random::sha256_hex(&shared::random::random_token());
                let written = match writer.acquire().await {
                    Ok(mut conn) => {
                        sqlx::query("INSERT INTO writes (key, at) VALUES ($1, $2)")
                            .bind(&key)
                            .bind(shared::now_unix())
                            .execute(&mut *conn)
                            .await
                    }
                    Err(e) => Err(e),
                };
                match written {
                    Ok(_) => Ok(axum::Json(serde_json::json!({"written": key}))),
                    Err(e) => Err((axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
                }
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?.port());
        let router = axum::Router::new()
            .route("/", get(|| async { axum::Json(serde_json::json!({"status": "ok", "service": "floor"})) }))
            .route("/sqlite", get(one_row).post(one_write))
            .route("/healthz", get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }));
        let stdin_closed = async {
            let mut sink = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut tokio::io::stdin(), &mut sink).await;
        };
        axum::serve(listener, router.with_state(db)).with_graceful_shutdown(stdin_closed).await?;
        Ok(())
    })
}
