//! What an attack did, step by step, in the style of the client's flow
//! inspector: each request and its answer, with every secret cut short.
//!
//! Codes, tokens, `state`, verifiers, passwords, client secrets and CSRF
//! tokens are shown as their first characters and their length: enough to
//! see that two are the same, useless to anyone reading over a shoulder.
//! Cookies are listed by name only.

use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Query and form parameters whose values are credentials.
const SECRET_PARAMS: &[&str] = &[
    "code",
    "state",
    "nonce",
    "code_verifier",
    "code_challenge",
    "client_secret",
    "password",
    "csrf_token",
    "request_id",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
];

/// One entry of a transcript.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// What the attacker does next, and why, in one or two sentences.
    Note { text: String },
    /// One HTTP request and its answer, by one actor ("attacker", "victim").
    Exchange { actor: String, request: String, response: String },
}

/// The shared, append-only record of one attack run.
#[derive(Clone, Debug, Default)]
pub struct Transcript(Arc<Mutex<Vec<Entry>>>);

impl Transcript {
    pub fn note(&self, text: impl Into<String>) {
        self.push(Entry::Note { text: text.into() });
    }

    pub fn exchange(&self, actor: &str, request: String, response: String) {
        self.push(Entry::Exchange { actor: actor.to_owned(), request, response });
    }

    fn push(&self, entry: Entry) {
        if let Ok(mut entries) = self.0.lock() {
            entries.push(entry);
        }
    }

    /// Everything recorded so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.0.lock().map(|entries| entries.clone()).unwrap_or_default()
    }
}

/// The first characters of a credential and its length.
pub fn mask(value: &str) -> String {
    let shown: String = value.chars().take(6).collect();
    format!("{shown}…({} chars)", value.chars().count())
}

/// A URL with the values of secret query parameters masked.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else { return url.to_owned() };
    if parsed.query().is_none() {
        return url.to_owned();
    }
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let redacted = pairs.into_iter().map(|(name, value)| {
        let value = if SECRET_PARAMS.contains(&name.as_str()) { mask(&value) } else { value };
        (name, value)
    });
    let query = redacted.map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&");
    parsed.set_query(None);
    format!("{parsed}?{query}")
}

/// Form fields, one per line, secrets masked.
pub fn redact_form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(
            |(name, value)| {
                if SECRET_PARAMS.contains(name) { format!("{name}={}", mask(value)) } else { format!("{name}={value}") }
            },
        )
        .collect::<Vec<_>>()
        .join("&")
}

/// A JSON body, pretty-printed, with every string member named like a
/// credential masked.
pub fn redact_json(value: &serde_json::Value) -> String {
    fn walk(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(members) => members
                .iter()
                .map(|(name, member)| match member {
                    serde_json::Value::String(text) if SECRET_PARAMS.contains(&name.as_str()) => {
                        (name.clone(), serde_json::Value::String(mask(text)))
                    }
                    other => (name.clone(), walk(other)),
                })
                .collect::<serde_json::Map<_, _>>()
                .into(),
            serde_json::Value::Array(items) => items.iter().map(walk).collect(),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&walk(value)).unwrap_or_default()
}

/// A compact JWT shown as its decoded header and payload, signature masked.
pub fn describe_jwt(token: &str) -> String {
    let mut parts = token.split('.');
    let decode = |part: Option<&str>| {
        part.and_then(|p| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).ok())
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .map(|json| json.to_string())
            .unwrap_or_else(|| "?".into())
    };
    let header = decode(parts.next());
    let payload = decode(parts.next());
    let signature = parts.next().map(|s| if s.is_empty() { "(empty)".to_owned() } else { mask(s) });
    format!("header {header}\npayload {payload}\nsignature {}", signature.unwrap_or_else(|| "(none)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_state_are_masked_in_urls_but_other_parameters_are_not() {
        let url =
            "http://localhost:3000/callback?code=abcdefghijklmnop&state=0123456789&iss=http%3A%2F%2Flocalhost%3A8080";
        let shown = redact_url(url);
        assert!(!shown.contains("abcdefghijklmnop") && !shown.contains("0123456789"), "{shown}");
        assert!(shown.contains("code=abcdef…(16 chars)"), "{shown}");
        assert!(shown.contains("iss=http://localhost:8080"), "{shown}");
    }

    #[test]
    fn tokens_in_json_bodies_are_masked() {
        let body = serde_json::json!({"access_token": "eyJhbGciOiJSUzI1NiJ9.payload.sig", "token_type": "Bearer"});
        let shown = redact_json(&body);
        assert!(!shown.contains("payload.sig"), "{shown}");
        assert!(shown.contains("Bearer"), "{shown}");
    }
}
