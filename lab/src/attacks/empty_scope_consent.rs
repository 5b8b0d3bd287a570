//! Consent bypass by an empty scope: an authorization request whose `scope`
//! is only spaces parses to the empty set — a subset of anything the user
//! ever granted — so a provider that compares sets may issue a code for a
//! third-party client without ever asking the user.
//!
//! RFC 6749 §3.3: the scope is "a list of space-delimited, case-sensitive
//! strings"; a value with no strings in it is no scope at all, and a
//! request without one must be refused (or given a documented default),
//! never taken as already consented to.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::flow::{self, LEGACY_APP, LEGACY_APP_REDIRECT_URI};

pub const ATTACK: Attack = Attack {
    id: "empty-scope-consent",
    title: "Consent bypass by an empty scope",
    rule: Rule { label: "RFC 6749 §3.3", url: "https://www.rfc-editor.org/rfc/rfc6749#section-3.3" },
    enforced_in: "provider/src/authorization/request.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The victim is signed in at the provider. The attacker's page sends their browser to the \
              authorization endpoint for a third-party client with scope=%20 (a space): if the provider \
              takes that as nothing new to consent to, the client gets a code the user never approved.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let provider = &context.config.provider_public_url;
    let victim = context.enter("victim", "The victim signs in at the provider (alice), as they did earlier today.");
    let login = victim.get(&format!("{provider}/login")).await?;
    let csrf = crate::browser::hidden_input(&login.body, "csrf_token").unwrap_or_default();
    victim
        .post_form(
            &format!("{provider}/login"),
            &[("username", "alice"), ("password", "alice"), ("csrf_token", csrf.as_str())],
        )
        .await?;

    context.note("The attacker's page sends the victim to the authorization endpoint with a scope of one space.");
    let url = flow::authorization_url(
        &context,
        &[
            ("response_type", "code"),
            ("client_id", LEGACY_APP.id),
            ("redirect_uri", LEGACY_APP_REDIRECT_URI),
            ("scope", " "),
            ("state", &shared::random::random_token()),
        ],
    );
    let answer = victim.get(&url).await?;
    if answer.location_param("code").is_some() {
        return Ok(Finding::succeeded(
            "the provider issued a code for a third-party client without asking the user (scope \" \")",
        ));
    }
    if let Some(error) = answer.location_param("error") {
        return Ok(Finding::blocked(format!("the provider answered error={error}: a blank scope is no scope")));
    }
    if answer.body.contains(r#"name="decision""#) {
        return Ok(Finding::blocked("the provider asked the user for consent"));
    }
    Ok(Finding::blocked(format!("no code was issued (HTTP {})", answer.status)))
}
