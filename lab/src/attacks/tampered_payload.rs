//! A tampered payload: the attacker takes a genuine token of their own,
//! widens its scope and its lifetime, and keeps the provider's signature.
//!
//! RFC 7515 §5.2: the signature covers the header and the payload, so a
//! changed payload must fail validation; RFC 8725 §3.1 requires that the
//! signature always be checked.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::{flow, forge};

pub const ATTACK: Attack = Attack {
    id: "tampered-payload",
    title: "Tampered payload: a genuine signature over changed claims",
    rule: Rule { label: "RFC 7515 §5.2, RFC 8725 §3.1", url: "https://www.rfc-editor.org/rfc/rfc7515#section-5.2" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The attacker (demo) gets a genuine token for todos:read, rewrites its payload to todos:read \
              todos:write with a lifetime of a day, keeps the signature, and calls the API with it.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker =
        context.enter("attacker", "The attacker obtains a genuine access token as demo, for todos:read only.");
    let tokens = flow::tokens_for(&attacker, &context, "demo", "openid todos:read").await?;
    let mut parts = tokens.access_token.splitn(3, '.');
    let (Some(header), Some(_), Some(signature)) = (parts.next(), parts.next(), parts.next()) else {
        anyhow::bail!("the access token is not a JWT");
    };
    let mut claims = forge::payload_of(&tokens.access_token).unwrap_or_default();
    claims["scope"] = "todos:read todos:write".into();
    claims["exp"] = (shared::now_unix() + 86_400).into();
    let token = format!("{header}.{}.{signature}", forge::encode_part(&claims));
    let answer = flow::present_token(&attacker, &context, "The tampered token", &token).await?;
    Ok(flow::api_verdict(&answer, "a token whose payload no longer matches its signature"))
}
