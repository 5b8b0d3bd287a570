//! One authenticated form POST to the provider, recorded for the flow
//! inspector with every secret redacted.
//!
//! Client authentication is RFC 6749 §2.3.1: the client's id and secret
//! either in an HTTP `Basic` header (`client_secret_basic`, the one servers
//! MUST support) or as two form fields (`client_secret_post`).

use reqwest::header::{ACCEPT, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA};
use shared::{ClientAuthMethod, ClientId, Secret};
use url::Url;

use super::{Provider, ProviderError};
use crate::flow_log::{FlowStep, Outcome, Row, SpecRef, mask};

/// How the inspector titles an exchange and which sections it links to.
pub(super) struct Labels {
    pub title: &'static str,
    pub request_spec: SpecRef,
    pub response_spec: SpecRef,
    pub response_summary: &'static str,
}

impl Provider {
    /// Sends an authenticated form POST and records both halves.
    pub(super) async fn post_form(
        &self,
        url: &Url,
        mut form: Vec<(&str, &str)>,
        mut rows: Vec<Row>,
        labels: Labels,
    ) -> (Vec<FlowStep>, Result<(u16, String), ProviderError>) {
        let mut builder = self.http.post(url.clone()).header(ACCEPT, "application/json");
        let mut shown_headers =
            vec!["Content-Type: application/x-www-form-urlencoded".to_owned(), "Accept: application/json".to_owned()];

        // RFC 6749 §2.3.1: client authentication with a password.
        match self.auth_method {
            ClientAuthMethod::ClientSecretPost => {
                // "Including the client credentials in the request-body using
                // the two parameters is NOT RECOMMENDED and SHOULD be limited
                // to clients unable to directly utilize the HTTP Basic
                // authentication scheme" — supported because some servers
                // (and the article's seed) use it.
                form.push(("client_id", self.client_id.as_str()));
                form.push(("client_secret", self.client_secret.expose()));
                rows.push(Row::new("client_id", self.client_id.as_str(), "client_secret_post: who we are"));
                rows.push(Row::new("client_secret", "[redacted]", "client_secret_post: our password"));
            }
            _ => {
                // "The client identifier is encoded using the
                // application/x-www-form-urlencoded encoding algorithm [...],
                // and the encoded value is used as the username; the client
                // password is encoded using the same algorithm and used as the
                // password."
                builder = builder.header(AUTHORIZATION, basic_credentials(&self.client_id, &self.client_secret));
                shown_headers.push("Authorization: Basic [redacted]".to_owned());
            }
        }

        let shown_body = rows.iter().map(|r| format!("{}={}", r.name, r.value)).collect::<Vec<_>>().join("&");
        let request_step = FlowStep::new(
            labels.title,
            labels.request_spec,
            format!("The client calls {url} directly, server to server; the browser never sees this request."),
        )
        .rows(rows)
        .block(
            "HTTP request (secrets redacted)",
            format!(
                "POST {} HTTP/1.1\nHost: {}\n{}\n\n{}",
                url.path(),
                host_of(url),
                shown_headers.join("\n"),
                shown_body
            ),
        );

        let response = match builder.form(&form).send().await {
            Ok(response) => response,
            Err(e) => {
                let error = ProviderError::Unreachable { url: url.to_string(), reason: error_chain(&e) };
                let failed = request_step.outcome(Outcome::Failed).row("result", error.to_string(), "no HTTP answer");
                return (vec![failed], Err(error));
            }
        };
        let status = response.status().as_u16();
        let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("(absent)").to_owned();
        let response_step = FlowStep::new("Response", labels.response_spec, labels.response_summary)
            .row("status", status.to_string(), "200 on success; 400 or 401 with an error (RFC 6749 §5.2)")
            .row("Cache-Control", header(CACHE_CONTROL), "RFC 6749 §5.1: MUST be no-store")
            .row("Pragma", header(PRAGMA), "RFC 6749 §5.1: no-cache, for HTTP/1.0 caches")
            .row("Content-Type", header(CONTENT_TYPE), "application/json");
        let body = match response.text().await {
            Ok(body) => body,
            Err(e) => {
                let error = ProviderError::Unreachable {
                    url: url.to_string(),
                    reason: format!("the answer broke off: {}", error_chain(&e)),
                };
                return (vec![request_step.outcome(Outcome::Ok), response_step], Err(error));
            }
        };
        let response_step = response_step.block("Body (tokens shortened)", redacted_json(&body));
        (vec![request_step.outcome(Outcome::Ok), response_step], Ok((status, body)))
    }
}

/// `Basic base64(urlencode(client_id) ":" urlencode(client_secret))`
/// (RFC 6749 §2.3.1).
fn basic_credentials(id: &ClientId, secret: &Secret) -> String {
    shared::basic_credentials::encode(id.as_str(), secret.expose())
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => String::new(),
    }
}

/// An error and its causes, e.g. "error sending request: connection refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The body pretty-printed, with every token member shortened.
fn redacted_json(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut value) => {
            if let Some(object) = value.as_object_mut() {
                for key in ["access_token", "refresh_token", "id_token"] {
                    if let Some(serde_json::Value::String(token)) = object.get_mut(key) {
                        *token = mask(token);
                    }
                }
            }
            serde_json::to_string_pretty(&value).unwrap_or_default()
        }
        // Not JSON: show that much, without echoing what might be a secret.
        Err(_) => format!("(not JSON, {} bytes)", body.len()),
    }
}

#[cfg(test)]
mod tests {
    // The Basic encoding itself (RFC 6749 §2.3.1) is tested where it lives,
    // in `shared::basic_credentials`; that every exchange sends it, in the
    // integration tests (`request.basic_credentials()`).
    use super::*;

    #[test]
    fn token_members_are_shortened() {
        let shown = redacted_json(r#"{"access_token":"abcdefghijkl","expires_in":300}"#);
        assert!(shown.contains("abcdef… (12 chars)"));
        assert!(!shown.contains("abcdefghijkl"));
    }
}
