//! Steps 2–4: the authorization response arrives at the redirect URI, the
//! code is exchanged for tokens, the ID token is checked and the tokens are
//! handed to the browser as cookies.
//!
//! RFC 6749 §4.1.2 (the response), RFC 9207 (`iss`), §4.1.3 with RFC 7636
//! §4.5 (the token request), OIDC Core §3.1.3.7 (the ID token), then the
//! article's `handleTokens` and a 303 to `/`, so the code leaves the
//! address bar.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use shared::jwks::{JwksCache, KeyLookupError};
use shared::secret::constant_time_eq;
use shared::{Secret, TokenRequest, TokenResponse};
use tower_sessions::Session;

use crate::config::{Config, TokenDelivery};
use crate::cookies::handle_tokens;
use crate::error::AppError;
use crate::extract::Params;
use crate::flow_log::{Check, FlowLog, FlowStep, Outcome, mask, oidc, rfc};
use crate::id_token::{self, Context, Expected, IdTokenReport};
use crate::provider::Provider;
use crate::session::{ClientSession, LoggedInUser};

/// The authorization response: RFC 6749 §4.1.2 (success), §4.1.2.1 (error),
/// RFC 9207 §2 (`iss`). Every field is optional so that each absence gets
/// its own explanation instead of a generic rejection.
#[derive(Deserialize)]
pub struct AuthorizationResponse {
    code: Option<Secret>,
    state: Option<Secret>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /callback`: 303 to `/` with the token cookies, or an error page.
pub async fn callback(
    State(config): State<Arc<Config>>,
    State(provider): State<Arc<Provider>>,
    State(jwks): State<JwksCache>,
    session: Session,
    jar: CookieJar,
    Params(response): Params<AuthorizationResponse>,
) -> Result<Response, AppError> {
    let session = ClientSession(&session);
    let mut log = session.flow_log().await?;
    let outcome = complete_login(&config, &provider, &jwks, &session, &mut log, response).await;
    session.save_flow_log(&log).await?;
    match outcome {
        Ok((tokens, user)) => {
            let jar = match config.token_delivery {
                TokenDelivery::Cookies => {
                    let (jar, cookies) = handle_tokens(jar, &tokens, config.cookie_secure);
                    log.push(
                        FlowStep::new(
                            "Cookies set (handleTokens)",
                            rfc(6265, "4.1.2"),
                            "The tokens go to the browser as HttpOnly cookies, which page scripts cannot read. Then a 303 to / takes the code out of the address bar.",
                        )
                        .outcome(Outcome::Ok)
                        .rows(cookies),
                    );
                    jar
                }
                TokenDelivery::Bff => {
                    log.push(
                        FlowStep::new(
                            "Tokens kept in the server-side session (BFF)",
                            rfc(6749, "10.3"),
                            "BFF mode: no token goes to the browser, not even as a cookie. The page calls /api/todos on this app, which adds the access token. Then a 303 to / takes the code out of the address bar.",
                        )
                        .outcome(Outcome::Ok),
                    );
                    jar
                }
            };
            session.save_flow_log(&log).await?;
            session.log_in(&user).await?;
            let headers = [(header::CACHE_CONTROL, "no-store")];
            Ok((jar, headers, Redirect::to("/")).into_response())
        }
        Err(error) => {
            // A 5xx answer is not saved by the session layer; the consumed
            // state and the record of what went wrong must be.
            session.persist().await?;
            Err(error)
        }
    }
}

/// The checks and the exchange, each recorded in `log`.
async fn complete_login(
    config: &Config,
    provider: &Provider,
    jwks: &JwksCache,
    session: &ClientSession<'_>,
    log: &mut FlowLog,
    response: AuthorizationResponse,
) -> Result<(TokenResponse, LoggedInUser), AppError> {
    let mut received = FlowStep::new(
        "Authorization response (callback)",
        rfc(6749, "4.1.2"),
        "The provider redirected the browser back to the redirect URI with these query parameters.",
    );
    for (name, value) in [
        ("code", response.code.as_ref().map(|c| mask(c.expose()))),
        ("state", response.state.as_ref().map(|s| mask(s.expose()))),
        ("iss", response.iss.clone()),
        ("error", response.error.clone()),
        ("error_description", response.error_description.clone()),
    ] {
        if let Some(value) = value {
            received = received.row(name, value, "");
        }
    }

    // The pending authorization is removed as it is read: whatever happens
    // next, this state can never be used again (single use).
    let Some(pending) = session.take_authorization().await? else {
        log.push(
            received
                .checks([Check::new(
                    "this browser's session holds a login in progress",
                    rfc(6749, "10.12"),
                    false,
                    "no pending authorization: the session cookie was not sent, expired, or the state was already used",
                )])
                .judged(),
        );
        return Err(AppError::NoPendingAuthorization);
    };

    // RFC 6749 §10.12: "The client MUST implement CSRF protection for its
    // redirection URI. [...] The binding value used for CSRF protection MUST
    // contain a non-guessable value, and the user-agent's authenticated state
    // (e.g., session cookie [...]) MUST be kept in a location accessible only
    // to the client and the user-agent." Compared in constant time.
    let state_ok = response
        .state
        .as_ref()
        .is_some_and(|s| constant_time_eq(s.expose().as_bytes(), pending.state.expose().as_bytes()));
    let mut checks = vec![Check::new(
        "state equals the one stored in this browser's session",
        rfc(6749, "10.12"),
        state_ok,
        match (&response.state, state_ok) {
            (None, _) => "no state in the callback",
            (Some(_), true) => "matches; now consumed",
            (Some(_), false) => "differs from the session's state",
        },
    )];

    // RFC 9207 §2.4: "Clients [...] MUST compare the value of the iss
    // parameter to the issuer identifier of the authorization server where
    // the authorization request was sent. [...] If the values do not
    // match, the client MUST NOT proceed with the authorization." And:
    // "Clients MUST reject authorization responses without the iss
    // parameter from authorization servers that do support the parameter
    // according to the client's configuration" — here, according to the
    // provider's metadata (`authorization_response_iss_parameter_supported`,
    // RFC 9207 §3).
    let issuer = &provider.issuer;
    let metadata = match provider.metadata().await {
        Ok(metadata) => metadata,
        Err(e) => {
            log.push(received.checks(checks).judged());
            return Err(e.into());
        }
    };
    let iss_required = metadata.authorization_response_iss_parameter_supported;
    let iss_ok = match &response.iss {
        Some(iss) => iss == issuer,
        None => !iss_required,
    };
    checks.push(Check::new(
        "iss is the provider this login was sent to (required when its metadata says it sends iss)",
        rfc(9207, "2.4"),
        iss_ok,
        match (&response.iss, iss_required) {
            (None, true) => {
                "absent, but the provider's metadata says authorization_response_iss_parameter_supported: refused"
                    .to_owned()
            }
            (None, false) => "absent (accepted: the provider's metadata does not promise iss)".to_owned(),
            (Some(iss), _) => format!("iss = {iss:?}, expected {issuer:?}"),
        },
    ));
    log.push(received.checks(checks).judged());

    if !state_ok {
        return Err(AppError::StateMismatch { received: response.state.is_some() });
    }
    match response.iss {
        Some(iss) if !iss_ok => return Err(AppError::IssuerMismatch { expected: issuer.clone(), received: iss }),
        None if !iss_ok => return Err(AppError::MissingIssuer { expected: issuer.clone() }),
        _ => {}
    }
    // RFC 6749 §4.1.2.1: the user or the provider said no.
    if let Some(error) = response.error {
        return Err(AppError::Authorization { error, description: response.error_description });
    }
    let code = response.code.ok_or(AppError::MissingCode)?;

    // RFC 6749 §4.1.3, over the back channel, with the PKCE verifier.
    let exchange = provider
        .token(TokenRequest::AuthorizationCode {
            code: code.expose(),
            redirect_uri: Some(config.redirect_uri.as_str()),
            code_verifier: Some(pending.code_verifier.expose()),
        })
        .await;
    for step in exchange.steps {
        log.push(step);
    }
    let tokens = exchange.result?;

    // OIDC Core §3.1.3.3: with `openid` in the scope, "an ID Token MUST be
    // returned" alongside the access token.
    let Some(id_token) = tokens.id_token.as_ref() else {
        return Err(AppError::MissingIdToken);
    };
    let expected = Expected {
        issuer,
        client_id: &config.client_id,
        context: Context::Login { nonce: &pending.nonce },
        access_token: &tokens.access_token,
        now: shared::now_unix(),
    };
    let report = id_token::validate(id_token, &expected, jwks).await.map_err(|e| match e {
        KeyLookupError::Unavailable { url, reason } => AppError::JwksUnavailable { url, reason },
        other => AppError::JwksUnavailable { url: jwks.url().to_owned(), reason: other.to_string() },
    })?;
    record_tokens(log, &report, &tokens);

    let Some(claims) = report.verified() else {
        return Err(AppError::IdTokenRejected { failed: report.failed().cloned().collect() });
    };
    let user = LoggedInUser {
        subject: claims.sub.clone(),
        display_name: claims
            .name
            .clone()
            .or_else(|| claims.preferred_username.clone())
            .unwrap_or_else(|| claims.sub.clone()),
        id_token: id_token.clone(),
        refresh_token: tokens.refresh_token.clone(),
        access_token: (config.token_delivery == TokenDelivery::Bff).then(|| tokens.access_token.clone()),
    };
    Ok((tokens, user))
}

/// The ID token's checks, and both tokens decoded, for the inspector.
fn record_tokens(log: &mut FlowLog, report: &IdTokenReport, tokens: &TokenResponse) {
    log.push(
        FlowStep::new(
            "ID token validation",
            oidc("3.1.3.7", "IDTokenValidation"),
            "Before believing who logged in, the client checks the ID token rule by rule. Any failed check rejects it.",
        )
        .checks(report.checks.iter().cloned())
        .judged(),
    );
    let mut decoded = FlowStep::new(
        "Tokens, decoded",
        rfc(7519, "3"),
        "A JWT is base64url(header).base64url(claims).signature: anyone holding it can read it, which is why tokens stay in HttpOnly cookies.",
    );
    if let Some((header, claims)) = &report.decoded {
        decoded = decoded.block("ID token header", pretty(header)).block("ID token claims", pretty(claims));
    }
    decoded = match id_token::decode_unverified(tokens.access_token.expose()) {
        Some((header, claims)) => decoded
            .block("Access token header (RFC 9068: typ at+jwt)", pretty(&header))
            .block("Access token claims (for the todo API, not for this client)", pretty(&claims)),
        None => decoded.row("access_token", "opaque (not a JWT)", "only the resource server can make sense of it"),
    };
    log.push(decoded);
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
