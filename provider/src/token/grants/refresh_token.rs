//! The refresh token grant (RFC 6749 §6) with rotation and reuse detection
//! (RFC 9700 §4.14.2).
//!
//! Every refresh returns a new refresh token and retires the presented one.
//! A retired token presented again means two parties hold it — the client
//! and a thief — and the server cannot tell which is which, so it revokes
//! the whole family: every refresh and access token of the grant.

use shared::random::sha256_hex;
use shared::{Scopes, TokenResponse};

use crate::clients::Client;
use crate::error::AppError;
use crate::state::{Database, Issuer};
use crate::store;
use crate::token::error::TokenError;
use crate::token::issue::{Issue, mint};

/// `scope` is the narrower scope asked for, if any (RFC 6749 §6).
pub async fn refresh(
    db: &Database,
    issuer: &Issuer,
    client: &Client,
    presented: &str,
    scope: Option<&str>,
) -> Result<TokenResponse, TokenError> {
    let hash = sha256_hex(presented);
    let token = store::tokens::find_refresh_token(&mut *db.writer.acquire().await?, &hash)
        .await?
        .ok_or_else(|| TokenError::invalid_grant("the refresh token is unknown (RFC 6749 §5.2)"))?;

    // RFC 6749 §6: "the authorization server MUST [...] validate the
    // refresh token [...] and ensure that the refresh token was issued to
    // the authenticated client" (and §10.4: bound to the client).
    if token.client_id != client.id.as_str() {
        return Err(TokenError::invalid_grant("the refresh token was issued to another client (RFC 6749 §10.4)"));
    }
    if token.revoked != 0 {
        return Err(TokenError::invalid_grant("the refresh token has been revoked"));
    }
    if token.rotated_at.is_some() {
        return Err(reuse_detected(db, &token.grant_id, client).await);
    }
    let now = shared::now_unix();
    // ASVS 10.4.8: an absolute lifetime that rotation cannot extend.
    if now >= token.family_expires_at {
        return Err(TokenError::invalid_grant(format!(
            "the refresh token's absolute lifetime ended at {} (unix time); sign in again",
            token.family_expires_at
        )));
    }
    if now >= token.expires_at {
        return Err(TokenError::invalid_grant(format!(
            "the refresh token expired at {} (unix time) after being unused too long",
            token.expires_at
        )));
    }

    // RFC 6749 §6: "The requested scope MUST NOT include any scope not
    // originally granted by the resource owner, and if omitted is treated as
    // equal to the scope originally granted by the resource owner."
    let granted = Scopes::parse(&token.scope).map_err(|e| store::corrupt("refresh_tokens.scope", e))?;
    let scope = match scope {
        None => granted.clone(),
        Some(raw) => {
            let asked = Scopes::parse(raw).map_err(|e| TokenError::invalid_scope(e.to_string()))?;
            if !asked.is_subset_of(&granted) {
                return Err(TokenError::invalid_scope(format!(
                    "a refresh can narrow the scope, never widen it: {} was not granted (RFC 6749 §6)",
                    asked.difference(&granted)
                )));
            }
            asked
        }
    };

    let grant = store::families::find(&mut *db.writer.acquire().await?, &token.grant_id)
        .await?
        .filter(|g| g.revoked_at.is_none())
        .ok_or_else(|| TokenError::invalid_grant("the grant behind this refresh token was revoked"))?;
    let user = store::users::find_by_id(&mut *db.writer.acquire().await?, &token.user_id)
        .await?
        .ok_or_else(|| TokenError::invalid_grant("the user of this refresh token no longer exists"))?;

    let minted = mint(
        issuer,
        // OIDC Core §12.2: a refreshed ID token carries no nonce.
        Issue {
            refresh_family_expires_at: Some(token.family_expires_at),
            refresh_scope: Some(&granted),
            ..Issue::for_grant(client, &grant, &scope, &user)
        },
    )?;
    let Some(successor) = &minted.refresh_token else {
        return Err(AppError::Other(anyhow::anyhow!("a refresh minted no refresh token")).into());
    };
    // Retire the presented token and record its successor in one
    // transaction. Only one of two concurrent requests with the same token
    // wins; the loser is treated as reuse.
    if !store::tokens::rotate(&mut *db.writer.acquire().await?, &hash, successor).await? {
        return Err(reuse_detected(db, &token.grant_id, client).await);
    }
    Ok(minted.response)
}

async fn reuse_detected(db: &Database, grant_id: &str, client: &Client) -> TokenError {
    tracing::warn!(client_id = %client.id, "refresh token reuse detected; revoking the token family");
    let revoked = match db.writer.acquire().await {
        Ok(mut conn) => store::families::revoke(&mut conn, grant_id).await,
        Err(e) => Err(e),
    };
    if let Err(e) = revoked {
        return e.into();
    }
    TokenError::invalid_grant(
        "the refresh token was already used; as a precaution every token of this grant has been revoked (RFC 9700 §4.14.2)",
    )
}
