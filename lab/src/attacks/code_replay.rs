//! Code replay: a code that leaked after it was used (browser history, a
//! log) is redeemed a second time.
//!
//! RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more
//! than once. If an authorization code is used more than once, the
//! authorization server MUST deny the request and SHOULD revoke (when
//! possible) all tokens previously issued based on that authorization code."

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::browser::Browser;
use crate::flow::{self, TODO_APP};

pub const ATTACK: Attack = Attack {
    id: "code-replay",
    title: "Code replay, and the revocation of the tokens it produced",
    rule: Rule { label: "RFC 6749 §4.1.2, §10.5", url: "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2" },
    enforced_in: "provider/src/token/grants/authorization_code.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The client redeems demo's code; the attacker redeems the same code again. The second redemption \
              must fail, and the refresh token from the first must stop working.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let client = Browser::new("client", &context.transcript);
    let verifier = shared::pkce::CodeVerifier::generate();
    let challenge = verifier.challenge();
    let redirect_uri = flow::todo_app_redirect_uri(&context);
    let code = flow::code_for(
        &client,
        &context,
        "demo",
        &[
            ("client_id", TODO_APP.id),
            ("redirect_uri", &redirect_uri),
            ("scope", "openid offline_access todos:read"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .await?;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.expose()),
    ];
    context.note("The client redeems the code, as it should, once.");
    let first = flow::token_request(&client, &context, TODO_APP, &fields).await?;
    let first = flow::tokens_of(&first).ok_or_else(|| anyhow::anyhow!("the honest redemption failed"))?;

    let attacker = context.enter("attacker", "The attacker replays the same request (the code leaked after use).");
    let replay = flow::token_request(&attacker, &context, TODO_APP, &fields).await?;
    if flow::tokens_of(&replay).is_some() {
        return Ok(Finding::succeeded("the token endpoint redeemed the same code twice"));
    }
    let Some(refresh_token) = first.refresh_token else {
        return Ok(Finding::blocked(format!("the replay was refused (HTTP {})", replay.status)));
    };
    context.note("Were the first redemption's tokens revoked? The client tries its refresh token.");
    let refreshed = flow::refresh(&client, &context, TODO_APP, &refresh_token).await?;
    Ok(flow::verdict_on(
        &refreshed,
        "the replay was refused, but the tokens issued from the replayed code still work",
        format!(
            "the replay was refused (HTTP {}) and the tokens issued from the code were revoked (refresh: HTTP {})",
            replay.status, refreshed.status
        ),
    ))
}
