//! The flow inspector's record: what went over the wire, step by step.
//!
//! Each handler appends the steps it performed to the browser's [`FlowLog`],
//! which is kept in the server-side session and rendered by `GET /flow`.
//! Nothing secret is recorded: the client secret, the `Authorization` header,
//! the PKCE verifier and refresh tokens are redacted, codes and tokens are
//! cut short, cookies are listed by name and attributes only.

use serde::{Deserialize, Serialize};

/// How many phases (a login, each refresh, a logout) are kept.
const MAX_PHASES: usize = 20;

/// The record of one browser's latest login and what followed it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FlowLog {
    pub phases: Vec<Phase>,
    /// Refreshes since the latest login, for numbering them.
    pub refreshes: u32,
}

/// A group of steps: "Login", "Refresh 1", "Logout".
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    pub steps: Vec<FlowStep>,
}

/// One step of the protocol, with the spec section it comes from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FlowStep {
    pub title: String,
    pub spec: SpecRef,
    /// Wall-clock time, `HH:MM:SS UTC`.
    pub at: String,
    /// One or two sentences on what happened and why.
    pub summary: String,
    pub outcome: Outcome,
    /// Name / value / what it is for.
    pub rows: Vec<Row>,
    /// Checks and their results.
    pub checks: Vec<Check>,
    /// Preformatted text: an HTTP message, decoded JSON.
    pub blocks: Vec<Block>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Failed,
    Info,
}

/// A link to the section of a specification.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpecRef {
    pub label: String,
    pub url: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub value: String,
    pub note: String,
}

/// One rule checked, whether it held, and what was compared.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Check {
    pub rule: String,
    pub spec: SpecRef,
    pub ok: bool,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Block {
    pub label: String,
    pub text: String,
}

/// RFC `number`, section `section`, as a label and a link.
pub fn rfc(number: u32, section: &str) -> SpecRef {
    SpecRef {
        label: format!("RFC {number} §{section}"),
        url: format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{section}"),
    }
}

/// A section of OpenID Connect Core 1.0, by number and HTML anchor.
pub fn oidc(section: &str, anchor: &str) -> SpecRef {
    SpecRef {
        label: format!("OIDC Core §{section}"),
        url: format!("https://openid.net/specs/openid-connect-core-1_0.html#{anchor}"),
    }
}

/// OpenID Connect RP-Initiated Logout 1.0.
pub fn rp_logout() -> SpecRef {
    SpecRef {
        label: "OIDC RP-Initiated Logout §2".into(),
        url: "https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout".into(),
    }
}

/// The first characters of a credential and its length: enough to tell two
/// apart on the inspector, useless to anyone reading over a shoulder.
pub fn mask(value: &str) -> String {
    let shown: String = value.chars().take(6).collect();
    format!("{shown}… ({} chars)", value.chars().count())
}

impl FlowLog {
    /// Forgets the previous login and starts a new one.
    pub fn begin_login(&mut self) {
        self.phases.clear();
        self.refreshes = 0;
        self.phases.push(Phase { name: "Login".into(), steps: Vec::new() });
    }

    /// Starts the record of one refresh.
    pub fn begin_refresh(&mut self) {
        self.refreshes += 1;
        let name = format!("Refresh {}", self.refreshes);
        self.begin(name);
    }

    pub fn begin(&mut self, name: impl Into<String>) {
        self.phases.push(Phase { name: name.into(), steps: Vec::new() });
        if self.phases.len() > MAX_PHASES {
            // Keep the login (the lesson) and the most recent phases.
            self.phases.remove(1);
        }
    }

    /// Appends a step to the current phase (a "Login" phase is started if
    /// there is none, e.g. when the session was lost in between).
    pub fn push(&mut self, step: FlowStep) {
        if self.phases.is_empty() {
            self.begin("Login");
        }
        if let Some(phase) = self.phases.last_mut() {
            phase.steps.push(step);
        }
    }
}

impl FlowStep {
    pub fn new(title: impl Into<String>, spec: SpecRef, summary: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            spec,
            at: now_hms(),
            summary: summary.into(),
            outcome: Outcome::Info,
            rows: Vec::new(),
            checks: Vec::new(),
            blocks: Vec::new(),
        }
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn row(mut self, name: &str, value: impl Into<String>, note: &str) -> Self {
        self.rows.push(Row { name: name.into(), value: value.into(), note: note.into() });
        self
    }

    pub fn rows(mut self, rows: impl IntoIterator<Item = Row>) -> Self {
        self.rows.extend(rows);
        self
    }

    pub fn checks(mut self, checks: impl IntoIterator<Item = Check>) -> Self {
        self.checks.extend(checks);
        self
    }

    /// Sets the outcome from the checks: failed if any failed.
    pub fn judged(mut self) -> Self {
        self.outcome = if self.checks.iter().all(|c| c.ok) { Outcome::Ok } else { Outcome::Failed };
        self
    }

    pub fn block(mut self, label: &str, text: impl Into<String>) -> Self {
        self.blocks.push(Block { label: label.into(), text: text.into() });
        self
    }
}

impl Row {
    pub fn new(name: &str, value: impl Into<String>, note: &str) -> Self {
        Self { name: name.into(), value: value.into(), note: note.into() }
    }
}

impl Check {
    pub fn new(rule: &str, spec: SpecRef, ok: bool, detail: impl Into<String>) -> Self {
        Self { rule: rule.into(), spec, ok, detail: detail.into() }
    }
}

fn now_hms() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:02}:{:02}:{:02} UTC", now.hour(), now.minute(), now.second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_six_characters_and_the_length() {
        assert_eq!(mask("SplxlOBeZQQYbYS6WxSbIA"), "SplxlO… (22 chars)");
    }

    #[test]
    fn old_refreshes_are_dropped_but_the_login_stays() {
        let mut log = FlowLog::default();
        log.begin_login();
        for _ in 0..50 {
            log.begin_refresh();
        }
        assert_eq!(log.phases.len(), MAX_PHASES);
        assert_eq!(log.phases[0].name, "Login");
        assert_eq!(log.phases[MAX_PHASES - 1].name, "Refresh 50");
    }
}
