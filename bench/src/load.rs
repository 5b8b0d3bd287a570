//! The load generator: N workers, each with its own connection, calling one
//! operation in a closed loop through a warm-up and a measured window.
//!
//! Only operations that start and finish inside the measured window count
//! towards throughput and latency; the server's CPU time is sampled from
//! `/proc` at both edges of the window. Every run is bounded twice: by its
//! deadline and by a maximum number of operations.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::procs;

/// How long and how hard to push.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub concurrency: usize,
    pub warmup: Duration,
    pub measure: Duration,
    /// A hard cap on operations (warm-up included).
    pub max_ops: u64,
}

/// One worker's repeated operation (one HTTP request, or one whole flow).
pub trait Operation: Send + 'static {
    fn call(&mut self) -> impl Future<Output = Result<(), String>> + Send;
}

/// What a run measured.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub ops: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// CPU seconds (user + system) of each watched process in the window.
    pub cpu_seconds: Vec<f64>,
    /// CPU seconds of the load generator itself in the window.
    pub generator_cpu_seconds: f64,
    /// The share of the machine's CPU time in the window that a virtual
    /// machine's host ran something else in (`steal` in `/proc/stat`): a
    /// scenario measured while it was high ran on a busy host.
    pub steal_percent: f64,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.ops as f64 / self.seconds } else { 0.0 }
    }
}

struct Tally {
    latencies_us: Vec<u32>,
    ops: u64,
    errors: u64,
    first_error: Option<String>,
}

/// Runs `workers` (one task each) under `plan`, watching the CPU time of
/// `pids`.
pub async fn run<W: Operation>(plan: Plan, workers: Vec<W>, pids: &[u32]) -> Outcome {
    let start = Instant::now();
    let window_start = start + plan.warmup;
    let window_end = window_start + plan.measure;
    let issued = Arc::new(AtomicU64::new(0));

    let mut tasks = Vec::new();
    for mut worker in workers {
        let issued = issued.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally { latencies_us: Vec::with_capacity(64 * 1024), ops: 0, errors: 0, first_error: None };
            loop {
                let began = Instant::now();
                if began >= window_end || issued.fetch_add(1, Ordering::Relaxed) >= plan.max_ops {
                    break;
                }
                let result = worker.call().await;
                let ended = Instant::now();
                if began < window_start || ended > window_end {
                    // Warm-up, or straddling the end: not counted. Errors
                    // during warm-up are still worth seeing.
                    if let (Err(e), true) = (&result, tally.first_error.is_none()) {
                        tally.first_error = Some(e.clone());
                    }
                    continue;
                }
                match result {
                    Ok(()) => {
                        tally.ops += 1;
                        let us = ended.duration_since(began).as_micros();
                        tally.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                    }
                    Err(e) => {
                        tally.errors += 1;
                        if tally.first_error.is_none() {
                            tally.first_error = Some(e);
                        }
                    }
                }
            }
            tally
        }));
    }

    // Sample CPU at the edges of the window.
    tokio::time::sleep_until(window_start.into()).await;
    let cpu_before: Vec<f64> = pids.iter().map(|&pid| procs::cpu_seconds(pid).unwrap_or(0.0)).collect();
    let own_before = procs::cpu_seconds(std::process::id()).unwrap_or(0.0);
    let steal_before = procs::machine_cpu_seconds();
    let measured_from = Instant::now();
    tokio::time::sleep_until(window_end.into()).await;
    let cpu_after: Vec<f64> = pids.iter().map(|&pid| procs::cpu_seconds(pid).unwrap_or(0.0)).collect();
    let own_after = procs::cpu_seconds(std::process::id()).unwrap_or(0.0);
    let steal_after = procs::machine_cpu_seconds();
    let seconds = measured_from.elapsed().as_secs_f64().min(plan.measure.as_secs_f64()).max(1e-9);

    let mut all = Vec::new();
    let mut outcome = Outcome { seconds, ..Outcome::default() };
    for task in tasks {
        match task.await {
            Ok(tally) => {
                outcome.ops += tally.ops;
                outcome.errors += tally.errors;
                if outcome.first_error.is_none() {
                    outcome.first_error = tally.first_error;
                }
                all.extend(tally.latencies_us);
            }
            Err(e) => {
                outcome.errors += 1;
                outcome.first_error.get_or_insert_with(|| format!("worker panicked: {e}"));
            }
        }
    }
    all.sort_unstable();
    let quantile = |q: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let index = ((all.len() as f64 * q).ceil() as usize).clamp(1, all.len()) - 1;
        all[index] as f64 / 1000.0
    };
    outcome.p50_ms = quantile(0.50);
    outcome.p99_ms = quantile(0.99);
    outcome.max_ms = all.last().map(|&us| us as f64 / 1000.0).unwrap_or(0.0);
    outcome.cpu_seconds = cpu_after.iter().zip(&cpu_before).map(|(a, b)| a - b).collect();
    outcome.generator_cpu_seconds = own_after - own_before;
    outcome.steal_percent = steal_after.steal_percent_since(&steal_before);
    outcome
}
