//! Refresh-token replay: a stolen refresh token is used after the client
//! has already rotated it.
//!
//! RFC 9700 §4.14.2: with rotation, "If a refresh token is compromised and
//! subsequently used by both the attacker and the legitimate client, one of
//! them will present an invalidated refresh token, which will inform the
//! authorization server of the breach. The authorization server cannot
//! determine which party submitted the invalid refresh token, but it will
//! revoke the active refresh token."

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::flow::{self, TODO_APP};

pub const ATTACK: Attack = Attack {
    id: "refresh-replay",
    title: "Refresh-token replay after rotation, and the family's revocation",
    rule: Rule { label: "RFC 9700 §4.14.2", url: "https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2" },
    enforced_in: "provider/src/token/grants/refresh_token.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The attacker steals demo's refresh token; the client rotates it; the attacker presents the stolen \
              one. It must fail, and the client's current refresh token must die with it.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let client = Browser::new("client", &context.transcript);
    let tokens = flow::tokens_for(&client, &context, "demo", "openid offline_access todos:read").await?;
    let stolen = tokens.refresh_token.ok_or_else(|| anyhow::anyhow!("no refresh token was issued"))?;
    context.note("The client refreshes (rotation): the stolen token is now an old one.");
    let rotated = flow::refresh(&client, &context, TODO_APP, &stolen).await?;
    let current = flow::tokens_of(&rotated)
        .and_then(|t| t.refresh_token)
        .ok_or_else(|| anyhow::anyhow!("the honest refresh did not return a new refresh token"))?;
    if current == stolen {
        return Ok(Finding::succeeded(
            "the refresh token was not rotated: the stolen one stays as good as the client's",
        ));
    }

    let attacker = context.enter("attacker", "The attacker presents the stolen, rotated refresh token.");
    let replay = flow::refresh(&attacker, &context, TODO_APP, &stolen).await?;
    if flow::tokens_of(&replay).is_some() {
        return Ok(Finding::succeeded("the rotated refresh token still worked for the attacker"));
    }
    context.note("The client's current refresh token: revoked with its family?");
    let after = flow::refresh(&client, &context, TODO_APP, &current).await?;
    Ok(flow::verdict_on(
        &after,
        "the replay was refused, but the family was not revoked",
        format!(
            "the replay was refused (HTTP {}) and the whole family revoked (HTTP {} for the current token)",
            replay.status, after.status
        ),
    ))
}
