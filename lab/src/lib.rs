//! # The attack lab
//!
//! An attacker's site and a command line that carry out, live, the attacks
//! OAuth 2.0's defences exist for, against the running provider, client
//! app and todo API — and report for each whether the system blocked it,
//! which rule stopped it, and the file that enforces that rule.
//!
//! - `lab serve` ([`serve`]) is the attacker's site, at
//!   http://127.0.0.1:6660: a different *site* from `localhost`, so the
//!   browser applies SameSite and CORS as it would to a real attacker.
//! - `lab run [ATTACK…|all] [--json]` ([`cli`]) runs attacks from a
//!   terminal and exits non-zero when one succeeds.
//!
//! Both read one registry ([`attacks::ALL`]). An attack is shown to be real
//! by succeeding against a deliberately vulnerable stand-in, in this
//! crate's tests; the shipped services have no insecure switch.

/// What an attack is: id, rule, enforcing file, `run`; verdicts and reports.
pub mod attack;
/// Every attack, one module each, and the registry in teaching order.
pub mod attacks;
/// The lab's HTTP "browser": cookies, no redirects, a transcript of it all.
pub mod browser;
/// `lab run`: a table of verdicts, or JSON, and the exit code.
pub mod cli;
/// Where the system is: the services' own URL variables.
pub mod config;
/// The honest protocol steps the attacks start from.
pub mod flow;
/// The attacker's key and forged tokens.
pub mod forge;
/// `lab serve`: the attacker's site.
pub mod serve;
/// Transcripts with secrets masked.
pub mod transcript;

pub use attack::{Attack, Report, Verdict};
pub use config::Config;
pub use serve::Lab;
