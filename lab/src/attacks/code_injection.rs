//! Code injection: an authorization code stolen on its way back (a
//! malicious app registered for the same custom scheme, a log, a
//! `Referer`) is redeemed by the thief. For a public client, which has no
//! secret, PKCE is the only thing in the way.
//!
//! RFC 7636 §1: "the attacker intercepts the authorization code returned
//! from the authorization endpoint […] and gains access to the access
//! token." §4.6: the server "MUST verify" the `code_verifier` against the
//! challenge of the authorization request.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::flow::{self, TODO_SPA, TODO_SPA_REDIRECT_URI};

pub const ATTACK: Attack = Attack {
    id: "code-injection",
    title: "Code injection: a stolen code redeemed without the verifier",
    rule: Rule {
        label: "RFC 7636 §1, §4.6; RFC 9700 §4.5", url: "https://www.rfc-editor.org/rfc/rfc7636#section-4.6"
    },
    enforced_in: "provider/src/token/grants/authorization_code.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The victim (demo) authorizes the public client todo-spa with a PKCE challenge. The attacker \
              intercepts the code and redeems it, without the verifier and then with a verifier of their own.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = Browser::new("victim", &context.transcript);
    let verifier = shared::pkce::CodeVerifier::generate();
    let challenge = verifier.challenge();
    context.note("The victim's app sends a code_challenge; only it knows the verifier.");
    let code = flow::code_for(
        &victim,
        &context,
        "demo",
        &[
            ("client_id", TODO_SPA.id),
            ("redirect_uri", TODO_SPA_REDIRECT_URI),
            ("scope", "openid todos:read"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .await?;

    let attacker = context.enter("attacker", "The attacker redeems the intercepted code without any code_verifier.");
    let base = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", TODO_SPA_REDIRECT_URI)];
    let without = flow::token_request(&attacker, &context, TODO_SPA, &base).await?;
    if flow::tokens_of(&without).is_some() {
        return Ok(Finding::succeeded("the token endpoint issued tokens for a stolen code without its verifier"));
    }
    context.note("Then with a verifier of the attacker's own.");
    let guess = shared::pkce::CodeVerifier::generate();
    let mut with_guess = base.to_vec();
    with_guess.push(("code_verifier", guess.expose()));
    let guessed = flow::token_request(&attacker, &context, TODO_SPA, &with_guess).await?;
    Ok(flow::verdict_on(
        &guessed,
        "the token endpoint issued tokens for a verifier that does not match the challenge",
        format!(
            "the token endpoint refused both redemptions (HTTP {}, HTTP {}): the code is bound to the victim's challenge",
            without.status, guessed.status
        ),
    ))
}
