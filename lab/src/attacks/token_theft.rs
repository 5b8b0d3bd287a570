//! Token theft by an injected script: a cross-site scripting hole, a
//! compromised third-party script or a malicious browser extension runs
//! the attacker's JavaScript in the app's page, and the script copies every
//! token it can reach and sends it home, to be used long after the page is
//! closed ("OAuth 2.0 for Browser-Based Applications",
//! draft-ietf-oauth-browser-based-apps-26 §5.1.1, Single-Execution Token
//! Theft).
//!
//! What the script can reach depends on where the app keeps its tokens
//! (the same document, §8):
//!
//! | architecture                    | tokens live in                           | an injected script reads  |
//! |---------------------------------|------------------------------------------|---------------------------|
//! | the seed's pattern              | `localStorage`                           | all of them               |
//! | cookie mode (the client app)    | `HttpOnly` cookies (RFC 6265 §4.1.2.6)   | none                      |
//! | BFF mode                        | the client's server-side session         | none                      |
//! | the SPA                         | a variable inside a JavaScript module    | none from outside it      |
//!
//! None of this stops the script from *using* the session while the page
//! is open (§5.1.4, proxying requests through the user's browser): it only
//! stops the theft. That is why the pages also send a strict
//! Content-Security-Policy, so an injected `<script>` does not run at all.
//!
//! The lab runs it twice. The server-side check (here, and `lab run`) signs
//! the victim in at the client and looks where the tokens went: a token
//! cookie without `HttpOnly`, or a token written into the page, is stolen.
//! The browser half is [`INJECTED_SCRIPT`] itself, run in a real Chromium on
//! the system's pages and on a `localStorage` stand-in by the e2e tests, and
//! offered on the lab's page to paste into the browser console.

use serde::{Deserialize, Serialize};

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Answer;
use crate::flow;

pub const ATTACK: Attack = Attack {
    id: "token-theft",
    title: "Token theft by an injected script",
    rule: Rule {
        label: "OAuth for Browser-Based Apps §5.1.1, §8; RFC 6265 §4.1.2.6 (HttpOnly)",
        url: "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps-26#section-5.1.1",
    },
    enforced_in: "client/src/cookies.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "A script the attacker got into the client's page looks for tokens where scripts can read them: \
              document.cookie, localStorage, sessionStorage, the page itself. The server-side check signs the \
              victim in and looks where the tokens went; the script below does the same inside the page.",
};

/// The attacker's script: everything a script running in the page can
/// read. An expression whose value is the loot, a list of [`Loot`]; paste
/// it into the browser console, or run it with WebDriver as
/// `return <script>`.
pub const INJECTED_SCRIPT: &str = include_str!("token_theft.js");

/// One token the script could read, and where it found it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loot {
    /// For example `localStorage.access_token` or `document.cookie`.
    pub place: String,
    /// The start of the token (the whole token would be a secret in the
    /// transcript).
    pub preview: String,
}

impl Loot {
    fn new(place: impl Into<String>, token: &str) -> Self {
        Loot { place: place.into(), preview: crate::transcript::mask(token) }
    }
}

/// The verdict on what the script (or the server-side check) could read.
pub fn verdict(loot: &[Loot]) -> Finding {
    if loot.is_empty() {
        return Finding::blocked(
            "no token was readable by a script: the token cookies are HttpOnly (or absent, in BFF mode), \
             and nothing is in localStorage, sessionStorage or the page",
        );
    }
    let places: Vec<&str> = loot.iter().map(|l| l.place.as_str()).collect();
    Finding::succeeded(format!("a script in the page read {} token(s): {}", loot.len(), places.join(", ")))
}

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = context.enter("victim", "The victim signs in at the client (demo); where do the tokens go?");
    let to_callback = flow::client_login(&victim, &context, "demo").await?;
    let Some(callback) = to_callback.location.clone() else { anyhow::bail!("no callback URL") };
    let landed = victim.get(callback.as_str()).await?;
    let home = victim.get(&format!("{}/", context.config.client_public_url)).await?;

    let mut loot = readable_cookies(&landed);
    // A token written into the page (an inline script that stores it, a
    // data attribute) is readable by every script in that page.
    for (name, answer) in [("the callback's page", &landed), ("the home page", &home)] {
        loot.extend(tokens_in(&answer.body).map(|token| Loot::new(name, token)));
    }
    context.note(if loot.is_empty() {
        "document.cookie would not show the token cookies, and neither page contains a token."
    } else {
        "Tokens are where a script can read them."
    });
    Ok(verdict(&loot))
}

/// Token cookies that a script would see in `document.cookie`: set without
/// `HttpOnly` (RFC 6265 §4.1.2.6, §5.4 step 1: an HttpOnly cookie is left
/// out of the cookie string a script reads).
fn readable_cookies(answer: &Answer) -> Vec<Loot> {
    answer
        .set_cookies()
        .filter(|cookie| cookie.name().contains("token") && !cookie.value().is_empty())
        .filter(|cookie| cookie.http_only() != Some(true))
        .map(|cookie| Loot::new(format!("document.cookie ({}, no HttpOnly)", cookie.name()), cookie.value()))
        .collect()
}

/// JWTs (three base64url parts, RFC 7519 §3) written into a page.
fn tokens_in(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices("eyJ").filter_map(|(at, _)| {
        let rest = &html[at..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))?;
        let token = &rest[..end];
        (token.split('.').count() == 3).then_some(token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_jwts_written_into_a_page_and_nothing_else() {
        let html = r#"<script>localStorage.setItem('access_token', 'eyJhbGciOi.eyJzdWIi.c2ln');</script>
                      <p>eyJ is not a token, nor is eyJa.b</p>"#;
        assert_eq!(tokens_in(html).collect::<Vec<_>>(), vec!["eyJhbGciOi.eyJzdWIi.c2ln"]);
    }

    #[test]
    fn the_verdict_names_where_each_token_was_found() {
        assert_eq!(verdict(&[]).verdict, crate::Verdict::Blocked);
        let found = verdict(&[Loot::new("localStorage.access_token", "eyJhbGciOi.eyJzdWIi.c2ln")]);
        assert_eq!(found.verdict, crate::Verdict::Succeeded);
        assert!(found.because.contains("localStorage.access_token"), "{}", found.because);
    }

    #[test]
    fn the_script_is_one_expression_that_looks_everywhere_a_script_can() {
        let script = INJECTED_SCRIPT.trim();
        assert!(script.starts_with("(() => {") && script.ends_with("})()"), "an expression: {script}");
        for place in ["document.cookie", "localStorage", "sessionStorage", "outerHTML"] {
            assert!(script.contains(place), "the script looks in {place}");
        }
    }
}
