//! BFF mode (`CLIENT_TOKEN_DELIVERY=bff`): the page's todo calls, forwarded.
//!
//! The Backend For Frontend pattern of "OAuth 2.0 for Browser-Based
//! Applications" (draft-ietf-oauth-browser-based-apps §6.1): the tokens never
//! leave this server. The page calls `GET|POST /api/todos` and
//! `PATCH|DELETE /api/todos/{id}` on its own origin, with nothing but its
//! session cookie; this module adds `Authorization: Bearer` with the
//! session's access token (RFC 6750 §2.1) and forwards the call to the todo
//! API. When the API answers 401 (the access token expired or was revoked),
//! the client refreshes server-side (RFC 6749 §6) and tries once more.
//!
//! The session cookie is what authorizes these calls, so, like
//! `POST /refreshtoken`, they refuse requests that another site's page made
//! (cross-site request forgery): only same-origin requests are forwarded.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use shared::{ErrorCode, Secret, TokenRequest};
use tower_sessions::Session;
use tower_sessions::session::Id;

use crate::error::AppError;
use crate::flow_log::{FlowLog, FlowStep, Outcome, SpecRef, rfc};
use crate::json_error::{JsonError, json_error};
use crate::routes::refresh::{check_id_token, is_same_origin};
use crate::session::{ClientSession, LoggedInUser};
use crate::state::RefreshParts;

/// What the todo API answered.
struct Forwarded {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    www_authenticate: Option<HeaderValue>,
    /// `Link: <…>; rel="next"` when the list has another page (RFC 8288):
    /// the page reads it to say that older todos exist.
    link: Option<HeaderValue>,
    body: Bytes,
}

/// `GET|POST /api/todos`, `PATCH|DELETE /api/todos/{id}`: the todo API's
/// answer, passed through; 401 `login_required` when this session has no
/// usable login; 403 for a cross-origin request; 502 when the todo API or
/// the provider cannot be reached; 500 when the session store fails. Every
/// error is JSON ([`crate::json_error`]).
pub async fn forward(
    State(refresh): State<RefreshParts>,
    State(http): State<reqwest::Client>,
    session: Session,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, JsonError> {
    if !is_same_origin(&headers, &refresh.config) {
        return Ok(json_error(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidRequest,
            "/api/ accepts only requests from this app's own pages (Origin or Sec-Fetch-Site: same-origin)",
        ));
    }
    let path = uri.path().strip_prefix("/api").unwrap_or(uri.path());
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let target = format!("{}{path}{query}", refresh.config.todo_api_internal_url);

    let Some(session_id) = session.id() else {
        return Ok(login_required("this browser has no session"));
    };
    let session = ClientSession(&session);
    let Some(user) = session.user().await? else {
        return Ok(login_required("nobody is logged in in this browser"));
    };
    let Some(access_token) = user.access_token.clone() else {
        return Ok(login_required("this session holds no access token"));
    };
    let content_type = headers.get(header::CONTENT_TYPE).cloned();
    let mut log = session.flow_log().await?;
    log.begin(format!("API call: {method} {path}"));

    let mut answer = send(&http, &method, &target, &access_token, content_type.as_ref(), &body).await;
    record(&mut log, &method, &target, &answer);
    if matches!(&answer, Ok(forwarded) if forwarded.status == StatusCode::UNAUTHORIZED) {
        match refresh_server_side(&refresh, session_id, &session, &mut log, &user).await? {
            Ok(renewed) => {
                answer = send(&http, &method, &target, &renewed, content_type.as_ref(), &body).await;
                record(&mut log, &method, &target, &answer);
            }
            Err(refused) => {
                session.save_flow_log(&log).await?;
                return Ok(refused);
            }
        }
    }
    session.save_flow_log(&log).await?;

    Ok(match answer {
        Ok(forwarded) => {
            let mut response = (forwarded.status, forwarded.body).into_response();
            let response_headers = response.headers_mut();
            response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            for (name, value) in [
                (header::CONTENT_TYPE, forwarded.content_type),
                (header::WWW_AUTHENTICATE, forwarded.www_authenticate),
                (header::LINK, forwarded.link),
            ] {
                if let Some(value) = value {
                    response_headers.insert(name, value);
                }
            }
            response
        }
        Err(reason) => json_error(StatusCode::BAD_GATEWAY, ErrorCode::TemporarilyUnavailable, &reason),
    })
}

/// The call, with the session's access token as a Bearer credential
/// (RFC 6750 §2.1: `Authorization: Bearer <token>`).
async fn send(
    http: &reqwest::Client,
    method: &Method,
    target: &str,
    access_token: &Secret,
    content_type: Option<&HeaderValue>,
    body: &Bytes,
) -> Result<Forwarded, String> {
    let mut request = http.request(method.clone(), target).bearer_auth(access_token.expose());
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type.clone());
    }
    if !body.is_empty() {
        request = request.body(body.clone());
    }
    let response = request.send().await.map_err(|e| format!("the todo API at {target} could not be reached: {e}"))?;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let www_authenticate = response.headers().get(header::WWW_AUTHENTICATE).cloned();
    let link = response.headers().get(header::LINK).cloned();
    let body = response.bytes().await.map_err(|e| format!("the todo API's answer broke off: {e}"))?;
    Ok(Forwarded { status, content_type, www_authenticate, link, body })
}

/// RFC 6749 §6, server-side: the session's refresh token for new tokens,
/// kept in the session. One exchange per session at a time, as for
/// `POST /refreshtoken` (see [`crate::refresh_flight`]). `Ok(Err(answer))`
/// when there is nothing to retry with.
async fn refresh_server_side(
    refresh: &RefreshParts,
    session_id: Id,
    session: &ClientSession<'_>,
    log: &mut FlowLog,
    user: &LoggedInUser,
) -> Result<Result<Secret, Response>, AppError> {
    let RefreshParts { config, provider, jwks, flights } = refresh;
    let Some(refresh_token) = user.refresh_token.clone() else {
        return Ok(Err(login_required("the access token was refused and this session holds no refresh token")));
    };
    let mut flight = flights.enter(session_id).await;
    if let Some(tokens) = flight.landed_for(&refresh_token) {
        // Another call of this session refreshed a moment ago.
        return Ok(Ok(tokens.access_token.clone()));
    }
    log.begin_refresh();
    let exchange =
        provider.token(TokenRequest::RefreshToken { refresh_token: refresh_token.expose(), scope: None }).await;
    for step in exchange.steps {
        log.push(step);
    }
    let tokens = match exchange.result {
        Ok(tokens) => tokens,
        // Expired, revoked or already rotated: only a new login helps.
        Err(e) if e.is_invalid_grant() => {
            let mut user = session.user().await?.unwrap_or_else(|| user.clone());
            user.access_token = None;
            user.refresh_token = None;
            session.set_user(&user).await?;
            return Ok(Err(login_required(&format!("the provider refused the refresh token ({e})"))));
        }
        Err(e) => {
            return Ok(Err(json_error(StatusCode::BAD_GATEWAY, ErrorCode::TemporarilyUnavailable, &e.to_string())));
        }
    };
    let id_token = match check_id_token(provider, config, jwks, session, log, &tokens).await? {
        Ok(id_token) => id_token,
        Err(failed) => {
            session.clear().await?;
            let description = format!(
                "the refresh response's ID token fails OpenID Connect Core §12.2 ({failed}), so its tokens were not used: log in again"
            );
            return Ok(Err(json_error(StatusCode::BAD_GATEWAY, ErrorCode::ServerError, &description)));
        }
    };
    let mut renewed = session.user().await?.unwrap_or_else(|| user.clone());
    renewed.access_token = Some(tokens.access_token.clone());
    if let Some(rotated) = tokens.refresh_token.clone() {
        renewed.refresh_token = Some(rotated);
    }
    if let Some(id_token) = id_token {
        renewed.id_token = id_token;
    }
    session.set_user(&renewed).await?;
    log.push(
        FlowStep::new(
            "Tokens replaced in the session",
            rfc(9700, "4.14.2"),
            "The new access token and the rotated refresh token replace the old ones in the server-side session. The browser is sent nothing.",
        )
        .outcome(Outcome::Ok),
    );
    // Written while this flight is still ours (see POST /refreshtoken).
    session.persist().await?;
    let access_token = tokens.access_token.clone();
    flight.land(refresh_token, Arc::new(tokens));
    Ok(Ok(access_token))
}

/// One forwarded call, for the flow inspector.
fn record(log: &mut FlowLog, method: &Method, target: &str, answer: &Result<Forwarded, String>) {
    let step = FlowStep::new(
        "API call forwarded (BFF)",
        bff_spec(),
        "The page called this app on its own origin; the app added the access token from the server-side session and called the todo API, server to server.",
    )
    .row("request", format!("{method} {target}"), "back channel to the todo API")
    .row("Authorization", "Bearer [redacted]", "RFC 6750 §2.1: the session's access token");
    log.push(match answer {
        Ok(forwarded) => step
            .row("status", forwarded.status.as_u16().to_string(), "the todo API's answer, passed to the page")
            .outcome(if forwarded.status.is_success() { Outcome::Ok } else { Outcome::Failed }),
        Err(reason) => step.row("error", reason.clone(), "").outcome(Outcome::Failed),
    });
}

/// "OAuth 2.0 for Browser-Based Applications", the BFF pattern.
fn bff_spec() -> SpecRef {
    SpecRef {
        label: "OAuth 2.0 for Browser-Based Apps §6.1 (BFF)".into(),
        url: "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1".into(),
    }
}

/// OIDC Core §3.1.2.6 `login_required`: only a new login helps.
fn login_required(why: &str) -> Response {
    json_error(StatusCode::UNAUTHORIZED, ErrorCode::LoginRequired, &format!("{why}: log in again"))
}
