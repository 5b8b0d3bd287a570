//! Minting tokens: RFC 9068 JWT access tokens, OIDC ID tokens and opaque
//! refresh tokens, for every grant.

use jsonwebtoken::Header;
use shared::jwt::{ACCESS_TOKEN_TYP, AccessTokenClaims, Audience, IdTokenClaims, at_hash};
use shared::random::{random_token, sha256_hex};
use shared::{GrantType, Scopes, Secret, TokenResponse, TokenType};

use crate::clients::Client;
use crate::error::AppError;
use crate::jws;
use crate::scopes::is_todo_scope;
use crate::state::Issuer;
use crate::store;
use crate::store::families::Family;
use crate::store::users::User;

/// Everything a token response is made from.
pub struct Issue<'a> {
    pub client: &'a Client,
    /// The grant row the tokens descend from; `None` for
    /// `client_credentials`, which has none.
    pub grant_id: Option<&'a str>,
    pub scope: &'a Scopes,
    /// The resource owner; `None` for `client_credentials`.
    pub user: Option<&'a User>,
    pub auth_time: Option<i64>,
    pub nonce: Option<&'a str>,
    /// `Some(end of the family)` to issue a refresh token.
    pub refresh_family_expires_at: Option<i64>,
    /// The refresh token's scope when it differs from the access token's:
    /// RFC 6749 §6, "the refresh token scope MUST be identical to that of
    /// the refresh token included by the client in the request", even when
    /// the new access token is narrowed.
    pub refresh_scope: Option<&'a Scopes>,
}

impl<'a> Issue<'a> {
    /// The tokens of a user's grant: its id and `auth_time`, no nonce and
    /// no refresh token unless the caller adds them.
    pub fn for_grant(client: &'a Client, grant: &'a Family, scope: &'a Scopes, user: &'a User) -> Self {
        Issue {
            client,
            grant_id: Some(&grant.id),
            scope,
            user: Some(user),
            auth_time: grant.auth_time,
            nonce: None,
            refresh_family_expires_at: None,
            refresh_scope: None,
        }
    }
}

/// Whether this grant earns a refresh token: the user granted
/// `offline_access` (OIDC Core §11) and the client may use the
/// `refresh_token` grant.
pub fn wants_refresh_token(client: &Client, scope: &Scopes) -> bool {
    scope.contains("offline_access") && client.allows_grant(GrantType::RefreshToken)
}

/// The signed tokens of one response, and the row that will record its
/// refresh token.
///
/// An access token is recorded nowhere: it is a JWT that proves itself
/// (RFC 9068), and only revoking one writes a row (RFC 7009 §2.1). Its
/// `grant_id` claim lets introspection see that its grant was revoked.
pub struct Minted {
    pub response: TokenResponse,
    pub refresh_token: Option<store::tokens::NewRefreshToken>,
}

/// Mints the tokens of one response and records its refresh token.
pub async fn issue(issuer: &Issuer, db: &shared::db::Kept, issue: Issue<'_>) -> Result<TokenResponse, AppError> {
    let minted = mint(issuer, issue)?;
    if let Some(refresh_token) = &minted.refresh_token {
        store::tokens::insert_refresh_token(&mut *db.acquire().await?, refresh_token).await?;
    }
    Ok(minted.response)
}

/// Signs the tokens of one response, writing nothing: the caller records
/// them (the refresh grant does it in the same transaction as the rotation).
pub fn mint(issuer: &Issuer, issue: Issue<'_>) -> Result<Minted, AppError> {
    let config = &issuer.config;
    let now = shared::now_unix();
    let ttl = config.access_token_ttl.as_secs() as i64;
    let ring = issuer.keys.ring();
    let key = ring.signer(config.access_token_alg);

    // RFC 9068 §2.2: `aud` names the resource server the token is for. A
    // token with a todos:* scope is for the todo API; one without is only
    // good at this provider's userinfo endpoint, so its audience is the
    // client itself (as for an ID token).
    let audience = if issue.scope.iter().any(is_todo_scope) {
        Audience::One(config.todo_api_audience.clone())
    } else {
        Audience::One(issue.client.id.to_string())
    };
    let subject = match issue.user {
        Some(user) => user.id.clone(),
        // RFC 9068 §2.2: for client_credentials "the sub claim SHOULD
        // correspond to an identifier the authorization server uses to
        // indicate the client application" — and §5: it must never be
        // mistaken for a user's. User ids are UUIDs, which never contain a
        // colon, so a prefixed client id can never equal one.
        None => machine_subject(&issue.client.id),
    };
    // RFC 7519 §4.1.7: the `jti` is unique, so that a revocation can name
    // the one token it revokes.
    let jti = uuid::Uuid::new_v4().to_string();
    let claims = AccessTokenClaims {
        iss: config.issuer.clone(),
        sub: subject,
        aud: audience,
        exp: now + ttl,
        iat: now,
        nbf: now,
        jti: jti.clone(),
        client_id: issue.client.id.to_string(),
        scope: issue.scope.to_string(),
        auth_time: issue.auth_time,
        grant_id: issue.grant_id.map(str::to_owned),
    };
    // RFC 9068 §2.1: "Access tokens MUST include the "typ" header with
    // "at+jwt"", which keeps them from being mistaken for ID tokens.
    let mut header = Header::new(key.alg);
    header.typ = Some(ACCESS_TOKEN_TYP.to_owned());
    header.kid = Some(key.kid.clone());
    let access_token = jws::sign(&header, &claims, &key.pair)?;

    let (refresh_token, refresh_row) = match (issue.refresh_family_expires_at, issue.user, issue.grant_id) {
        (Some(family_expires_at), Some(user), Some(grant_id)) => {
            let token = random_token();
            let idle_end = now + config.refresh_token_idle.as_secs() as i64;
            let row = store::tokens::NewRefreshToken {
                token_hash: sha256_hex(&token),
                grant_id: grant_id.to_owned(),
                client_id: issue.client.id.to_string(),
                user_id: user.id.clone(),
                scope: issue.refresh_scope.unwrap_or(issue.scope).to_string(),
                family_expires_at,
                expires_at: idle_end.min(family_expires_at),
            };
            (Some(Secret::new(token)), Some(row))
        }
        _ => (None, None),
    };

    let id_token = match issue.user {
        Some(user) if issue.scope.contains("openid") => {
            Some(Secret::new(id_token(issuer, &issue, user, &access_token, now, ttl)?))
        }
        _ => None,
    };

    let response = TokenResponse {
        access_token: Secret::new(access_token),
        token_type: TokenType::Bearer,
        expires_in: ttl,
        scope: Some(issue.scope.clone()),
        refresh_token,
        id_token,
    };
    Ok(Minted { response, refresh_token: refresh_row })
}

/// OIDC Core §2 and §3.1.3.6: the ID token, with the claims the granted
/// scopes release (§5.4).
fn id_token(
    issuer: &Issuer,
    issue: &Issue<'_>,
    user: &User,
    access_token: &str,
    now: i64,
    ttl: i64,
) -> Result<String, AppError> {
    let ring = issuer.keys.ring();
    let key = ring.signer(issuer.config.id_token_alg);
    let profile = issue.scope.contains("profile");
    let email = issue.scope.contains("email");
    let claims = IdTokenClaims {
        iss: issuer.config.issuer.clone(),
        sub: user.id.clone(),
        aud: Some(Audience::One(issue.client.id.to_string())),
        exp: now + ttl,
        iat: now,
        auth_time: issue.auth_time,
        nonce: issue.nonce.map(str::to_owned),
        at_hash: Some(at_hash(access_token, key.alg)),
        azp: None,
        name: profile.then(|| user.name.clone()),
        preferred_username: profile.then(|| user.username.clone()),
        email: email.then(|| user.email.clone()),
        email_verified: email.then_some(user.email_verified != 0),
    };
    let mut header = Header::new(key.alg);
    header.typ = Some("JWT".to_owned());
    header.kid = Some(key.kid.clone());
    Ok(jws::sign(&header, &claims, &key.pair)?)
}

/// The `sub` of a token a client obtained for itself (RFC 9068 §5: a
/// resource server must be able to tell it from any user's `sub`).
pub fn machine_subject(client_id: &shared::ClientId) -> String {
    format!("client:{client_id}")
}
