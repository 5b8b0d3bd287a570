//! Client lock-out: brute-force protection turned into a denial of service.
//! If the token endpoint counts failed authentications per `client_id`
//! alone, anyone can send a few wrong secrets for a client and the real
//! client, with the right secret, is refused for minutes.
//!
//! RFC 6749 §2.3.1: the server "MUST protect the endpoint against brute
//! force attacks" — by slowing the guesser, not the client: failures are
//! counted per client and address, and a secret already proven right is
//! never refused.

use reqwest::Method;
use shared::basic_credentials;

use crate::attack::{Attack, Context, Finding, Place, Rule};

pub const ATTACK: Attack = Attack {
    id: "client-lockout",
    title: "Client lock-out by failed authentications",
    rule: Rule { label: "RFC 6749 §2.3.1", url: "https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1" },
    enforced_in: "provider/src/token/client_auth.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The attacker sends 21 wrong secrets for report-service to the token endpoint. Then the real \
              report-service asks for a token with its right secret: is it refused?",
};

/// More than the provider's 20 attempts per client and address.
const WRONG_GUESSES: usize = 21;

async fn run(context: Context) -> anyhow::Result<Finding> {
    let url = format!("{}/oauth2/token", context.config.provider_internal_url);
    let attacker =
        context.enter("attacker", format!("The attacker sends {WRONG_GUESSES} wrong secrets for report-service."));
    let mut last = None;
    for n in 0..WRONG_GUESSES {
        let authorization = basic_credentials::encode("report-service", &format!("guess-{n}"));
        let headers = [("Authorization", authorization.as_str())];
        last = Some(attacker.send(Method::POST, &url, &headers, Some(&[("grant_type", "client_credentials")])).await?);
    }
    if let Some(last) = &last {
        context.note(format!("The last guess was answered HTTP {}: the guesser is slowed.", last.status));
    }

    let client = context.enter("client", "The real report-service asks for a token with its right secret.");
    let authorization = basic_credentials::encode("report-service", "report-service-secret");
    let headers = [("Authorization", authorization.as_str())];
    let answer = client.send(Method::POST, &url, &headers, Some(&[("grant_type", "client_credentials")])).await?;
    if answer.status.is_success() {
        return Ok(Finding::blocked(
            "the real client still got its token: the attacker's failures did not lock it out",
        ));
    }
    Ok(Finding::succeeded(format!(
        "the real client, with the right secret, was refused (HTTP {}) because of the attacker's failures",
        answer.status
    )))
}
