//! An attack as data plus code: what it is, the rule that stops it, where
//! that rule is enforced, and an async `run` that tries it live.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;

use crate::browser::Browser;
use crate::config::Config;
use crate::forge::AttackerKey;
use crate::transcript::{Entry, Transcript};

/// The future an attack's `run` returns.
pub type Running = Pin<Box<dyn Future<Output = anyhow::Result<Finding>> + Send>>;

/// One attack of the registry.
pub struct Attack {
    /// Stable kebab-case id, as `lab run` takes it.
    pub id: &'static str,
    pub title: &'static str,
    /// The rule that stops it.
    pub rule: Rule,
    /// The repository file that enforces the rule.
    pub enforced_in: &'static str,
    /// Where it runs: on the lab's server (and `lab run`), or also in the
    /// visitor's browser, from the lab's page.
    pub place: Place,
    /// Tries the attack once against the configured system.
    pub run: fn(Context) -> Running,
    /// What the attacker tries, in a sentence or two: declared last, right
    /// above the `run` it sums up.
    pub summary: &'static str,
}

/// A specification and section, with a link.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Rule {
    /// For example "RFC 6749 §10.12, RFC 9700 §4.7".
    pub label: &'static str,
    pub url: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Only HTTP requests: the lab's server runs it, and so does `lab run`.
    Server,
    /// A browser attack: the lab's page runs it in the visitor's browser;
    /// the server (and `lab run`) check the headers the browser obeys.
    Browser,
}

/// What an attack found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The system refused: the rule held.
    Blocked,
    /// The attacker got what they came for: the rule is missing.
    Succeeded,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::Succeeded => "succeeded",
        }
    }
}

/// A verdict and the observation it rests on.
pub struct Finding {
    pub verdict: Verdict,
    pub because: String,
}

impl Finding {
    pub fn blocked(because: impl Into<String>) -> Self {
        Self { verdict: Verdict::Blocked, because: because.into() }
    }

    pub fn succeeded(because: impl Into<String>) -> Self {
        Self { verdict: Verdict::Succeeded, because: because.into() }
    }
}

/// What a run of an attack gets: the system's URLs, the transcript to
/// write to, and the attacker's own signing key.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    pub transcript: Transcript,
    pub key: Arc<AttackerKey>,
}

impl Context {
    pub fn new(config: Arc<Config>, key: Arc<AttackerKey>) -> Self {
        Self { config, transcript: Transcript::default(), key }
    }

    /// A note in the transcript.
    pub fn note(&self, text: impl Into<String>) {
        self.transcript.note(text);
    }

    /// A fresh browser for `actor`, who enters the transcript with a note
    /// on what happens next.
    pub fn enter(&self, actor: &str, next: impl Into<String>) -> Browser {
        let browser = Browser::new(actor, &self.transcript);
        self.note(next);
        browser
    }
}

/// One attack run, as `lab run --json` prints it and the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub id: &'static str,
    pub title: &'static str,
    /// `blocked` or `succeeded`; `error` when the attack could not be
    /// carried out at all (for example, the system is not running).
    pub verdict: &'static str,
    pub because: String,
    pub rule: &'static str,
    pub rule_url: &'static str,
    pub enforced_in: &'static str,
    pub place: Place,
    pub transcript: Vec<Entry>,
}

impl Attack {
    /// Runs the attack and reports, whatever happens.
    pub async fn report(&self, config: Arc<Config>, key: Arc<AttackerKey>) -> Report {
        let context = Context::new(config, key);
        let transcript = context.transcript.clone();
        let (verdict, because) = match (self.run)(context).await {
            Ok(finding) => (finding.verdict.as_str(), finding.because),
            Err(error) => ("error", format!("the attack could not be carried out: {error:#}")),
        };
        Report {
            id: self.id,
            title: self.title,
            verdict,
            because,
            rule: self.rule.label,
            rule_url: self.rule.url,
            enforced_in: self.enforced_in,
            place: self.place,
            transcript: transcript.entries(),
        }
    }
}

impl Report {
    pub fn succeeded(&self) -> bool {
        self.verdict == Verdict::Succeeded.as_str()
    }

    pub fn blocked(&self) -> bool {
        self.verdict == Verdict::Blocked.as_str()
    }
}
