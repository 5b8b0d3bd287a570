//! The lab's own small HTTP "browser": a cookie jar, no automatic
//! redirects, and every request and answer written to the attack's
//! transcript (secrets masked). One browser per actor: the attacker's and
//! the victim's cookies never mix.

use std::sync::Arc;

use anyhow::Context;
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

    /// Whether this answer sets cookie `name` to a non-empty value.
    pub fn sets_cookie(&self, name: &str) -> bool {
        self.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|cookie| {
            cookie
                .split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .is_some_and(|(n, v)| n == name && !v.is_empty())
        })
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
        let header = header.to_str().ok()?.to_owned();
        header.split("; ").find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).map(str::to_owned)
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

/// `a=1; b=2` → `a=…, b=…`.
fn cookie_names(header: &str) -> String {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('=').map(|(name, _)| format!("{}=…", name.trim())))
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
    for cookie in answer.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
        let name = pair.split_once('=').map(|(n, _)| n).unwrap_or(pair);
        shown.push_str(&format!("\nSet-Cookie: {name}=…;{attributes}"));
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

/// The value of a hidden `<input name="…" value="…">` in a page.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}""#);
    let start = html.find(&marker)?;
    let tag_start = html[..start].rfind('<').unwrap_or(start);
    let tag_end = html[start..].find('>').map(|end| start + end).unwrap_or(html.len());
    let tag = &html[tag_start..tag_end];
    let value = tag.split_once(r#"value=""#)?.1.split_once('"')?.0;
    Some(value.replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x3d;", "=").replace("&#43;", "+"))
}
