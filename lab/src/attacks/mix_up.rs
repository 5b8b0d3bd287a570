//! Mix-up: a client that talks to several authorization servers is made
//! to believe a response came from another one, and sends the code (and
//! its credentials) to the attacker's token endpoint.
//!
//! RFC 9207 §2.4: "Clients […] MUST compare the value of the iss
//! parameter to the issuer identifier of the authorization server where
//! the authorization request was sent to. […] If the values do not match,
//! the client MUST NOT proceed with the authorization."

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::flow;

pub const ATTACK: Attack = Attack {
    id: "mix-up",
    title: "Mix-up: a response whose iss is another issuer's",
    rule: Rule { label: "RFC 9207 §2.4, RFC 9700 §4.4", url: "https://www.rfc-editor.org/rfc/rfc9207#section-2.4" },
    enforced_in: "client/src/routes/callback.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The victim (demo) logs in at the client; the response on its way back is rewritten to name the \
              attacker's site as its issuer.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = Browser::new("victim", &context.transcript);
    let to_callback = flow::client_login(&victim, &context, "demo").await?;
    let Some(mut url) = to_callback.location else { anyhow::bail!("no callback URL") };
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(name, _)| name != "iss")
        .chain([("iss".to_owned(), context.config.public_url.clone())])
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    context.note(format!("The callback arrives with iss={} instead of the provider's.", context.config.public_url));
    let answer = victim.get(url.as_str()).await?;
    if answer.sets_cookie("access_token") || answer.status.is_redirection() {
        return Ok(Finding::succeeded(format!(
            "the client went on with a response claiming another issuer (HTTP {})",
            answer.status
        )));
    }
    Ok(Finding::blocked(format!("the client stopped at the iss mismatch (HTTP {})", answer.status)))
}
