//! The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core
//! §3.1.2.1), checked in the order that decides how an error may be sent.
//!
//! RFC 6749 §4.1.2.1: "If the request fails due to a missing, invalid, or
//! mismatching redirection URI, or if the client identifier is missing or
//! invalid, the authorization server SHOULD inform the resource owner of the
//! error and MUST NOT automatically redirect the user-agent to the invalid
//! redirection URI." So `client_id` and `redirect_uri` are checked first and
//! fail with a page; once both are known to be good, every other error is
//! sent back to the client at its redirect URI.

use serde::{Deserialize, Serialize};
use shared::pkce::{CodeChallenge, CodeChallengeMethod, PkceError};
use shared::scope::Scopes;
use shared::{ClientId, ErrorCode, RedirectUri, ResponseMode, ResponseType};

use crate::authorization::prompt::Prompt;
use crate::authorization::response::{AuthorizeError, ResponseTarget};
use crate::clients::Client;
use crate::params::Params;
use crate::responses::Via;

/// A request that passed every check.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: ClientId,
    /// Where the response goes (the registered URI that matched).
    pub redirect_uri: RedirectUri,
    /// Whether `redirect_uri` was sent; if so the token request must repeat
    /// it (RFC 6749 §4.1.3).
    pub redirect_uri_sent: bool,
    pub response_mode: ResponseMode,
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Prompt,
    /// OIDC Core §3.1.2.1 `max_age`, in seconds.
    #[serde(default)]
    pub max_age: Option<u64>,
}

impl AuthorizationRequest {
    /// Whether a login made at `auth_time` is too old for this request.
    /// `prompt=login`: "The Authorization Server SHOULD prompt the End-User
    /// for reauthentication." `max_age`: "If the elapsed time is greater than
    /// this value, the OP MUST attempt to actively re-authenticate the
    /// End-User." (OIDC Core §3.1.2.1)
    pub fn needs_fresh_login(&self, auth_time: i64, now: i64) -> bool {
        self.prompt.login || self.max_age.is_some_and(|max| now.saturating_sub(auth_time) > max as i64)
    }

    /// Where the response to this request goes, sent by `issuer` in
    /// answer to a request made `via` GET or POST.
    pub fn target(&self, issuer: &str, via: Via) -> ResponseTarget {
        ResponseTarget {
            redirect_uri: self.redirect_uri.clone(),
            mode: self.response_mode,
            state: self.state.clone(),
            issuer: issuer.to_owned(),
            via,
        }
    }
}

/// The parameters this endpoint reads after `client_id` and `redirect_uri`.
const PARAMETERS: [&str; 11] = [
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "request",
    "request_uri",
];

/// Checks a request against the client's registration. `issuer` and `via`
/// say how an error found after the redirect URI is sent back.
pub fn validate(
    params: &Params,
    issuer: &str,
    via: Via,
    find_client: impl Fn(&str) -> Option<Client>,
) -> Result<(AuthorizationRequest, Client), AuthorizeError> {
    // 1. client_id: missing or unknown → a page, never a redirect.
    if params.is_repeated("client_id") {
        return Err(AuthorizeError::page("Invalid request", "client_id was sent more than once.", "RFC 6749 §3.1"));
    }
    if let Some(problem) = params.problem("client_id") {
        return Err(AuthorizeError::page("Invalid request", format!("client_id {problem}."), "RFC 6749 §4.1.2.1"));
    }
    let client_id = params
        .get("client_id")
        .ok_or_else(|| AuthorizeError::page("Invalid request", "The request has no client_id.", "RFC 6749 §4.1.1"))?;
    let client = find_client(client_id).ok_or_else(|| {
        AuthorizeError::page(
            "Unknown application",
            format!("No client is registered with client_id {client_id:?}."),
            "RFC 6749 §4.1.2.1",
        )
    })?;

    // 2. redirect_uri: exact string match with a registered URI (RFC 9700
    //    §2.1: "exact string matching"); optional only when the client has
    //    exactly one (RFC 6749 §3.1.2.3).
    if params.is_repeated("redirect_uri") {
        return Err(AuthorizeError::page("Invalid request", "redirect_uri was sent more than once.", "RFC 6749 §3.1"));
    }
    if let Some(problem) = params.problem("redirect_uri") {
        return Err(AuthorizeError::page("Invalid request", format!("redirect_uri {problem}."), "RFC 6749 §4.1.2.1"));
    }
    let (redirect_uri, redirect_uri_sent) = match params.get("redirect_uri") {
        Some(sent) => {
            let registered = client.redirect_uris.iter().find(|r| r.as_str() == sent).ok_or_else(|| {
                AuthorizeError::page(
                    "Redirect URI not registered",
                    format!("{sent:?} is not a redirect URI registered for {:?}; it must match one of them exactly, character for character.", client.name),
                    "RFC 6749 §3.1.2.4, RFC 9700 §2.1 (exact string matching)",
                )
            })?;
            (registered.clone(), true)
        }
        None => match client.redirect_uris.as_slice() {
            [only] => (only.clone(), false),
            _ => {
                return Err(AuthorizeError::page(
                    "Invalid request",
                    "The request has no redirect_uri, and the client has several registered, so one must be chosen.",
                    "RFC 6749 §3.1.2.3",
                ));
            }
        },
    };

    // From here on the client and redirect URI are trusted: errors go back
    // to the client. The response mode decides how; a bad one is reported
    // in the default mode, `query`.
    let state = params.get("state").map(str::to_owned);
    let mut target = ResponseTarget {
        redirect_uri: redirect_uri.clone(),
        mode: ResponseMode::Query,
        state: state.clone(),
        issuer: issuer.to_owned(),
        via,
    };
    let fail = |target: &ResponseTarget, code: ErrorCode, description: String| {
        AuthorizeError::redirect(target.clone(), code, description)
    };

    if let Some(name) = PARAMETERS.into_iter().find(|n| params.is_repeated(n)) {
        return Err(fail(
            &target,
            ErrorCode::InvalidRequest,
            format!("{name} was sent more than once (RFC 6749 §3.1)"),
        ));
    }
    // A value that is not usable text is refused by name. (An unreadable
    // `state` is not echoed: it is not a value the client could recognise.)
    if let Some((name, problem)) = PARAMETERS.into_iter().find_map(|n| params.problem(n).map(|p| (n, p))) {
        return Err(fail(&target, ErrorCode::InvalidRequest, format!("{name} {problem}")));
    }

    // OIDC Core §6: "request" and "request_uri" carry the request as a JWT.
    // This server does not support them, and says so rather than silently
    // answering a different request: §6.1 "request_not_supported", §6.2
    // "request_uri_not_supported" (error codes of OIDC Core §3.1.2.6).
    if params.was_sent("request") {
        return Err(fail(
            &target,
            ErrorCode::RequestNotSupported,
            "request objects are not supported here (request_parameter_supported is false); send the parameters themselves (OIDC Core §6.1)".into(),
        ));
    }
    if params.was_sent("request_uri") {
        return Err(fail(
            &target,
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported here (request_uri_parameter_supported is false); send the parameters themselves (OIDC Core §6.2)".into(),
        ));
    }

    // 3. response_mode: only the modes this client registered (ASVS 10.4.12).
    let response_mode = match params.get("response_mode") {
        None => ResponseMode::Query,
        Some(raw) => match ResponseMode::parse(raw) {
            Some(mode) if client.response_modes.contains(&mode) => mode,
            Some(mode) => {
                return Err(fail(
                    &target,
                    ErrorCode::InvalidRequest,
                    format!("response_mode {mode} is not registered for this client"),
                ));
            }
            None => {
                return Err(fail(
                    &target,
                    ErrorCode::InvalidRequest,
                    format!("unknown response_mode {raw:?}; use query, fragment or form_post"),
                ));
            }
        },
    };
    target.mode = response_mode;

    // 4. response_type: the code flow only. The implicit flow (`token`) is
    //    gone: RFC 9700 §2.1.2 "Clients SHOULD NOT use the implicit grant".
    match params.get("response_type").map(|raw| (raw, ResponseType::parse(raw))) {
        None => {
            return Err(fail(
                &target,
                ErrorCode::InvalidRequest,
                "response_type is required; use response_type=code (RFC 6749 §4.1.1)".into(),
            ));
        }
        Some((_, Some(response_type))) if client.response_types.contains(&response_type) => {}
        Some((_, Some(_))) => {
            return Err(fail(
                &target,
                ErrorCode::UnauthorizedClient,
                "this client is not registered for the authorization code flow".into(),
            ));
        }
        Some((other, None)) => {
            return Err(fail(
                &target,
                ErrorCode::UnsupportedResponseType,
                format!(
                    "response_type {other:?} is not supported; only \"code\" is (the implicit grant is deprecated by RFC 9700 §2.1.2)"
                ),
            ));
        }
    }

    // 5. scope: well-formed, and only scopes the client is registered for
    //    (RFC 6749 §3.3; ASVS 10.4.11: no silently widened tokens).
    //    RFC 6749 §3.3: "If the client omits the scope parameter when
    //    requesting authorization, the authorization server MUST either
    //    process the request using a pre-defined default value or fail the
    //    request indicating an invalid scope." This server has no default,
    //    so it fails. A scope of only spaces parses to no scope at all, and
    //    is the same as none: the empty set is a subset of every consent,
    //    and must never pass for one.
    let scope = match params.get("scope").map(Scopes::parse).transpose() {
        Err(e) => return Err(fail(&target, ErrorCode::InvalidScope, e.to_string())),
        Ok(Some(scope)) if !scope.is_empty() => scope,
        Ok(_) => {
            return Err(fail(
                &target,
                ErrorCode::InvalidScope,
                "scope is required and must name at least one scope; this server has no default scope (RFC 6749 §3.3)"
                    .into(),
            ));
        }
    };
    if !scope.is_subset_of(&client.scopes) {
        let extra = scope.difference(&client.scopes);
        return Err(fail(
            &target,
            ErrorCode::InvalidScope,
            format!("scope {extra} is not registered for this client (RFC 6749 §3.3)"),
        ));
    }

    // 6. PKCE (RFC 7636 §4.3), S256 only.
    let code_challenge = match (params.get("code_challenge"), params.get("code_challenge_method")) {
        (None, Some(_)) => {
            return Err(fail(
                &target,
                ErrorCode::InvalidRequest,
                "code_challenge_method was sent without code_challenge (RFC 7636 §4.3)".into(),
            ));
        }
        (None, None) if client.require_pkce => {
            let why = if client.is_public() {
                "public clients must use PKCE (RFC 9700 §2.1.1)"
            } else {
                "this client is registered with require_pkce"
            };
            return Err(fail(
                &target,
                ErrorCode::InvalidRequest,
                format!(
                    "code_challenge is required: {why}; send code_challenge and code_challenge_method=S256 (RFC 7636 §4.3)"
                ),
            ));
        }
        (None, None) => None,
        (Some(challenge), method) => {
            check_challenge_method(method).map_err(|d| fail(&target, ErrorCode::InvalidRequest, d))?;
            Some(CodeChallenge::parse(challenge).map_err(|e: PkceError| {
                fail(
                    &target,
                    ErrorCode::InvalidRequest,
                    e.to_string().replace("code_challenge", "code_challenge (BASE64URL(SHA256(verifier)), 43 chars)"),
                )
            })?)
        }
    };

    // 7. OIDC: nonce (bound into the ID token) and prompt.
    let nonce = params.get("nonce").map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > 512) {
        return Err(fail(&target, ErrorCode::InvalidRequest, "nonce is longer than 512 characters".into()));
    }
    let prompt = Prompt::parse(params.get("prompt")).map_err(|d| fail(&target, ErrorCode::InvalidRequest, d))?;
    // OIDC Core §3.1.2.1 max_age: "Specifies the allowable elapsed time in
    // seconds since the last time the End-User was actively authenticated".
    let max_age = params
        .get("max_age")
        .map(|raw| {
            raw.parse::<u64>().map_err(|_| {
                fail(
                    &target,
                    ErrorCode::InvalidRequest,
                    format!("max_age {raw:?} is not a number of seconds (OIDC Core §3.1.2.1)"),
                )
            })
        })
        .transpose()?;

    Ok((
        AuthorizationRequest {
            client_id: client.id.clone(),
            redirect_uri,
            redirect_uri_sent,
            response_mode,
            scope,
            state,
            nonce,
            code_challenge,
            prompt,
            max_age,
        },
        client,
    ))
}

/// RFC 7636 §4.3: "code_challenge_method: OPTIONAL, defaults to "plain" if
/// not present in the request." This server accepts S256 only, so both an
/// absent method and `plain` are refused, as are misspellings.
fn check_challenge_method(method: Option<&str>) -> Result<CodeChallengeMethod, String> {
    match method.map(|raw| (raw, CodeChallengeMethod::parse(raw))) {
        Some((_, Some(method))) => Ok(method),
        None => Err("code_challenge_method is missing, which means \"plain\" (RFC 7636 §4.3); this server only accepts code_challenge_method=S256".into()),
        Some(("plain", None)) => Err("code_challenge_method=plain is not accepted; use S256 (RFC 7636 §4.2, RFC 9700 §2.1.1)".into()),
        Some((other, None)) => Err(format!("code_challenge_method {other:?} is not supported; RFC 7636 §4.2 spells it S256")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_methods() {
        assert!(check_challenge_method(Some("S256")).is_ok());
        assert!(check_challenge_method(Some("SHA-256")).unwrap_err().contains("spells it S256"));
        assert!(check_challenge_method(Some("plain")).is_err());
        assert!(check_challenge_method(None).unwrap_err().contains("plain"));
    }
}
