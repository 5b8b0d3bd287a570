//! The lab's own small HTTP "browser": a cookie jar, no automatic
//! redirects, and every request and answer written to the attack's
//! transcript (secrets masked). One browser per actor: the attacker's and
//! the victim's cookies never mix.

use std::sync::Arc;

use anyhow::Context;
use cookie::Cookie;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};

use crate::transcript::{Transcript, redact_form, redact_json, redact_url};

/// Response headers worth showing: the ones the attacks are about.
const SHOWN_HEADERS: &[&str] = &[
    "www-authenticate",
    "cache-control",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "x-frame-options",
    "content-security-policy",
];

/// What the browser got back: status, headers and the whole body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The absolute `Location`, resolved against the request's URL.
    pub location: Option<url::Url>,
    pub body: String,
}

impl Answer {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A header's value as text, or "".
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The cookies this answer sets: its `Set-Cookie` headers (RFC 6265
    /// §4.1), parsed by the `cookie` crate. A header that is no cookie is
    /// skipped, as a browser ignores it (RFC 6265 §5.2).
    pub fn set_cookies(&self) -> impl Iterator<Item = Cookie<'_>> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| Cookie::parse(value).ok())
    }

    /// Whether this answer sets cookie `name` to a non-empty value.
    pub fn sets_cookie(&self, name: &str) -> bool {
        self.set_cookies().any(|cookie| cookie.name() == name && !cookie.value().is_empty())
    }

    /// A query parameter of the `Location`.
    pub fn location_param(&self, name: &str) -> Option<String> {
        self.location.as_ref()?.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
    }
}

/// One actor's browser.
#[derive(Clone)]
pub struct Browser {
    actor: String,
    http: reqwest::Client,
    jar: Arc<Jar>,
    transcript: Transcript,
}

impl Browser {
    /// A fresh browser (no cookies) for `actor`, recording into `transcript`.
    pub fn new(actor: &str, transcript: &Transcript) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        Self { actor: actor.to_owned(), http, jar, transcript: transcript.clone() }
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> anyhow::Result<Answer> {
        self.send(Method::GET, url, &[], None).await
    }

    /// `POST url` with a form body.
    pub async fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> anyhow::Result<Answer> {
        self.send(Method::POST, url, &[], Some(fields)).await
    }

    /// Any request. `headers` are sent as given; an `Authorization` header
    /// is shown masked, and `Cookie` by name only.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> anyhow::Result<Answer> {
        let mut request = self.http.request(method.clone(), url);
        let mut shown = format!("{method} {}", redact_url(url));
        for (name, value) in headers {
            request = request.header(*name, *value);
            shown.push_str(&format!("\n{name}: {}", show_request_header(name, value)));
        }
        if let Some(cookies) = url::Url::parse(url).ok().and_then(|u| self.jar.cookies(&u)) {
            let names = cookie_names(cookies.to_str().unwrap_or_default());
            shown.push_str(&format!("\nCookie: {names}"));
        }
        if let Some(fields) = form {
            request = request.form(fields);
            shown.push_str(&format!("\n\n{}", redact_form(fields)));
        }
        let response = request.send().await.with_context(|| format!("{method} {} did not answer", redact_url(url)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let location =
            headers.get(LOCATION).and_then(|v| v.to_str().ok()).and_then(|value| response.url().join(value).ok());
        let body = response.text().await.unwrap_or_default();
        let answer = Answer { status, headers, location, body };
        self.transcript.exchange(&self.actor, shown, show_answer(&answer));
        Ok(answer)
    }

    /// The value of cookie `name` this browser would send to `url`.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        let url = url::Url::parse(url).ok()?;
        let header = self.jar.cookies(&url)?;
        let cookie = Cookie::split_parse(header.to_str().ok()?).filter_map(Result::ok).find(|c| c.name() == name)?;
        Some(cookie.value().to_owned())
    }
}

fn show_request_header(name: &str, value: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "authorization" => match value.split_once(' ') {
            Some((scheme, credentials)) => format!("{scheme} {}", crate::transcript::mask(credentials)),
            None => crate::transcript::mask(value),
        },
        "cookie" => cookie_names(value),
        _ => value.to_owned(),
    }
}

/// A `Cookie` header by its names only: `a=1; b=2` → `a=…; b=…`.
fn cookie_names(header: &str) -> String {
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .map(|cookie| format!("{}=…", cookie.name()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The answer as the transcript shows it: status, the headers that matter,
/// cookies by name, and a JSON body (masked) or the page's title.
fn show_answer(answer: &Answer) -> String {
    let mut shown = format!("HTTP {}", answer.status);
    if let Some(location) = &answer.location {
        shown.push_str(&format!("\nLocation: {}", redact_url(location.as_str())));
    }
    for name in SHOWN_HEADERS {
        for value in answer.headers.get_all(*name).iter().filter_map(|v| v.to_str().ok()) {
            shown.push_str(&format!("\n{name}: {value}"));
        }
    }
    for header in answer.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        // The value masked; the attributes exactly as the server wrote them
        // (re-serialising the parsed cookie would reorder them, and add
        // `Secure` to a `SameSite=None` cookie that lacks it).
        let Ok(cookie) = Cookie::parse(header) else { continue };
        let attributes = header.split_once(';').map_or("", |(_, attributes)| attributes);
        shown.push_str(&format!("\nSet-Cookie: {}=…;{attributes}", cookie.name()));
    }
    if let Some(json) = answer.json() {
        shown.push_str(&format!("\n\n{}", redact_json(&json)));
    } else if let Some(title) = page_title(&answer.body) {
        shown.push_str(&format!("\n\n(an HTML page: \"{title}\")"));
    }
    shown
}

fn page_title(html: &str) -> Option<String> {
    let start = html.find("<title>")? + "<title>".len();
    let end = html[start..].find("</title>")? + start;
    Some(html[start..end].trim().to_owned())
}

/// The value of a hidden `<input name="…" value="…">` in a page, and the
/// templates' escaping undone (`shared::html`, as the test suites read it).
pub use shared::html::{input_value as hidden_input, unescape};

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn answer_setting(cookies: &[&str]) -> Answer {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(SET_COOKIE, HeaderValue::from_str(cookie).expect("a header value"));
        }
        Answer { status: StatusCode::OK, headers, location: None, body: String::new() }
    }

    #[test]
    fn hidden_inputs_are_read_as_a_browser_reads_them() {
        let page = r#"<input type="hidden" name="csrf_token" value="a&#x2f;b&amp;lt;&quot;&#x27;">"#;
        assert_eq!(hidden_input(page, "csrf_token").as_deref(), Some("a/b&lt;\"'"));
        assert_eq!(hidden_input(page, "request_id"), None);
    }

    #[test]
    fn set_cookies_are_parsed_and_shown_without_their_values() {
        let answer = answer_setting(&["access_token=secret; HttpOnly; Path=/", "state=; Max-Age=0", "not a cookie"]);
        assert!(answer.sets_cookie("access_token"));
        assert!(!answer.sets_cookie("state"), "an empty value sets nothing");
        assert_eq!(answer.set_cookies().count(), 2);
        let shown = show_answer(&answer);
        assert!(shown.contains("Set-Cookie: access_token=…; HttpOnly; Path=/"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn a_cookie_header_is_shown_by_its_names() {
        assert_eq!(cookie_names("a=1; b=2;  c=3"), "a=…; b=…; c=…");
    }
}
