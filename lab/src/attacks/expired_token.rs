//! An expired token: still correctly signed, but its `exp` has passed.
//!
//! RFC 7519 §4.1.4: "The processing of the "exp" claim requires that the
//! current date/time MUST be before the expiration date/time listed in the
//! "exp" claim."
//!
//! The lab cannot make the provider sign an expired token, so it signs one
//! with its own key. Against the shipped system the todo API then refuses
//! the key before it ever reads `exp`; to see `exp` stop the token on its
//! own, run the todo API with `PROVIDER_INTERNAL_URL` pointing at the lab
//! (which publishes its key at `/.well-known/jwks.json`), as the test of
//! the real system does.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::{flow, forge};

pub const ATTACK: Attack = Attack {
    id: "expired-token",
    title: "Expired token: a valid signature, exp in the past",
    rule: Rule { label: "RFC 7519 §4.1.4", url: "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "A token whose exp passed ten minutes ago, signed with the lab's key. It is only a fair test of exp \
              when the todo API trusts the lab's JWKS (see the rule's note in the README).",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    // Issued and valid from fifteen minutes ago; expired ten minutes ago.
    let from_now = [("iat", -900), ("nbf", -900), ("exp", -600)];
    present_out_of_time(&context, &from_now, "The expired token", "an expired token", "exp").await
}

/// Presents to the todo API a token signed with the lab's key whose time
/// claims are set `from_now` (seconds from now), and says whether the
/// refusal named `claim` or only the key.
pub async fn present_out_of_time(
    context: &Context,
    from_now: &[(&str, i64)],
    label: &str,
    what: &str,
    claim: &str,
) -> anyhow::Result<Finding> {
    let attacker = Browser::new("attacker", &context.transcript);
    let now = shared::now_unix();
    let mut claims = forge::access_token_claims(&context.config, "attacker");
    for (name, seconds) in from_now {
        claims[*name] = (now + seconds).into();
    }
    let token = context.key.sign(forge::attacker_header(), &claims)?;
    let answer = flow::present_token(&attacker, context, label, &token).await?;
    Ok(explain(flow::api_verdict(&answer, what), answer.header("www-authenticate"), claim))
}

/// Says whether a refusal named the time claim, or only the key.
pub fn explain(mut finding: Finding, challenge: &str, claim: &str) -> Finding {
    let named = challenge.contains(claim) || challenge.contains("expired") || challenge.contains("not yet valid");
    if finding.verdict == crate::attack::Verdict::Blocked && !named {
        finding.because.push_str(&format!(
            " — refused for its key, before {claim} was read: point the todo API's PROVIDER_INTERNAL_URL at the lab to test {claim} alone"
        ));
    }
    finding
}
