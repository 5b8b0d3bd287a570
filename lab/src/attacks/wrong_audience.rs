//! Wrong audience (a confused deputy): a token the provider issued for
//! another recipient — here one the client app got for the provider's
//! userinfo endpoint, whose `aud` is the client itself — is replayed at the
//! todo API.
//!
//! RFC 9068 §4: "The resource server MUST validate that the aud claim
//! contains a resource indicator value corresponding to an identifier the
//! resource server expects for itself." RFC 8707 §2 lets a client ask for
//! a token per resource for exactly this reason.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::flow;

pub const ATTACK: Attack = Attack {
    id: "wrong-audience",
    title: "Wrong audience: a token issued for someone else",
    rule: Rule { label: "RFC 9068 §4, RFC 8707 §2", url: "https://www.rfc-editor.org/rfc/rfc9068#section-4" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "demo's access token for the scopes openid and profile (audience: the client app) is presented \
              to the todo API. Any answer but 401 means the API took it as a token for itself.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker = context.enter("attacker", "A genuine access token, issued for the scopes openid and profile only.");
    let tokens = flow::tokens_for(&attacker, &context, "demo", "openid profile").await?;
    let answer = flow::present_token(&attacker, &context, "Its claims", &tokens.access_token).await?;
    Ok(flow::api_verdict(&answer, "a token for another audience"))
}
