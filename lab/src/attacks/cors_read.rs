//! A cross-origin read: a page on the attacker's site calls the todo API
//! with the victim's cookies (`fetch(…, {credentials: 'include'})`) and
//! tries to read the answer. The browser hands the body to the script only
//! when the API names the attacker's exact origin and allows credentials.
//!
//! Fetch standard, "CORS check": with credentials, the response must carry
//! `Access-Control-Allow-Origin` equal to the request's origin (`*` is not
//! enough) and `Access-Control-Allow-Credentials: true`. The todo API
//! allows only the client app's origin.
//!
//! In the lab's page the browser itself runs this; here (and in
//! `lab run`) the lab asks the same question and reads the headers the
//! browser would obey.

use reqwest::Method;

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::flow;

pub const ATTACK: Attack = Attack {
    id: "cors-read",
    title: "CORS: reading a user's todos from the attacker's site",
    rule: Rule { label: "Fetch Standard §3.2.5 (CORS check)", url: "https://fetch.spec.whatwg.org/#cors-check" },
    enforced_in: "todo-api/src/cors.rs",
    place: Place::Browser,
    run: |context| Box::pin(run(context)),
    summary: "The attacker's page fetches the todo API's GET /todos with the visitor's cookies. The server-side \
              check sends demo's access_token cookie with the attacker's Origin and reads the CORS answer.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    let victim = context.enter("victim", "The victim (demo) has an access_token cookie for the todo API.");
    let tokens = flow::tokens_for(&victim, &context, "demo", "openid todos:read").await?;
    let url = format!("{}/todos", context.config.todo_api_public_url);
    let cookie = format!("access_token={}", tokens.access_token);
    let origin = context.config.public_url.clone();
    context.note(format!("The attacker's page at {origin} calls GET /todos with credentials."));
    let answer = victim.send(Method::GET, &url, &[("Origin", &origin), ("Cookie", &cookie)], None).await?;
    Ok(verdict(
        answer.header("access-control-allow-origin"),
        answer.header("access-control-allow-credentials"),
        &origin,
    ))
}

/// Whether a browser would let a script on `origin` read a credentialed
/// answer with these two headers.
pub fn verdict(allow_origin: &str, allow_credentials: &str, origin: &str) -> Finding {
    if allow_origin == origin && allow_credentials == "true" {
        Finding::succeeded(format!(
            "the todo API allows {origin} with credentials: the attacker's script reads the victim's todos"
        ))
    } else if allow_origin.is_empty() {
        Finding::blocked(
            "the todo API sent no Access-Control-Allow-Origin for the attacker's origin: the browser keeps the answer from the script",
        )
    } else {
        Finding::blocked(format!(
            "Access-Control-Allow-Origin: {allow_origin}, Allow-Credentials: {allow_credentials:?}: not the attacker's origin with credentials, so the browser keeps the answer"
        ))
    }
}
