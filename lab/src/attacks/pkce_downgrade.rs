//! PKCE downgrade: an attacker who can strip `code_challenge` from the
//! victim's authorization request gets a code with no challenge, and then
//! redeems it with any verifier at all.
//!
//! RFC 9700 §4.8.2: "authorization servers MUST mitigate PKCE Downgrade
//! Attacks by ensuring that a token request containing a code_verifier
//! parameter is accepted only if a code_challenge parameter was present in
//! the authorization request".

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::flow::{self, LEGACY_APP, LEGACY_APP_REDIRECT_URI};

pub const ATTACK: Attack = Attack {
    id: "pkce-downgrade",
    title: "PKCE downgrade: a verifier for a code that had no challenge",
    rule: Rule { label: "RFC 9700 §4.8.2", url: "https://www.rfc-editor.org/rfc/rfc9700#section-4.8.2" },
    enforced_in: "provider/src/token/grants/authorization_code.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The victim (demo) authorizes legacy-app (registered without mandatory PKCE) with the challenge \
              stripped. The code is redeemed with a code_verifier the attacker made up.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = context.enter("victim", "The authorization request reaches the provider without its code_challenge.");
    let code = flow::code_for(
        &victim,
        &context,
        "demo",
        &[("client_id", LEGACY_APP.id), ("redirect_uri", LEGACY_APP_REDIRECT_URI), ("scope", "openid todos:read")],
    )
    .await?;
    let attacker = context.enter("attacker", "The attacker redeems it with a verifier of their choosing.");
    let verifier = shared::pkce::CodeVerifier::generate();
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", LEGACY_APP_REDIRECT_URI),
        ("code_verifier", verifier.expose()),
    ];
    let answer = flow::token_request(&attacker, &context, LEGACY_APP, &fields).await?;
    Ok(flow::verdict_on(
        &answer,
        "the token endpoint accepted a code_verifier for a code issued without a challenge",
        format!(
            "the token endpoint refused the verifier (HTTP {}): no challenge was sent, so no verifier may be",
            answer.status
        ),
    ))
}
