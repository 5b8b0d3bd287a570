//! Redirect URI manipulation: the attacker sends the victim an
//! authorization link whose `redirect_uri` points somewhere the attacker
//! can read, so the code (or an error carrying `state`) goes there.
//!
//! RFC 9700 §4.1.3: "authorization servers MUST utilize exact string
//! matching" of redirect URIs; RFC 6749 §4.1.2.1: when the redirection URI
//! is invalid, the server "MUST NOT automatically redirect the user-agent
//! to the invalid redirection URI".

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::flow::{self, TODO_APP};

pub const ATTACK: Attack = Attack {
    id: "redirect-uri",
    title: "Redirect URI: look-alike, extra path, other port, unregistered",
    rule: Rule { label: "RFC 6749 §10.6, RFC 9700 §4.1", url: "https://www.rfc-editor.org/rfc/rfc9700#section-4.1" },
    enforced_in: "provider/src/authorization/request.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The signed-in victim (demo) follows authorization links for todo-app whose redirect_uri is a \
              look-alike host, the registered URI with an extra path, another port, and the attacker's site.",
};

/// The attacker's variants of the registered `{client}/callback`.
fn variants(context: &Context) -> Vec<(&'static str, String)> {
    let registered = flow::todo_app_redirect_uri(context);
    let mut variants = Vec::new();
    if let Ok(url) = url::Url::parse(&registered) {
        let host = url.host_str().unwrap_or("localhost");
        let port = url.port_or_known_default().unwrap_or(80);
        variants.push(("look-alike host", registered.replacen(host, &format!("{host}.evil.example"), 1)));
        variants.push(("extra path", format!("{registered}/steal")));
        let mut other_port = url.clone();
        let _ = other_port.set_port(Some(if port == 65535 { 1 } else { port + 1 }));
        variants.push(("different port", other_port.into()));
    }
    variants.push(("unregistered", format!("{}/steal", context.config.public_url)));
    variants
}

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = Browser::new("victim", &context.transcript);
    let mut refused = Vec::new();
    for (name, redirect_uri) in variants(&context) {
        context.note(format!("{name}: redirect_uri={redirect_uri}"));
        let start = flow::authorization_url(
            &context,
            &[
                ("response_type", "code"),
                ("client_id", TODO_APP.id),
                ("redirect_uri", &redirect_uri),
                ("scope", "openid"),
                ("state", &shared::random::random_token()),
                ("code_challenge", shared::pkce::CodeVerifier::generate().challenge().as_str()),
                ("code_challenge_method", "S256"),
            ],
        );
        let answer = flow::sign_in_and_approve(&victim, &context, &start, "demo").await?;
        if let Some(location) = &answer.location
            && !flow::is_at(location, &context.config.provider_public_url)
        {
            return Ok(Finding::succeeded(format!("the provider redirected to the {name} URI {location}")));
        }
        refused.push(format!("{name}: HTTP {}", answer.status));
    }
    Ok(Finding::blocked(format!("the provider showed an error page and redirected nowhere ({})", refused.join(", "))))
}
