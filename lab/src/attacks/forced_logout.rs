//! Cross-site forced logout: any page the victim visits sends their browser
//! to the client's `GET /logout` (a link, an image, a redirect). If that
//! ends the session, every site on the web can log the user out — a
//! nuisance, and a step in attacks that need the victim to sign in again.
//!
//! OpenID Connect RP-Initiated Logout 1.0 §2 asks the OP to confirm a
//! logout it cannot attribute to the user, and RFC 6749 §10.12's CSRF rule
//! applies to every state-changing request: a cross-site `GET /logout` gets
//! a confirmation page whose button is a CSRF-protected `POST /logout`.

use reqwest::Method;

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::{browser, flow};

pub const ATTACK: Attack = Attack {
    id: "forced-logout",
    title: "Cross-site forced logout",
    rule: Rule {
        label: "OpenID RP-Initiated Logout 1.0 §2, RFC 6749 §10.12",
        url: "https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout",
    },
    enforced_in: "client/src/routes/logout.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "The victim is signed in at the client. The attacker's page sends their browser to the client's \
              /logout, as a cross-site navigation (Sec-Fetch-Site: cross-site). Does the session end?",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = context.enter("victim", "The victim signs in at the client (demo).");
    let to_callback = flow::client_login(&victim, &context, "demo").await?;
    let Some(callback) = to_callback.location.clone() else { anyhow::bail!("no callback URL") };
    victim.get(callback.as_str()).await?;

    context.note("On the attacker's site, a link (or an image, or a redirect) sends the browser to /logout.");
    let logout = format!("{}/logout", context.config.client_public_url);
    let referer = format!("{}/", context.config.public_url);
    let headers = [
        // What a browser sends on a cross-site top-level navigation.
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-Dest", "document"),
        ("Referer", referer.as_str()),
    ];
    let answer = victim.send(Method::GET, &logout, &headers, None).await?;
    // `Max-Age=0` removes a cookie (RFC 6265 §5.2.2, §5.3 step 11).
    let cleared = answer
        .set_cookies()
        .any(|cookie| cookie.name() == "access_token" && cookie.max_age().is_some_and(|age| age.is_zero()));
    let to_provider_logout = answer
        .location
        .as_ref()
        .is_some_and(|to| to.path().ends_with("/logout") && !flow::is_at(to, &context.config.client_public_url));
    // The client hands a logout over to the provider by redirect, or by a
    // page whose form posts itself there (RP-Initiated Logout 1.0 §2).
    let provider_logout = format!("action=\"{}/oauth2/logout\"", context.config.provider_public_url);
    let handed_over = browser::unescape(&answer.body).contains(&provider_logout);
    if cleared || to_provider_logout || handed_over {
        return Ok(Finding::succeeded(format!(
            "a cross-site GET /logout ended the session (HTTP {}{})",
            answer.status,
            if cleared { ", cookies cleared" } else { ", handed on to the provider's logout" }
        )));
    }
    if answer.status.is_success() && answer.body.contains("method=\"post\"") {
        return Ok(Finding::blocked("the client asked for confirmation: a page whose button is a CSRF-protected POST"));
    }
    Ok(Finding::blocked(format!("the session was not ended (HTTP {})", answer.status)))
}
