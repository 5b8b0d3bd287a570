//! `bench`: how fast are the three services, compared with the cheapest
//! possible axum endpoint on the same machine in the same run?
//!
//! ```text
//! cargo build --release --workspace --bins && cargo run --release -p bench
//! cargo run --release -p bench -- --quick     # ~30 s smoke run
//! cargo run --release -p bench -- --json      # JSON on stdout
//! ```
//!
//! It starts the release binaries `provider`, `todo-api` and `client` (found
//! next to this executable) as separate processes on free loopback ports,
//! with fresh SQLite databases in a temporary directory and the services'
//! default configuration, plus a "floor": this same executable re-run with
//! `--floor`, serving a fixed small JSON with bare axum. Each scenario
//! (`scenarios`) is driven by our own load generator (`load`: 32 keep-alive
//! connections, 2 s warm-up, 10 s measured, a cap on requests), and the
//! server's CPU time is read from `/proc/<pid>/stat`, its memory from
//! `/proc/<pid>/status`. The results and the targets they are held to are
//! in `report`. Everything stops by itself; nothing leaves 127.0.0.1.

mod flows;
mod http;
mod load;
mod prefill;
mod procs;
mod report;
mod scenarios;
mod seed;
mod services;

use std::process::ExitCode;
use std::time::Duration;

use crate::load::Plan;
use crate::report::{Report, Row};
use crate::scenarios::Bench;
use crate::services::Services;

const USAGE: &str = "\
usage: bench [--quick] [--json] [--prefill] [--only NAME,...] [--concurrency N] [--seconds S]

  --quick          0.5 s warm-up and 2 s measured per scenario (smoke run)
  --json           print the results as JSON on stdout (the table goes to stderr)
  --prefill        then fill the databases (1,000,000 todos over 10,000 users,
                   1,000,000 refresh tokens, half expired, 100,000 consents),
                   measure code_flow while the provider prunes the expired
                   half (row code_flow_while_pruning), then todo_get,
                   client_credentials, introspection and code_flow again
                   (rows *_prefilled)
  --only NAMES     run only these scenarios (the floor always runs): floor_sqlite,
                   floor_sqlite_write, todo_get,
                   client_credentials, introspection, code_flow, code_flow_openid,
                   first_login, client_credentials_rs256, client_credentials_es256,
                   client_credentials_eddsa
  --concurrency N  connections per scenario (default 32)
  --seconds S      measured window per scenario (default 10, --quick 2), e.g. for a profiler

Build the services first: cargo build --release --workspace --bins";

pub struct Args {
    pub quick: bool,
    pub json: bool,
    pub prefill: bool,
    pub only: Option<Vec<String>>,
    pub concurrency: usize,
    /// Overrides the measured window (for profiling runs).
    pub seconds: Option<f64>,
}

impl Args {
    /// Whether the scenario `name` is to run.
    pub fn wants(&self, name: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.iter().any(|o| o == name))
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { quick: false, json: false, prefill: false, only: None, concurrency: 32, seconds: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--json" => args.json = true,
            "--prefill" => args.prefill = true,
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
        let dir = std::env::args().nth(2).unwrap_or_else(|| ".".into());
        return match procs::serve_floor(std::path::Path::new(&dir)) {
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

/// Targets 1–4, the scenarios whose queries `--prefill` makes heavier.
async fn scenarios_that_read_the_databases(bench: &Bench, args: &Args) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    if args.wants("todo_get") {
        rows.push(scenarios::todo_get(bench).await);
    }
    rows.extend(provider_scenarios(bench, args).await?);
    Ok(rows)
}

/// Targets 2–4: the provider's scenarios that read and write its database.
async fn provider_scenarios(bench: &Bench, args: &Args) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    if args.wants("client_credentials") {
        rows.push(scenarios::client_credentials(bench).await);
    }
    if args.wants("introspection") {
        rows.push(scenarios::introspection(bench).await);
    }
    if args.wants("code_flow") {
        rows.push(scenarios::code_flow(bench).await?);
    }
    Ok(rows)
}

/// Starts everything, runs the wanted scenarios in order, reports.
async fn run(args: Args) -> anyhow::Result<bool> {
    let plan = Plan {
        concurrency: args.concurrency,
        warmup: Duration::from_millis(if args.quick { 500 } else { 2000 }),
        measure: match args.seconds {
            Some(seconds) => Duration::from_secs_f64(seconds),
            None => Duration::from_millis(if args.quick { 2000 } else { 10_000 }),
        },
        max_ops: 5_000_000,
    };
    let load_before = procs::loadavg();

    let services = Services::start().await?;
    // Idle: started, healthy, nothing asked of them yet.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = services.rss();
    let mut bench = Bench::set_up(plan, services).await?;

    let mut rows = vec![scenarios::floor(&bench).await];
    if args.wants("floor_sqlite") {
        rows.push(scenarios::floor_sqlite(&bench).await);
    }
    if args.wants("floor_sqlite_write") {
        rows.push(scenarios::floor_sqlite_write(&bench).await);
    }
    rows.extend(scenarios_that_read_the_databases(&bench, &args).await?);
    if args.wants("code_flow_openid") {
        rows.push(scenarios::code_flow_openid(&bench).await?);
    }
    if args.wants("first_login") {
        rows.push(scenarios::first_login(&bench).await?);
    }
    let end = bench.services.rss();
    let peak = bench.services.peak_rss();

    // Each signing algorithm, on a provider of its own.
    for alg in scenarios::ALGORITHMS {
        if args.wants(&scenarios::per_algorithm_name(alg)) {
            rows.push(scenarios::client_credentials_signed_with(&bench, alg).await?);
        }
    }

    // Targets 1–4 again, on databases the size of a service in use.
    let mut prefill = None;
    if args.prefill {
        let loaded = bench.prefill().await?;
        eprintln!("prefilled in {:.1} s: {}", loaded.seconds, loaded.summary);
        // While the provider prunes the half million expired rows on its
        // one writer, in bounded batches: the code flow, which writes too,
        // must not stall behind it (its p99 tells). Not a target row.
        let restarted = std::time::Instant::now();
        if args.wants("code_flow") {
            let mut row = scenarios::code_flow(&bench).await?;
            row.name = format!("code_flow{}", report::WHILE_PRUNING);
            rows.push(row);
        }
        // Then targets 1–4 on a database the size of a service in use, once
        // the backlog is gone (as it is in steady state, where a minute's
        // expiries are pruned each minute), in the order of the small one.
        let pruned = prefill::wait_for_pruning(&bench.services.provider_db(), Duration::from_secs(300)).await?;
        let loaded = prefill::Loaded { pruning_seconds: pruned.map(|_| restarted.elapsed().as_secs_f64()), ..loaded };
        match loaded.pruning_seconds {
            Some(seconds) => eprintln!("the provider pruned the expired rows within {seconds:.0} s of its restart"),
            None => eprintln!("the provider was still pruning 300 s later; measuring anyway"),
        }
        for mut row in scenarios_that_read_the_databases(&bench, &args).await? {
            row.name = format!("{}{}", row.name, report::PREFILLED);
            rows.push(row);
        }
        prefill = Some(loaded);
    }
    let load_after = procs::loadavg();

    let report = Report {
        plan,
        rows,
        idle,
        end,
        peak,
        argon2: bench.argon2.clone(),
        access_token_alg: bench.access_token_alg.clone(),
        prefill,
        load_before,
        load_after,
    };
    let table = report.table();
    if args.json {
        eprintln!("{table}");
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        println!("{table}");
    }
    bench.services.stop().await;
    // Missed targets are reported, not fatal; failed requests are.
    Ok(report.rows.iter().all(|r| r.outcome.errors == 0 && r.outcome.ops > 0))
}
