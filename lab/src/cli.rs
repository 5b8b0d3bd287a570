//! `lab run [ATTACK…|all] [--json]`: the attacks from a terminal.
//!
//! Exit status: 0 when every attack was blocked, 1 when at least one
//! succeeded, 2 when one could not be carried out (or an id is unknown).

use std::sync::Arc;

use crate::attack::{Attack, Report};
use crate::attacks;
use crate::config::Config;
use crate::forge::AttackerKey;

/// The attacks named by `ids` (`all`, or none, for every one).
pub fn select(ids: &[String]) -> Result<Vec<&'static Attack>, String> {
    if ids.is_empty() || ids.iter().any(|id| id == "all") {
        return Ok(attacks::ALL.to_vec());
    }
    ids.iter()
        .map(|id| {
            attacks::find(id).ok_or_else(|| {
                let known: Vec<&str> = attacks::ALL.iter().map(|a| a.id).collect();
                format!("unknown attack {id:?}; known: all, {}", known.join(", "))
            })
        })
        .collect()
}

/// Runs the attacks one after the other (they share the demo users, so
/// running them at once would only make transcripts harder to read).
pub async fn run(config: Arc<Config>, key: Arc<AttackerKey>, selected: &[&'static Attack]) -> Vec<Report> {
    let mut reports = Vec::new();
    for attack in selected {
        reports.push(attack.report(config.clone(), key.clone()).await);
    }
    reports
}

/// The exit status for these reports.
pub fn exit_code(reports: &[Report]) -> i32 {
    if reports.iter().any(|r| !r.succeeded() && !r.blocked()) {
        2
    } else if reports.iter().any(Report::succeeded) {
        1
    } else {
        0
    }
}

/// A table: id, verdict, rule, enforcing file; the reason under each.
pub fn table(reports: &[Report]) -> String {
    let id_width = reports.iter().map(|r| r.id.len()).max().unwrap_or(2).max(6);
    let rule_width = reports.iter().map(|r| r.rule.len()).max().unwrap_or(4);
    let mut out = format!("{:id_width$}  {:9}  {:rule_width$}  enforced in\n", "attack", "verdict", "rule");
    for report in reports {
        out.push_str(&format!(
            "{:id_width$}  {:9}  {:rule_width$}  {}\n{:id_width$}  └ {}\n",
            report.id, report.verdict, report.rule, report.enforced_in, "", report.because
        ));
    }
    let blocked = reports.iter().filter(|r| r.blocked()).count();
    out.push_str(&format!("\n{blocked} of {} attacks blocked.\n", reports.len()));
    out
}

/// `--json`: the reports as a JSON array.
pub fn json(reports: &[Report]) -> String {
    serde_json::to_string_pretty(reports).unwrap_or_else(|_| "[]".into())
}
