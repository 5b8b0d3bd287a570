//! The results: one row per scenario, the targets of issue 16 checked
//! against them, as a table and as JSON carrying the same figures.
//!
//! Ratios divide by the floor of the same run, so a busy machine lowers
//! both sides; absolute figures (latency, CPU per flow) are only as good as
//! the machine was quiet, which is why the loadavg is reported.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::load::{Outcome, Plan};
use crate::prefill::Loaded;

/// The suffix of a scenario measured again after `--prefill`.
pub const PREFILLED: &str = "_prefilled";

/// The suffix of the code flow measured while the provider prunes the
/// prefilled backlog.
pub const WHILE_PRUNING: &str = "_while_pruning";

/// Target 7: with the databases prefilled, targets 1–4 hold within 15 %.
const PREFILLED_AT_LEAST: f64 = 0.85;

/// One measured scenario.
pub struct Row {
    pub name: String,
    pub what: String,
    pub service: String,
    pub unit: &'static str,
    pub outcome: Outcome,
    /// RSS of every service right after the scenario's load ended.
    pub rss_after: Vec<(&'static str, f64)>,
}

impl Row {
    pub fn server_cpu(&self) -> f64 {
        self.outcome.cpu_seconds.first().copied().unwrap_or(0.0)
    }

    pub fn per_cpu_second(&self) -> f64 {
        let cpu = self.server_cpu();
        if cpu > 0.0 { self.outcome.ops as f64 / cpu } else { 0.0 }
    }

    /// Server CPU milliseconds per operation.
    pub fn cpu_ms_per_op(&self) -> f64 {
        if self.outcome.ops > 0 { 1000.0 * self.server_cpu() / self.outcome.ops as f64 } else { 0.0 }
    }
}

pub struct Target {
    pub name: String,
    pub value: f64,
    pub goal: String,
    pub pass: bool,
}

pub struct Report {
    pub plan: Plan,
    pub rows: Vec<Row>,
    pub idle: Vec<(&'static str, f64)>,
    pub end: Vec<(&'static str, f64)>,
    pub peak: Vec<(&'static str, f64)>,
    pub argon2: String,
    pub access_token_alg: String,
    pub prefill: Option<Loaded>,
    pub load_before: String,
    pub load_after: String,
}

impl Report {
    fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name)
    }

    fn ratio(&self, row: &Row) -> f64 {
        self.row("floor").map(|f| row.outcome.per_second() / f.outcome.per_second().max(1e-9)).unwrap_or(0.0)
    }

    fn cpu_ratio(&self, row: &Row) -> f64 {
        self.row("floor").map(|f| row.per_cpu_second() / f.per_cpu_second().max(1e-9)).unwrap_or(0.0)
    }

    /// The targets of issue 16, for the scenarios that ran.
    pub fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        let mut check = |name: &str, value: f64, goal: &str, pass: bool| {
            targets.push(Target { name: name.to_owned(), value, goal: goal.to_owned(), pass });
        };
        if let Some(r) = self.row("todo_get") {
            let ratio = self.ratio(r);
            check("todo_get req/s ÷ floor", ratio, "≥ 0.25", ratio >= 0.25);
            check("todo_get p99 ms", r.outcome.p99_ms, "≤ 5", r.outcome.p99_ms <= 5.0);
        }
        if let Some(r) = self.row("client_credentials") {
            let ratio = self.ratio(r);
            check("client_credentials req/s ÷ floor", ratio, "≥ 0.15", ratio >= 0.15);
        }
        if let Some(r) = self.row("introspection") {
            let ratio = self.ratio(r);
            check("introspection req/s ÷ floor", ratio, "≥ 0.20", ratio >= 0.2);
        }
        if let Some(r) = self.row("code_flow") {
            let v = r.per_cpu_second();
            check("code_flow flows per provider CPU-s", v, "≥ 3000", v >= 3000.0);
        }
        if let Some(r) = self.row("first_login") {
            let v = r.cpu_ms_per_op();
            check("first_login provider CPU ms per flow", v, "≤ 20", v > 0.0 && v <= 20.0);
        }
        // Target 7: each of 1–4 on the prefilled databases, against its own
        // figure on the small ones.
        for (name, metric) in [
            ("todo_get", "÷floor"),
            ("client_credentials", "÷floor"),
            ("introspection", "÷floor"),
            ("code_flow", "flows/CPU-s"),
        ] {
            let prefilled = format!("{name}{PREFILLED}");
            let (Some(small), Some(large)) = (self.row(name), self.row(&prefilled)) else { continue };
            let value = |r: &Row| if name == "code_flow" { r.per_cpu_second() } else { self.ratio(r) };
            let kept = value(large) / value(small).max(1e-9);
            check(&format!("{name} prefilled ÷ small db ({metric})"), kept, "≥ 0.85", kept >= PREFILLED_AT_LEAST);
            if name == "todo_get" {
                let p99 = large.outcome.p99_ms;
                check("todo_get prefilled p99 ms", p99, "≤ 5", p99 <= 5.0);
            }
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

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nbench: {} s warm-up + {} s measured per scenario, {} connections; access tokens {} (default \
             configuration); {}",
            self.plan.warmup.as_secs_f64(),
            self.plan.measure.as_secs_f64(),
            self.plan.concurrency,
            self.access_token_alg,
            self.argon2
        );
        let _ =
            writeln!(out, "machine: {} CPUs; loadavg before {}, after {}\n", cpus(), self.load_before, self.load_after);
        let _ = writeln!(
            out,
            "{:<29} {:>10} {:>8} {:>8} {:>6} {:>8} {:>10} {:>7} {:>7} {:>8} {:>6}",
            "scenario",
            "ops/s",
            "p50 ms",
            "p99 ms",
            "errors",
            "srv CPU",
            "ops/CPU-s",
            "÷floor",
            "CPU÷fl",
            "gen CPU",
            "steal"
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "{:<29} {:>10.0} {:>8.2} {:>8.2} {:>6} {:>8.2} {:>10.0} {:>7.3} {:>7.3} {:>8.2} {:>5.0}%",
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
                r.outcome.steal_percent,
            );
        }
        out.push_str(
            "\n(ops are requests, or whole flows for code_flow and first_login; srv CPU = user+system s of the\n \
             server process in the window; ÷floor = ops/s ratio, CPU÷fl = ops/CPU-s ratio; gen CPU = load generator;\n \
             steal = the share of the machine's CPU time its host gave to others in the window)\n",
        );
        for r in &self.rows {
            let _ = writeln!(out, "  {:<29} {}", r.name, r.what);
            if let Some(e) = &r.outcome.first_error {
                let _ = writeln!(out, "  {:<29} first error: {e}", "");
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
            let verdict = if t.pass { "ok" } else { "MISS" };
            let _ = writeln!(out, "  {verdict:<4} {:<52} {:>10.2}  (target {})", t.name, t.value, t.goal);
        }
        out
    }

    pub fn json(&self) -> Value {
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
                    "server_cpu_ms_per_op": r.cpu_ms_per_op(),
                    "ratio_to_floor": self.ratio(r),
                    "cpu_efficiency_ratio_to_floor": self.cpu_ratio(r),
                    "load_generator_cpu_seconds": r.outcome.generator_cpu_seconds,
                    "steal_percent": r.outcome.steal_percent,
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
        let targets: Vec<Value> = self
            .targets()
            .iter()
            .map(|t| json!({"name": t.name, "value": t.value, "target": t.goal, "pass": t.pass}))
            .collect();
        json!({
            "access_token_alg": self.access_token_alg,
            "prefill": self.prefill.as_ref().map(|l| json!({
                "seconds": l.seconds,
                "summary": l.summary,
                "pruning_seconds": l.pruning_seconds,
            })),
            "argon2": self.argon2,
            "plan": {
                "concurrency": self.plan.concurrency,
                "warmup_seconds": self.plan.warmup.as_secs_f64(),
                "measured_seconds": self.plan.measure.as_secs_f64(),
                "max_ops": self.plan.max_ops,
            },
            "machine": {
                "cpus": cpus(),
                "loadavg_before": self.load_before,
                "loadavg_after": self.load_after,
            },
            "scenarios": scenarios,
            "memory": memory,
            "targets": targets,
        })
    }
}

fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
}
