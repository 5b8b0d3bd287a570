//! A token that is not valid yet: correctly signed, `nbf` in the future.
//!
//! RFC 7519 §4.1.5: "The processing of the "nbf" claim requires that the
//! current date/time MUST be after or equal to the not-before date/time
//! listed in the "nbf" claim."
//!
//! As for `expired-token`, the lab signs it with its own key: a fair test
//! of `nbf` only when the todo API trusts the lab's JWKS.

use jsonwebtoken::Algorithm;

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::attacks::expired_token::explain;
use crate::browser::Browser;
use crate::{flow, forge};

pub const ATTACK: Attack = Attack {
    id: "not-yet-valid-token",
    title: "Not-yet-valid token: nbf in the future",
    summary: "A token valid only from an hour from now (nbf), signed with the lab's key; like expired-token, a fair \
              test of nbf when the todo API trusts the lab's JWKS.",
    rule: Rule { label: "RFC 7519 §4.1.5", url: "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker = Browser::new("attacker", &context.transcript);
    let now = shared::now_unix();
    let mut claims = forge::access_token_claims(&context.config, "attacker");
    claims["nbf"] = (now + 3600).into();
    claims["exp"] = (now + 7200).into();
    let header = forge::access_token_header(Algorithm::ES256, Some(forge::ATTACKER_KID));
    let token = context.key.sign(header, &claims)?;
    context.note(format!("The token from the future:\n{}", crate::transcript::describe_jwt(&token)));
    let answer = flow::list_todos_with(&attacker, &context, &token).await?;
    Ok(explain(flow::api_verdict(&answer, "a token that is not valid yet"), answer.header("www-authenticate"), "nbf"))
}
