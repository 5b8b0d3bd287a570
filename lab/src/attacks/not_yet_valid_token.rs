//! A token that is not valid yet: correctly signed, `nbf` in the future.
//!
//! RFC 7519 §4.1.5: "The processing of the "nbf" claim requires that the
//! current date/time MUST be after or equal to the not-before date/time
//! listed in the "nbf" claim."
//!
//! As for `expired-token`, the lab signs it with its own key: a fair test
//! of `nbf` only when the todo API trusts the lab's JWKS.

use crate::attack::{Attack, Context, Finding, Place, Rule};
use crate::attacks::expired_token::present_out_of_time;

pub const ATTACK: Attack = Attack {
    id: "not-yet-valid-token",
    title: "Not-yet-valid token: nbf in the future",
    rule: Rule { label: "RFC 7519 §4.1.5", url: "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5" },
    enforced_in: "todo-api/src/auth/jwt.rs",
    place: Place::Server,
    run: |context| Box::pin(run(context)),
    summary: "A token valid only from an hour from now (nbf), signed with the lab's key; like expired-token, a fair \
              test of nbf when the todo API trusts the lab's JWKS.",
};

async fn run(context: Context) -> anyhow::Result<Finding> {
    // Valid from an hour from now, for an hour.
    let from_now = [("nbf", 3600), ("exp", 7200)];
    present_out_of_time(&context, &from_now, "The token from the future", "a token that is not valid yet", "nbf").await
}
