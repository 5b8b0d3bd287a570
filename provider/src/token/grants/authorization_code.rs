//! The authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636): the
//! life of a code, from issuance at the authorization endpoint to its one
//! and only redemption at the token endpoint.

use std::time::Duration;

use shared::pkce::CodeVerifier;
use shared::random::{random_token, sha256_hex};
use shared::{Scopes, TokenResponse};

use crate::authorization::request::AuthorizationRequest;
use crate::clients::Client;
use crate::error::AppError;
use crate::session::Login;
use crate::state::{Database, Issuer};
use crate::store;
use crate::store::codes::{IssuedCode, Redemption};
use crate::token::error::TokenError;
use crate::token::issue::{Issue, issue, wants_refresh_token};

/// RFC 6749 §4.1.2: issues a code for an approved request. The code is 256
/// random bits; only its SHA-256 is stored, in the row of the new grant it
/// carries (user, scopes, nonce, auth_time), bound to the client, the
/// redirect URI and the PKCE challenge: one row written.
pub async fn issue_code(
    codes: &store::codes::Codes,
    code_ttl: Duration,
    request: &AuthorizationRequest,
    login: &Login,
) -> Result<String, AppError> {
    let code = random_token();
    codes
        .issue(store::codes::NewCode {
            code_hash: sha256_hex(&code),
            client_id: request.client_id.as_str().to_owned(),
            user_id: login.user_id.clone(),
            scope: request.scope.to_string(),
            auth_time: login.auth_time,
            nonce: request.nonce.clone(),
            // An empty string records "no redirect_uri was sent".
            redirect_uri: if request.redirect_uri_sent {
                request.redirect_uri.as_str().to_owned()
            } else {
                String::new()
            },
            code_challenge: request.code_challenge.as_ref().map(|c| c.as_str().to_owned()),
            expires_at: shared::now_unix() + code_ttl.as_secs() as i64,
        })
        .await?;
    Ok(code)
}

/// RFC 6749 §4.1.3: the client trades the code for tokens.
/// `redirect_uri` and `code_verifier` are as sent (`None` when absent).
pub async fn exchange(
    db: &Database,
    issuer: &Issuer,
    client: &Client,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<TokenResponse, TokenError> {
    // RFC 7636 §4.1: a verifier of the wrong shape is refused before the
    // code is even looked at.
    let verifier =
        code_verifier.map(CodeVerifier::parse).transpose().map_err(|e| TokenError::invalid_request(e.to_string()))?;

    // Spend the code, only if it was issued to this client (one UPDATE …
    // RETURNING, which also reads its grant and user: see
    // store::codes::Codes::redeem). The client was authenticated before
    // this point, so a code cannot be spent by whoever names a client.
    let issued = match db.codes.redeem(&sha256_hex(code), client.id.as_str()).await? {
        Redemption::Redeemed(issued) => issued,
        Redemption::Unknown => {
            return Err(TokenError::invalid_grant("the authorization code is unknown (RFC 6749 §5.2)"));
        }
        Redemption::OtherClient => {
            // RFC 6749 §4.1.3: "ensure that the authorization code was issued
            // to the authenticated confidential client, or if the client is
            // public, ensure that the code was issued to "client_id" in the
            // request". The code stays usable by its rightful client.
            return Err(TokenError::invalid_grant(
                "the authorization code was issued to another client (RFC 6749 §4.1.3)",
            ));
        }
        Redemption::AlreadyRedeemed { grant_id } => {
            // RFC 6749 §4.1.2: "If an authorization code is used more than
            // once, the authorization server MUST deny the request and SHOULD
            // revoke (when possible) all tokens previously issued based on
            // that authorization code."
            store::families::revoke(&mut *db.writer.acquire().await?, &grant_id).await?;
            tracing::warn!(client_id = %client.id, "authorization code replayed; its grant was revoked");
            return Err(TokenError::invalid_grant(
                "the authorization code was already used; every token issued from it has been revoked (RFC 6749 §4.1.2)",
            ));
        }
    };

    // RFC 6749 §4.1.2: codes are short-lived.
    if issued.expires_at <= shared::now_unix() {
        return Err(TokenError::invalid_grant(format!(
            "the authorization code expired at {} (unix time); codes live {} s (RFC 6749 §4.1.2)",
            issued.expires_at,
            issuer.config.code_ttl.as_secs()
        )));
    }
    // RFC 6749 §4.1.3: redirect_uri is "REQUIRED, if the "redirect_uri"
    // parameter was included in the authorization request [...] and their
    // values MUST be identical."
    let sent = redirect_uri;
    if !issued.redirect_uri.is_empty() && sent != Some(issued.redirect_uri.as_str()) {
        return Err(TokenError::invalid_grant(
            "redirect_uri does not match the one of the authorization request; it must be identical (RFC 6749 §4.1.3)",
        ));
    }
    if issued.redirect_uri.is_empty() && sent.is_some_and(|s| !client.redirect_uris.iter().any(|r| r.as_str() == s)) {
        return Err(TokenError::invalid_grant("redirect_uri is not registered for this client (RFC 6749 §4.1.3)"));
    }
    // RFC 7636 §4.6: recompute the challenge from the verifier and compare.
    match (&issued.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            let challenge = shared::pkce::CodeChallenge::parse(challenge)
                .map_err(|e| TokenError::from(AppError::Other(e.into())))?;
            if !challenge.is_satisfied_by(&verifier) {
                return Err(TokenError::invalid_grant(
                    "code_verifier does not match the code_challenge: BASE64URL(SHA256(code_verifier)) must equal it (RFC 7636 §4.6)",
                ));
            }
        }
        (Some(_), None) => {
            return Err(TokenError::invalid_grant(
                "this code was issued with a code_challenge, so code_verifier is required (RFC 7636 §4.5)",
            ));
        }
        (None, Some(_)) => {
            // RFC 9700 §2.1.1: "Authorization servers MUST ensure that if
            // there is no code_challenge in the authorization request [...]
            // any request to the token endpoint containing a code_verifier is
            // rejected" — otherwise an attacker could downgrade PKCE.
            return Err(TokenError::invalid_grant(
                "code_verifier was sent, but the authorization request had no code_challenge (PKCE downgrade, RFC 9700 §4.8.2)",
            ));
        }
        (None, None) => {}
    }

    let IssuedCode { grant, user, .. } = *issued;
    if grant.revoked_at.is_some() {
        return Err(TokenError::invalid_grant("the grant behind this code was revoked"));
    }
    // A code is only ever issued for a user, so its grant names one.
    if grant.user_id.is_none() {
        return Err(store::corrupt("grants.user_id", "a code's grant has no user").into());
    }
    let user = user.ok_or_else(|| TokenError::invalid_grant("the user who approved this code no longer exists"))?;
    let scope = Scopes::parse(&grant.scope).map_err(|e| store::corrupt("grants.scope", e))?;
    let refresh = wants_refresh_token(client, &scope)
        .then(|| shared::now_unix() + issuer.config.refresh_token_ttl.as_secs() as i64);
    let response = issue(
        issuer,
        &db.writer,
        Issue {
            nonce: grant.nonce.as_deref(),
            refresh_family_expires_at: refresh,
            ..Issue::for_grant(client, &grant, &scope, &user)
        },
    )
    .await?;
    Ok(response)
}
