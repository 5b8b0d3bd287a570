//! `alg: none`: an unsecured JWT (RFC 7519 §6) with an empty signature,
//! claiming whatever the attacker likes.
//!
//! RFC 8725 §2.1: some libraries "trust the 'alg' header […] a token with
//! 'alg' of 'none' […] would be accepted"; §3.1: libraries "MUST NOT use
//! any other algorithms" than the caller's allow-list.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::{flow, forge};

pub const ATTACK: Attack = Attack {
    id: "alg-none",
    title: "alg none: an unsigned token",
    rule: Rule { label: "RFC 8725 §2.1, §3.1", url: "https://www.rfc-editor.org/rfc/rfc8725#section-3.1" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The attacker writes a token for the todo API with alg \"none\" and no signature, claiming both \
              todos scopes, and calls GET /todos with it.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker = Browser::new("attacker", &context.transcript);
    let claims = forge::access_token_claims(&context.config, "attacker");
    let token = forge::unsecured(None, &claims);
    let answer = flow::present_token(&attacker, &context, "The forged token", &token).await?;
    Ok(flow::api_verdict(&answer, "an unsigned token"))
}
