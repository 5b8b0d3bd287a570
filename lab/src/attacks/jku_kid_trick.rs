//! A foreign key: the attacker signs with their own key and tells the API
//! where to find it — a `jku` URL on the attacker's site, the key itself
//! in a `jwk` header, or just an unknown `kid`.
//!
//! RFC 8725 §3.10: an API must not fetch keys from URLs in the token
//! without checking them, and RFC 7515 §4.1.3 leaves a `jwk` header to be
//! trusted only by prior agreement. The todo API uses only the provider's
//! configured JWKS.

use jsonwebtoken::jwk::Jwk;

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::{flow, forge};

pub const ATTACK: Attack = Attack {
    id: "jku-kid-trick",
    title: "jku / jwk / kid: a key the attacker chose",
    rule: Rule {
        label: "RFC 8725 §3.10, RFC 7515 §4.1.3", url: "https://www.rfc-editor.org/rfc/rfc8725#section-3.10"
    },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "Three tokens signed with the attacker's own ES256 key: one whose jku points at the lab's JWKS, one \
              carrying the key in its jwk header, one with a kid the provider never published.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let attacker = Browser::new("attacker", &context.transcript);
    let claims = forge::access_token_claims(&context.config, "attacker");
    let mut jku = forge::attacker_header();
    jku.jku = Some(format!("{}/.well-known/jwks.json", context.config.public_url));
    let mut embedded = forge::attacker_header();
    embedded.jwk = serde_json::from_value::<Jwk>(context.key.jwk.clone()).ok();
    let unknown = forge::attacker_header();

    let mut refused = Vec::new();
    for (name, header) in [("jku", jku), ("embedded jwk", embedded), ("unknown kid", unknown)] {
        let token = context.key.sign(header, &claims)?;
        let answer = flow::present_token(&attacker, &context, "{name}", &token).await?;
        let finding = flow::api_verdict(&answer, &format!("a token whose key came from its {name}"));
        if finding.verdict == crate::attack::Verdict::Succeeded {
            return Ok(finding);
        }
        refused.push(name);
    }
    Ok(Finding::blocked(format!(
        "the todo API refused all three ({}) with 401: it uses only the provider's JWKS",
        refused.join(", ")
    )))
}
