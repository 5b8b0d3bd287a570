//! Step 6: `POST /refreshtoken`, the article's refresh proxy (RFC 6749 §6).
//!
//! When the todo API answers 401 because the access token expired, the
//! page's script calls this endpoint. The browser attaches the
//! `refresh_token` cookie (its `Path` is exactly this endpoint); the client
//! trades it at the provider, authenticating with its own secret, and sets
//! the new cookies. The script learns only how long the new token lives.
//!
//! Because the browser attaches the cookie to any request to this URL, the
//! endpoint must refuse requests that another site's page made
//! (cross-site request forgery): the refresh cookie is `SameSite=Strict`,
//! and the request must also prove it came from this app's own pages.
//!
//! The cookie alone is not enough either: the refresh token must be the
//! one this browser's server-side session holds. RFC 9700 §4.14.2: "refresh
//! tokens MUST be sender-constrained or use refresh token rotation"; for a
//! confidential client the sender is this server, so a `refresh_token`
//! cookie copied out of a browser and replayed without the session that
//! owns it is refused before it reaches the provider.
//!
//! Two tabs may ask at the same moment with the same refresh token: the
//! second waits for the first one's exchange and gets its result
//! ([`crate::refresh_flight`]), so the provider never sees a rotated token
//! twice. An ID token in the answer is validated as OIDC Core §12.2 says
//! and replaces the one kept for logout.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde_json::json;
use shared::jwks::JwksCache;
use shared::secret::constant_time_eq;
use shared::{ErrorCode, Secret, TokenRequest, TokenResponse};
use tower_sessions::Session;

use crate::config::Config;
use crate::cookies::{REFRESH_TOKEN, clear_tokens, handle_tokens};
use crate::error::AppError;
use crate::flow_log::{FlowLog, FlowStep, Outcome, oidc, rfc};
use crate::id_token::{self, Context, Expected};
use crate::json_error::{JsonError, json_error};
use crate::provider::{Provider, ProviderError};
use crate::session::ClientSession;
use crate::state::RefreshParts;

/// `POST /refreshtoken`: 200 `{"expires_in": N}` with new cookies; 401 when
/// the refresh token is gone or no longer valid (log in again); 403 for a
/// cross-origin request; 502 when the provider is unreachable or its answer
/// carries an ID token that fails OIDC Core §12.2; 500 when the session
/// store fails. Every error is JSON ([`crate::json_error`]).
pub async fn refresh(
    State(RefreshParts { config, provider, jwks, flights }): State<RefreshParts>,
    session: Session,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, JsonError> {
    if !is_same_origin(&headers, &config) {
        return Ok(json_error(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidRequest,
            "POST /refreshtoken accepts only requests from this app's own pages (Origin or Sec-Fetch-Site: same-origin)",
        ));
    }
    let Some(refresh_token) = jar.get(REFRESH_TOKEN).map(|c| Secret::new(c.value())) else {
        return Ok(json_error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidGrant,
            "no refresh_token cookie: log in again",
        ));
    };
    let not_ours = |jar: CookieJar| {
        let jar = clear_tokens(jar, config.cookie_secure);
        let error = json_error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidGrant,
            "the refresh_token cookie does not belong to this browser's session: log in again",
        );
        Ok((jar, error).into_response())
    };
    let Some(session_id) = session.id() else {
        return not_ours(jar);
    };

    // One exchange per session at a time (see `crate::refresh_flight`). The
    // session is read only once the flight is ours, so it shows what the
    // previous flight saved.
    let mut flight = flights.enter(session_id).await;
    if let Some(tokens) = flight.landed_for(&refresh_token) {
        // Another tab's request traded this very refresh token a moment ago:
        // its result is this request's too, and the provider is not asked
        // again (which would look like a replay of a rotated token).
        let (jar, _) = handle_tokens(jar, &tokens, config.cookie_secure);
        return Ok(tokens_answer(jar, &tokens));
    }
    let session = ClientSession(&session);
    if !session_owns(&session, &refresh_token).await? {
        return not_ours(jar);
    }
    let mut log = session.flow_log().await?;
    log.begin_refresh();
    let exchange =
        provider.token(TokenRequest::RefreshToken { refresh_token: refresh_token.expose(), scope: None }).await;
    for step in exchange.steps {
        log.push(step);
    }

    let secure = config.cookie_secure;
    let response = match exchange.result {
        Ok(tokens) => match check_id_token(&provider, &config, &jwks, &session, &mut log, &tokens).await? {
            Ok(id_token) => {
                let (jar, cookies) = handle_tokens(jar, &tokens, secure);
                log.push(
                    FlowStep::new(
                        "Cookies replaced",
                        rfc(9700, "4.14.2"),
                        "The new access token and the rotated refresh token replace the old cookies; the old refresh token is now useless. The page receives only expires_in.",
                    )
                    .outcome(Outcome::Ok)
                    .rows(cookies),
                );
                // Keep logout's copies current: the rotated refresh token
                // (to revoke) and the newest ID token (the logout hint).
                if let Some(mut user) = session.user().await? {
                    if let Some(rotated) = tokens.refresh_token.clone() {
                        user.refresh_token = Some(rotated);
                    }
                    if let Some(id_token) = id_token {
                        user.id_token = id_token;
                    }
                    session.set_user(&user).await?;
                }
                let answer = tokens_answer(jar, &tokens);
                flight.land(refresh_token, Arc::new(tokens));
                answer
            }
            Err(failed) => {
                // The provider's answer names someone else, or is forged:
                // none of its tokens is used, and this browser is logged out
                // here (the rotated refresh token is unknown to it anyway).
                session.clear().await?;
                let jar = clear_tokens(jar, secure);
                let description = format!(
                    "the refresh response's ID token fails OpenID Connect Core §12.2 ({failed}), so its tokens were not used: log in again"
                );
                (jar, json_error(StatusCode::BAD_GATEWAY, ErrorCode::ServerError, &description)).into_response()
            }
        },
        // RFC 6749 §5.2 `invalid_grant`: expired, revoked or already rotated.
        // Nothing more can be done without the user: drop both cookies so
        // the page sends them to log in again.
        Err(e) if e.is_invalid_grant() => {
            log.push(
                FlowStep::new(
                    "Cookies cleared",
                    rfc(6749, "5.2"),
                    "The provider refused the refresh token (invalid_grant), so both cookies were expired and the page was told to log in again.",
                )
                .outcome(Outcome::Failed),
            );
            let jar = clear_tokens(jar, secure);
            let error = json_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidGrant, &e.to_string());
            (jar, error).into_response()
        }
        Err(e @ ProviderError::Rejected { .. }) => {
            json_error(StatusCode::BAD_GATEWAY, ErrorCode::ServerError, &e.to_string())
        }
        Err(e) => json_error(StatusCode::BAD_GATEWAY, ErrorCode::TemporarilyUnavailable, &e.to_string()),
    };
    session.save_flow_log(&log).await?;
    // Written now, while this flight is still ours, so the next flight of
    // this session reads the rotated refresh token (the session layer would
    // save only after the response, and not at all for a 5xx).
    session.persist().await?;
    Ok(response)
}

/// The answer to a successful refresh: new cookies and only `expires_in`.
fn tokens_answer(jar: CookieJar, tokens: &TokenResponse) -> Response {
    let body = Json(json!({ "expires_in": tokens.expires_in }));
    (jar, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// OIDC Core §12.2: an ID token in a refresh response is validated like the
/// first one, and must describe the same login. `Ok(Ok(token))` when it
/// passed (or there is none: "it might not contain an ID Token"),
/// `Ok(Err(rule))` with the first broken rule otherwise.
pub(crate) async fn check_id_token(
    provider: &Provider,
    config: &Config,
    jwks: &JwksCache,
    session: &ClientSession<'_>,
    log: &mut FlowLog,
    tokens: &TokenResponse,
) -> Result<Result<Option<Secret>, String>, AppError> {
    let Some(id_token) = &tokens.id_token else {
        return Ok(Ok(None));
    };
    let original = session.user().await?.and_then(|user| id_token::claims_of(&user.id_token));
    let Some(original) = original else {
        return Ok(Err("this session holds no ID token of the original login to compare with".to_owned()));
    };
    let expected = Expected {
        issuer: &provider.issuer,
        client_id: &config.client_id,
        context: Context::Refresh { original: &original },
        access_token: &tokens.access_token,
        now: shared::now_unix(),
    };
    let report = match id_token::validate(id_token, &expected, jwks).await {
        Ok(report) => report,
        Err(e) => return Ok(Err(e.to_string())),
    };
    log.push(
        FlowStep::new(
            "ID token from the refresh, validated",
            oidc("12.2", "RefreshTokenResponse"),
            "A refresh may return a new ID token. It gets the same checks as the first one, and must describe the same login: same issuer, same user, same audience. It then replaces the old one as the logout hint.",
        )
        .checks(report.checks.iter().cloned())
        .judged(),
    );
    Ok(match report.failed().next() {
        None => Ok(Some(id_token.clone())),
        Some(failed) => Err(failed.rule.clone()),
    })
}

/// Whether the logged-in user of this session holds `refresh_token` (the
/// copy kept current at every rotation). Compared in constant time.
async fn session_owns(session: &ClientSession<'_>, refresh_token: &Secret) -> Result<bool, AppError> {
    let user = session.user().await?;
    let held = user.as_ref().and_then(|u| u.refresh_token.as_ref());
    Ok(held.is_some_and(|held| constant_time_eq(held.expose().as_bytes(), refresh_token.expose().as_bytes())))
}

/// Same-origin check: an `Origin` header equal to the app's public origin,
/// or `Sec-Fetch-Site: same-origin` (Fetch Metadata). Browsers send `Origin`
/// with every POST made by `fetch`, so a missing one means "not a browser
/// page of ours" and is refused too.
pub(crate) fn is_same_origin(headers: &HeaderMap, config: &Config) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let own_origin = url::Url::parse(&config.public_url).map(|u| u.origin().ascii_serialization()).ok();
    let origin_ok = matches!((header(header::ORIGIN.as_str()), own_origin), (Some(origin), Some(own)) if origin == own);
    origin_ok || header("sec-fetch-site") == Some("same-origin")
}
