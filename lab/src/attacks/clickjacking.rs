//! Clickjacking: the attacker's page loads the provider's login or consent
//! page in an invisible frame and lures the user into clicking "Allow".
//!
//! RFC 6749 §10.13: "To prevent this form of attack, native applications
//! SHOULD use external browsers […] For browser-based applications, […]
//! the authorization server can use the "X-Frame-Options" header"; RFC 9700
//! §4.16 recommends CSP `frame-ancestors`. The provider sends both.
//!
//! In the lab's page the browser itself tries the frame; here (and in
//! `lab run`) the lab reads the headers the browser obeys.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::flow::{self, TODO_APP};

pub const ATTACK: Attack = Attack {
    id: "clickjacking",
    title: "Clickjacking: the login and consent pages in a frame",
    rule: Rule {
        label: "RFC 6749 §10.13, RFC 9700 §4.16",
        url: "https://www.rfc-editor.org/rfc/rfc6749#section-10.13",
    },
    enforced_in: "provider/src/app.rs",
    place: Place::Browser,
    run: |context| Box::pin(run(context)),
    summary: "The attacker's page frames the provider's authorization endpoint (its login page, then consent). \
              The server-side check reads X-Frame-Options and Content-Security-Policy on those pages.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = Browser::new("victim", &context.transcript);
    let start = authorize_url(&context);
    let to_login = victim.get(&start).await?;
    let login_url = to_login.location.clone().map(String::from).unwrap_or(start);
    let login = victim.get(&login_url).await?;
    Ok(verdict(login.header("x-frame-options"), login.header("content-security-policy")))
}

/// The authorization request the attacker's frame loads.
pub fn authorize_url(context: &Context) -> String {
    flow::authorization_url(
        context,
        &[
            ("response_type", "code"),
            ("client_id", TODO_APP.id),
            ("redirect_uri", &flow::todo_app_redirect_uri(context)),
            ("scope", "openid todos:read"),
            ("state", "lab-clickjacking"),
            ("code_challenge", shared::pkce::CodeVerifier::generate().challenge().as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
}

/// Whether a browser would refuse to show a page with these headers in a
/// frame on another site.
pub fn verdict(x_frame_options: &str, csp: &str) -> Finding {
    let xfo = x_frame_options.trim().to_ascii_lowercase();
    let ancestors = csp
        .split(';')
        .map(str::trim)
        .find_map(|directive| directive.strip_prefix("frame-ancestors"))
        .map(|sources| sources.trim().to_owned());
    let csp_refuses = ancestors.as_deref().is_some_and(|s| s == "'none'" || s == "'self'");
    if csp_refuses || xfo == "deny" || xfo == "sameorigin" {
        Finding::blocked(format!(
            "the login page says X-Frame-Options: {}, frame-ancestors {}: the browser refuses to frame it",
            if x_frame_options.is_empty() { "(none)" } else { x_frame_options },
            ancestors.unwrap_or_else(|| "(none)".into())
        ))
    } else {
        Finding::succeeded(
            "the login page has neither X-Frame-Options nor a frame-ancestors policy: any site can frame it",
        )
    }
}
