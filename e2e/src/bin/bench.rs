//! `bench`: how fast are the three services, compared with the cheapest
//! possible axum endpoint on the same machine in the same run?
//!
//! ```text
//! cargo build --release --workspace --bins && cargo run --release -p e2e --bin bench
//! cargo run --release -p e2e --bin bench -- --quick     # ~20 s smoke run
//! cargo run --release -p e2e --bin bench -- --json      # JSON on stdout
//! ```
//!
//! It starts the release binaries `provider`, `todo-api` and `client` (found
//! next to this executable) as separate processes on free loopback ports,
//! with fresh SQLite databases in a temporary directory, plus a "floor": this
//! same executable re-run with `--floor`, serving a fixed small JSON with
//! bare axum. Each scenario is driven by our own load generator (32
//! keep-alive connections, 2 s warm-up, 10 s measured, a cap on requests),
//! and the server's CPU time is read from `/proc/<pid>/stat`, its memory
//! from `/proc/<pid>/status`. Everything stops by itself; nothing leaves
//! 127.0.0.1.

#[path = "bench/flows.rs"]
mod flows;
#[path = "bench/http.rs"]
mod http;
#[path = "bench/load.rs"]
mod load;
#[path = "bench/procs.rs"]
mod procs;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use crate::flows::{CodeFlow, FirstLogin, REPORT_SERVICE, Request, TODO_API_CLIENT};
use crate::http::{Conn, Cookies, basic};
use crate::load::{Operation, Outcome, Plan};
use crate::procs::Service;

const USAGE: &str = "\
usage: bench [--quick] [--json] [--alg RS256|ES256|EdDSA] [--no-rs256] [--only NAME,...] [--concurrency N]

  --quick          0.5 s warm-up and 2 s measured per scenario (smoke run)
  --json           print the results as JSON on stdout (the table goes to stderr)
  --alg ALG        PROVIDER_SIGNING_ALG for the main provider (default EdDSA)
  --no-rs256       skip the extra client_credentials run against an RS256 provider
  --only NAMES     run only these scenarios (floor always runs): todo_get,
                   client_credentials,introspection,code_flow,first_login
  --concurrency N  connections per scenario (default 32)
  --seconds S      measured window per scenario (default 10, --quick 2), e.g. for a profiler

Build the services first: cargo build --release --workspace --bins";

struct Args {
    quick: bool,
    json: bool,
    alg: String,
    rs256: bool,
    only: Option<Vec<String>>,
    concurrency: usize,
    /// Overrides the measured window (for profiling runs).
    seconds: Option<f64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        json: false,
        alg: "EdDSA".into(),
        rs256: true,
        only: None,
        concurrency: 32,
        seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--json" => args.json = true,
            "--no-rs256" => args.rs256 = false,
            "--alg" => {
                args.alg = it.next().ok_or("--alg needs a value")?;
                if !matches!(args.alg.as_str(), "RS256" | "ES256" | "EdDSA") {
                    return Err(format!("--alg {}: expected RS256, ES256 or EdDSA", args.alg));
                }
            }
            "--only" => {
                let names = it.next().ok_or("--only needs a comma-separated list")?;
                args.only = Some(names.split(',').map(str::to_owned).collect());
            }
            "--concurrency" => {
                let n = it.next().ok_or("--concurrency needs a number")?;
                args.concurrency = n.parse().ok().filter(|n| (1..=1024).contains(n)).ok_or("--concurrency: 1..1024")?;
            }
            "--seconds" => {
                let n = it.next().ok_or("--seconds needs a number")?;
                args.seconds = Some(n.parse().ok().filter(|s| (0.1..=600.0).contains(s)).ok_or("--seconds: 0.1..600")?);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--floor") {
        return match procs::serve_floor() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("floor: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("bench: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("bench: some requests failed; see \"first error\" in the table");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A temporary directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One measured scenario.
struct Row {
    name: &'static str,
    what: String,
    service: &'static str,
    unit: &'static str,
    outcome: Outcome,
    /// RSS of every service right after the scenario's load ended.
    rss_after: Vec<(&'static str, f64)>,
}

impl Row {
    fn server_cpu(&self) -> f64 {
        self.outcome.cpu_seconds.first().copied().unwrap_or(0.0)
    }

    fn per_cpu_second(&self) -> f64 {
        let cpu = self.server_cpu();
        if cpu > 0.0 { self.outcome.ops as f64 / cpu } else { 0.0 }
    }
}

struct Services {
    provider: Service,
    todo_api: Service,
    client: Service,
    floor: Service,
}

impl Services {
    fn all(&self) -> [&Service; 4] {
        [&self.provider, &self.todo_api, &self.client, &self.floor]
    }

    fn rss(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("provider", self.provider.rss_mb()),
            ("todo-api", self.todo_api.rss_mb()),
            ("client", self.client.rss_mb()),
            ("floor", self.floor.rss_mb()),
        ]
    }
}

fn provider_env(port: u16, todo_port: u16, dir: &Path, alg: &str, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("PROVIDER_ADDR", format!("127.0.0.1:{port}")),
        ("PROVIDER_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
        ("PROVIDER_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.join(name).display())),
        ("PROVIDER_SIGNING_ALG", alg.to_owned()),
        ("TODO_API_PUBLIC_URL", format!("http://127.0.0.1:{todo_port}")),
        // Request logs at info level would measure the terminal, not the
        // service: warnings and errors only.
        ("RUST_LOG", "warn".to_owned()),
    ]
}

async fn run(args: Args) -> anyhow::Result<bool> {
    let provider_bin = procs::binary("provider")?;
    let todo_bin = procs::binary("todo-api")?;
    let client_bin = procs::binary("client")?;
    let dir = std::env::temp_dir().join(format!("oauth-bench-{}-{}", std::process::id(), shared::now_unix()));
    std::fs::create_dir_all(&dir)?;
    let dir = TempDir(dir);
    let plan = Plan {
        concurrency: args.concurrency,
        warmup: Duration::from_millis(if args.quick { 500 } else { 2000 }),
        measure: match args.seconds {
            Some(seconds) => Duration::from_secs_f64(seconds),
            None => Duration::from_millis(if args.quick { 2000 } else { 10_000 }),
        },
        max_ops: 5_000_000,
    };
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_owned();
    let wanted = |name: &str| args.only.as_ref().is_none_or(|only| only.iter().any(|o| o == name));

    // Start everything.
    let (p_port, t_port, c_port) = (procs::free_port()?, procs::free_port()?, procs::free_port()?);
    let provider_url = format!("http://127.0.0.1:{p_port}");
    eprintln!("starting provider ({}), todo-api, client and the floor in {}", args.alg, dir.0.display());
    let floor = procs::spawn_floor(&dir.0).await?;
    let provider = procs::spawn_service(
        "provider",
        &provider_bin,
        p_port,
        &provider_env(p_port, t_port, &dir.0, &args.alg, "provider.db"),
        &dir.0,
    )
    .await?;
    let todo_api = procs::spawn_service(
        "todo-api",
        &todo_bin,
        t_port,
        &[
            ("TODO_API_ADDR", format!("127.0.0.1:{t_port}")),
            ("TODO_API_PUBLIC_URL", format!("http://127.0.0.1:{t_port}")),
            ("TODO_API_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.0.join("todos.db").display())),
            ("PROVIDER_PUBLIC_URL", provider_url.clone()),
            ("PROVIDER_INTERNAL_URL", provider_url.clone()),
            ("CLIENT_PUBLIC_URL", format!("http://127.0.0.1:{c_port}")),
            ("RUST_LOG", "warn".to_owned()),
        ],
        &dir.0,
    )
    .await?;
    let client = procs::spawn_service(
        "client",
        &client_bin,
        c_port,
        &[
            ("CLIENT_ADDR", format!("127.0.0.1:{c_port}")),
            ("CLIENT_PUBLIC_URL", format!("http://127.0.0.1:{c_port}")),
            ("CLIENT_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.0.join("client.db").display())),
            ("PROVIDER_PUBLIC_URL", provider_url.clone()),
            ("PROVIDER_INTERNAL_URL", provider_url.clone()),
            ("TODO_API_PUBLIC_URL", format!("http://127.0.0.1:{t_port}")),
            ("REDIRECT_URI", flows::REDIRECT_URI.to_owned()),
            ("RUST_LOG", "warn".to_owned()),
        ],
        &dir.0,
    )
    .await?;
    let services = Services { provider, todo_api, client, floor };

    // Idle: started, healthy, nothing asked of them yet.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = services.rss();

    // Set-up, outside any measurement: tokens, a few todos, the argon2
    // parameters the provider really stored.
    let p = services.provider.addr;
    let t = services.todo_api.addr;
    let mut conn = Conn::new(p);
    let cc = flows::client_credentials(&mut conn, REPORT_SERVICE, "todos:read").await.map_err(anyhow::Error::msg)?;
    let cc_token = cc["access_token"].as_str().unwrap_or_default().to_owned();
    let user_token = {
        let mut cookies = Cookies::default();
        let (code, verifier) = flows::sign_in(&mut conn, &mut cookies, "demo", "openid todos:read todos:write", false)
            .await
            .map_err(anyhow::Error::msg)?;
        let tokens = flows::exchange(&mut conn, &code, &verifier).await.map_err(anyhow::Error::msg)?;
        tokens["access_token"].as_str().unwrap_or_default().to_owned()
    };
    let mut api = Conn::new(t);
    for title in ["write the benchmark", "read the profile", "close the gap"] {
        let body = serde_json::to_vec(&json!({ "title": title }))?;
        let bearer = format!("Bearer {user_token}");
        let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
        let response = api.send("POST", "/todos", &headers, &body).await?;
        anyhow::ensure!(response.status == 201, "POST /todos during set-up: {}", response.describe());
    }
    let argon2 = argon2_parameters(&dir.0.join("provider.db")).await;

    let mut rows = Vec::new();
    let c = plan.concurrency;

    // The floor.
    let floor_addr = services.floor.addr;
    let workers = (0..c).map(|_| Request::get(floor_addr, "/", &[])).collect();
    rows.push(measure("floor", "bare axum: GET / → fixed JSON", "floor", "req", plan, workers, &services).await);

    // 1. The todo API with a JWT (signature, iss, aud, exp, nbf, typ, scope) and a database read.
    if wanted("todo_get") {
        let bearer = format!("Bearer {user_token}");
        let workers = (0..c).map(|_| Request::get(t, "/todos", &[("authorization", &bearer)])).collect();
        let what = format!("todo-api GET /todos, {} JWT, 3 rows", args.alg);
        rows.push(measure("todo_get", &what, "todo-api", "req", plan, workers, &services).await);
    }

    // 2. client_credentials: client authentication, signing, recording the jti.
    if wanted("client_credentials") {
        let workers = (0..c).map(|_| cc_request(p)).collect();
        let what = format!("provider client_credentials token, {}", args.alg);
        rows.push(measure("client_credentials", &what, "provider", "req", plan, workers, &services).await);
    }

    // 3. Introspection of an active access token.
    if wanted("introspection") {
        let auth = basic(TODO_API_CLIENT.0, TODO_API_CLIENT.1);
        let workers = (0..c)
            .map(|_| Request::post_form(p, "/oauth2/introspect", &[("authorization", &auth)], &[("token", &cc_token)]))
            .collect();
        let what = "provider introspection of an active token".to_owned();
        rows.push(measure("introspection", &what, "provider", "req", plan, workers, &services).await);
    }

    // 4. The code flow with a live session and remembered consent.
    let flow_scope = "openid todos:read";
    if wanted("code_flow") {
        let mut workers = Vec::new();
        for _ in 0..c {
            let mut conn = Conn::new(p);
            let mut cookies = Cookies::default();
            let (code, verifier) =
                flows::sign_in(&mut conn, &mut cookies, "demo", flow_scope, false).await.map_err(anyhow::Error::msg)?;
            flows::exchange(&mut conn, &code, &verifier).await.map_err(anyhow::Error::msg)?;
            workers.push(CodeFlow { conn, cookies, scope: flow_scope.to_owned() });
        }
        let what = format!("code flow, session + consent remembered: authorize → token (PKCE, scope \"{flow_scope}\")");
        rows.push(measure("code_flow", &what, "provider", "flow", plan, workers, &services).await);
    }

    // 5. The first login: argon2id is the point.
    if wanted("first_login") {
        let workers = (0..c)
            .map(|_| FirstLogin { conn: Conn::new(p), username: "demo".into(), scope: flow_scope.to_owned() })
            .collect();
        let what = format!("first login: authorize → login ({argon2}) → consent → code → token");
        rows.push(measure("first_login", &what, "provider", "flow", plan, workers, &services).await);
    }

    let end = services.rss();
    let peak: Vec<(&str, f64)> =
        ["provider", "todo-api", "client", "floor"].into_iter().zip(services.all().map(|s| s.peak_rss_mb())).collect();

    // For comparison: client_credentials against a provider signing with RS256.
    if args.rs256 && args.alg != "RS256" && wanted("client_credentials") {
        let port = procs::free_port()?;
        let env = provider_env(port, t_port, &dir.0, "RS256", "provider-rs256.db");
        let rs = procs::spawn_service("provider-rs256", &provider_bin, port, &env, &dir.0).await?;
        let workers = (0..c).map(|_| cc_request(rs.addr)).collect();
        let mut row = measure_pid("client_credentials_rs256", rs.pid(), plan, workers).await;
        row.what = "provider client_credentials token, RS256 (comparison)".into();
        row.rss_after = vec![("provider-rs256", rs.rss_mb())];
        rows.push(row);
        rs.stop().await;
    }
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_owned();

    let report = Report { args: &args, plan, rows, idle, end, peak, argon2, load_before, load_after };
    let table = report.table();
    let targets = report.targets();
    if args.json {
        eprintln!("{table}");
        println!("{}", serde_json::to_string_pretty(&report.json(&targets))?);
    } else {
        println!("{table}");
    }
    for service in [services.provider, services.todo_api, services.client, services.floor] {
        service.stop().await;
    }
    // Missed targets are reported, not fatal; failed requests are.
    Ok(report.rows.iter().all(|r| r.outcome.errors == 0 && r.outcome.ops > 0))
}

fn cc_request(addr: SocketAddr) -> Request {
    let auth = basic(REPORT_SERVICE.0, REPORT_SERVICE.1);
    Request::post_form(
        addr,
        "/oauth2/token",
        &[("authorization", &auth)],
        &[("grant_type", "client_credentials"), ("scope", "todos:read")],
    )
}

async fn measure<W: Operation>(
    name: &'static str,
    what: &str,
    service: &'static str,
    unit: &'static str,
    plan: Plan,
    workers: Vec<W>,
    services: &Services,
) -> Row {
    let server = services.all().into_iter().find(|s| s.name == service).map(Service::pid).unwrap_or(0);
    eprintln!("running {name}: {what}");
    let outcome = load::run(plan, workers, &[server]).await;
    let rss_after = services.rss();
    tokio::time::sleep(Duration::from_millis(300)).await;
    Row { name, what: what.to_owned(), service, unit, outcome, rss_after }
}

async fn measure_pid<W: Operation>(name: &'static str, pid: u32, plan: Plan, workers: Vec<W>) -> Row {
    eprintln!("running {name}");
    let outcome = load::run(plan, workers, &[pid]).await;
    Row { name, what: String::new(), service: "provider-rs256", unit: "req", outcome, rss_after: Vec::new() }
}

/// The argon2 parameters of the stored demo password hash, as the provider
/// wrote them (`$argon2id$v=19$m=19456,t=2,p=1$…`).
async fn argon2_parameters(db: &Path) -> String {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", db.display());
    let Ok(pool) = sqlx::AnyPool::connect(&url).await else { return "argon2 parameters unknown".into() };
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE username = $1")
        .bind("demo")
        .fetch_optional(&pool)
        .await
        .ok()
        .flatten();
    pool.close().await;
    match row.as_ref().map(|(phc,)| phc.split('$').collect::<Vec<_>>()) {
        Some(parts) if parts.len() > 3 => format!("{} {}", parts[1], parts[3].replace(',', ", ")),
        _ => "argon2 parameters unknown".into(),
    }
}

struct Target {
    name: String,
    value: f64,
    goal: String,
    pass: bool,
}

struct Report<'a> {
    args: &'a Args,
    plan: Plan,
    rows: Vec<Row>,
    idle: Vec<(&'static str, f64)>,
    end: Vec<(&'static str, f64)>,
    peak: Vec<(&'static str, f64)>,
    argon2: String,
    load_before: String,
    load_after: String,
}

impl Report<'_> {
    fn floor(&self) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == "floor")
    }

    fn ratio(&self, row: &Row) -> f64 {
        self.floor().map(|f| row.outcome.per_second() / f.outcome.per_second().max(1e-9)).unwrap_or(0.0)
    }

    fn cpu_ratio(&self, row: &Row) -> f64 {
        self.floor().map(|f| row.per_cpu_second() / f.per_cpu_second().max(1e-9)).unwrap_or(0.0)
    }

    fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name)
    }

    fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        let mut check = |name: &str, value: f64, goal: &str, pass: bool| {
            targets.push(Target { name: name.to_owned(), value, goal: goal.to_owned(), pass });
        };
        if let Some(r) = self.row("todo_get") {
            let ratio = self.ratio(r);
            check("todo_get req/s ÷ floor", ratio, "≥ 0.50", ratio >= 0.5);
            check("todo_get p99 ms", r.outcome.p99_ms, "≤ 5", r.outcome.p99_ms <= 5.0);
        }
        if let Some(r) = self.row("client_credentials") {
            let ratio = self.ratio(r);
            check("client_credentials req/s ÷ floor", ratio, "≥ 0.25", ratio >= 0.25);
        }
        if let Some(r) = self.row("introspection") {
            let ratio = self.ratio(r);
            check("introspection req/s ÷ floor", ratio, "≥ 0.35", ratio >= 0.35);
        }
        if let Some(r) = self.row("code_flow") {
            let v = r.per_cpu_second();
            check("code_flow flows per provider CPU-s", v, "≥ 3000", v >= 3000.0);
        }
        if let Some(r) = self.row("first_login") {
            let v = r.outcome.per_second();
            check("first_login flows/s", v, "≥ 50", v >= 50.0);
        }
        for (service, mb) in &self.idle {
            if *service != "floor" {
                check(&format!("{service} idle RSS MB"), *mb, "≤ 15", *mb <= 15.0);
            }
        }
        for (service, mb) in &self.end {
            if *service != "floor" {
                check(&format!("{service} RSS at end of load MB"), *mb, "≤ 60", *mb <= 60.0);
            }
        }
        for r in &self.rows {
            if r.outcome.errors > 0 || r.outcome.ops == 0 {
                check(&format!("{} errors", r.name), r.outcome.errors as f64, "0 (and > 0 ops)", false);
            }
        }
        targets
    }

    fn table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nbench: {} warm-up + {} s measured per scenario, {} connections; provider signs with {}; {}",
            fmt_secs(self.plan.warmup),
            self.plan.measure.as_secs_f64(),
            self.plan.concurrency,
            self.args.alg,
            self.argon2
        );
        let _ = writeln!(
            out,
            "machine: {} CPUs; loadavg before {}, after {}\n",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            self.load_before,
            self.load_after
        );
        let _ = writeln!(
            out,
            "{:<25} {:>10} {:>8} {:>8} {:>6} {:>8} {:>10} {:>7} {:>7} {:>8}",
            "scenario", "ops/s", "p50 ms", "p99 ms", "errors", "srv CPU", "ops/CPU-s", "÷floor", "CPU÷fl", "gen CPU"
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "{:<25} {:>10.0} {:>8.2} {:>8.2} {:>6} {:>8.2} {:>10.0} {:>7.3} {:>7.3} {:>8.2}",
                r.name,
                r.outcome.per_second(),
                r.outcome.p50_ms,
                r.outcome.p99_ms,
                r.outcome.errors,
                r.server_cpu(),
                r.per_cpu_second(),
                self.ratio(r),
                self.cpu_ratio(r),
                r.outcome.generator_cpu_seconds,
            );
        }
        let _ = writeln!(
            out,
            "\n(ops are requests, or whole flows for code_flow and first_login; srv CPU = user+system s of the"
        );
        let _ = writeln!(
            out,
            " server process in the window; ÷floor = ops/s ratio, CPU÷fl = ops/CPU-s ratio; gen CPU = load generator)"
        );
        for r in &self.rows {
            let _ = writeln!(out, "  {:<25} {}", r.name, r.what);
            if let Some(e) = &r.outcome.first_error {
                let _ = writeln!(out, "  {:<25} first error: {e}", "");
            }
        }
        let _ = writeln!(out, "\nRSS MB            idle   end of load   peak (VmHWM)");
        for (i, (service, idle)) in self.idle.iter().enumerate() {
            let end = self.end.get(i).map(|x| x.1).unwrap_or(0.0);
            let peak = self.peak.get(i).map(|x| x.1).unwrap_or(0.0);
            let _ = writeln!(out, "{service:<15} {idle:>6.1} {end:>13.1} {peak:>14.1}");
        }
        let _ = writeln!(out, "\ntargets:");
        for t in self.targets() {
            let _ = writeln!(
                out,
                "  {:<4} {:<42} {:>10.2}  (target {})",
                if t.pass { "ok" } else { "MISS" },
                t.name,
                t.value,
                t.goal
            );
        }
        out
    }

    fn json(&self, targets: &[Target]) -> Value {
        let scenarios: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "description": r.what,
                    "service": r.service,
                    "unit": r.unit,
                    "ops": r.outcome.ops,
                    "ops_per_second": r.outcome.per_second(),
                    "p50_ms": r.outcome.p50_ms,
                    "p99_ms": r.outcome.p99_ms,
                    "max_ms": r.outcome.max_ms,
                    "errors": r.outcome.errors,
                    "first_error": r.outcome.first_error,
                    "server_cpu_seconds": r.server_cpu(),
                    "ops_per_server_cpu_second": r.per_cpu_second(),
                    "ratio_to_floor": self.ratio(r),
                    "cpu_efficiency_ratio_to_floor": self.cpu_ratio(r),
                    "load_generator_cpu_seconds": r.outcome.generator_cpu_seconds,
                    "rss_mb_after": r.rss_after.iter().map(|(s, mb)| (s.to_string(), json!(mb))).collect::<serde_json::Map<_, _>>(),
                })
            })
            .collect();
        let memory: serde_json::Map<String, Value> = self
            .idle
            .iter()
            .enumerate()
            .map(|(i, (service, idle))| {
                let end = self.end.get(i).map(|x| x.1);
                let peak = self.peak.get(i).map(|x| x.1);
                (service.to_string(), json!({"idle_rss_mb": idle, "end_rss_mb": end, "peak_rss_mb": peak}))
            })
            .collect();
        json!({
            "signing_alg": self.args.alg,
            "argon2": self.argon2,
            "plan": {
                "concurrency": self.plan.concurrency,
                "warmup_seconds": self.plan.warmup.as_secs_f64(),
                "measured_seconds": self.plan.measure.as_secs_f64(),
                "max_ops": self.plan.max_ops,
            },
            "machine": {
                "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
                "loadavg_before": self.load_before,
                "loadavg_after": self.load_after,
            },
            "scenarios": scenarios,
            "memory": memory,
            "targets": targets.iter().map(|t| json!({"name": t.name, "value": t.value, "target": t.goal, "pass": t.pass})).collect::<Vec<_>>(),
        })
    }
}

fn fmt_secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}
