//! The client credentials grant (RFC 6749 §4.4): a confidential client asks
//! for a token on its own behalf. No user, so no refresh token (§4.4.3: "A
//! refresh token SHOULD NOT be included") and no ID token.

use shared::{Scopes, TokenResponse};

use crate::clients::Client;
use crate::state::Issuer;
use crate::token::error::TokenError;
use crate::token::issue::{Issue, mint};

/// `scope` is the scope asked for, if any (RFC 6749 §4.4.2).
pub async fn issue_for_client(
    issuer: &Issuer,
    client: &Client,
    scope: Option<&str>,
) -> Result<TokenResponse, TokenError> {
    // Scopes that only make sense with a user cannot be granted here.
    let user_scopes = Scopes::from_iter(["openid", "profile", "email", "offline_access"]);
    let scope = match scope {
        None => client.scopes.difference(&user_scopes),
        Some(raw) => {
            let asked = Scopes::parse(raw).map_err(|e| TokenError::invalid_scope(e.to_string()))?;
            if !asked.is_subset_of(&client.scopes) {
                return Err(TokenError::invalid_scope(format!(
                    "scope {} is not registered for this client (RFC 6749 §3.3)",
                    asked.difference(&client.scopes)
                )));
            }
            let needs_user = asked.intersection(&user_scopes);
            if !needs_user.is_empty() {
                return Err(TokenError::invalid_scope(format!(
                    "scope {needs_user} needs a user; client_credentials has none (RFC 6749 §4.4)"
                )));
            }
            asked
        }
    };
    // No grant: a grant ties together what one authorization produced so
    // that it can be revoked as a family (a replayed code, a reused refresh
    // token, a user disconnecting an app). Here there is no user, no code
    // and no refresh token — the token is the whole family, and it is
    // revoked by its own `jti` (RFC 7009). Issuing it writes nothing.
    // Nothing to record: no refresh token, and an access token proves itself.
    let minted = mint(
        issuer,
        Issue {
            client,
            grant_id: None,
            scope: &scope,
            user: None,
            auth_time: None,
            nonce: None,
            refresh_family_expires_at: None,
            refresh_scope: None,
        },
    )?;
    Ok(minted.response)
}
