//! Login CSRF: the attacker signs in as themselves, stops before their own
//! callback, and makes the victim's browser deliver it. Without a `state`
//! bound to the browser, the victim is now logged in to the attacker's
//! account, and whatever they save lands there.
//!
//! RFC 6749 §10.12: "The client MUST implement CSRF protection for its
//! redirection URI. […] typically accomplished by requiring any request
//! sent to the redirection URI endpoint to include a value that binds the
//! request to the user-agent's authenticated state".

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::flow;

pub const ATTACK: Attack = Attack {
    id: "login-csrf",
    title: "Login CSRF: the attacker's code delivered to the victim",
    rule: Rule { label: "RFC 6749 §10.12, RFC 9700 §4.7", url: "https://www.rfc-editor.org/rfc/rfc9700#section-4.7" },
    enforced_in: "client/src/routes/callback.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The attacker (alice) starts a login at the client, approves it, and keeps the callback URL. \
              The victim's browser is then sent to that URL, as a link or image on the attacker's site.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker = context
        .enter("attacker", "The attacker logs in to the client as alice and stops at the redirect back to /callback.");
    let to_callback = flow::client_login(&attacker, &context, "alice").await?;
    let Some(url) = to_callback.location else { anyhow::bail!("no callback URL") };

    let victim = context.enter(
        "victim",
        "The victim's browser, which never started this login, is sent to the attacker's callback URL.",
    );
    let answer = victim.get(url.as_str()).await?;
    if answer.sets_cookie("access_token") || answer.status.is_redirection() {
        return Ok(Finding::succeeded(format!(
            "the client accepted a callback this browser never asked for (HTTP {}) and signed the victim in as the attacker",
            answer.status
        )));
    }
    Ok(Finding::blocked(format!(
        "the client refused the callback (HTTP {}): its state is bound to the attacker's browser, not the victim's",
        answer.status
    )))
}
