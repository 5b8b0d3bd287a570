//! The registry: every attack, in the order a workshop would teach them —
//! the front channel first (state, PKCE, codes, redirect URIs, issuers),
//! then forged and misused tokens at the API, then refresh tokens, then the
//! attacks a browser has to carry out.
//!
//! To add an attack: a module here declaring `ATTACK`, a line in [`ALL`],
//! and a stand-in in `lab/tests/` on which it succeeds.

use crate::attack::Attack;

pub mod alg_none;
pub mod clickjacking;
pub mod client_lockout;
pub mod code_injection;
pub mod code_replay;
pub mod cors_read;
pub mod empty_scope_consent;
pub mod expired_token;
pub mod forced_logout;
pub mod hs256_key_confusion;
pub mod jku_kid_trick;
pub mod login_csrf;
pub mod mix_up;
pub mod not_yet_valid_token;
pub mod pkce_downgrade;
pub mod redirect_uri;
pub mod refresh_replay;
pub mod tampered_payload;
pub mod token_theft;
pub mod wrong_audience;

/// Every attack, in teaching order.
pub static ALL: &[&Attack] = &[
    // The authorization code's way back (RFC 6749 §4.1, RFC 9700 §4).
    &login_csrf::ATTACK,
    &code_injection::ATTACK,
    &pkce_downgrade::ATTACK,
    &code_replay::ATTACK,
    &redirect_uri::ATTACK,
    &mix_up::ATTACK,
    &empty_scope_consent::ATTACK,
    // Tokens where an injected script can read them.
    &token_theft::ATTACK,
    // Forged tokens at the resource server (RFC 8725).
    &alg_none::ATTACK,
    &hs256_key_confusion::ATTACK,
    &jku_kid_trick::ATTACK,
    &tampered_payload::ATTACK,
    // Genuine tokens used where they do not belong.
    &wrong_audience::ATTACK,
    &expired_token::ATTACK,
    &not_yet_valid_token::ATTACK,
    // Refresh tokens (RFC 9700 §4.14).
    &refresh_replay::ATTACK,
    // Brute-force protection that must not become a denial of service.
    &client_lockout::ATTACK,
    // In the victim's browser.
    &cors_read::ATTACK,
    &clickjacking::ATTACK,
    &forced_logout::ATTACK,
];

/// The attack with this id.
pub fn find(id: &str) -> Option<&'static Attack> {
    ALL.iter().copied().find(|attack| attack.id == id)
}
