//! Client authentication (RFC 6749 §2.3), for the token, introspection and
//! revocation endpoints.
//!
//! Three methods (RFC 7591 §2): `client_secret_basic` (HTTP Basic),
//! `client_secret_post` (`client_id` and `client_secret` in the body) and
//! `none` (a public client names itself with `client_id` and proves nothing;
//! PKCE protects its codes). A client may only use the methods it is
//! registered for.

use axum::http::{HeaderMap, header};
use base64::Engine;
use shared::ClientAuthMethod;

use crate::clients::Client;
use crate::state::AppState;
use crate::token_error::TokenError;
use crate::token_request::FormParams;

/// The credentials a request presented.
struct Presented {
    method: ClientAuthMethod,
    client_id: String,
    secret: Option<String>,
}

/// Authenticates the client of a request, or fails with `invalid_client`
/// (401, with a Basic challenge when Basic was tried).
pub async fn authenticate(state: &AppState, headers: &HeaderMap, params: &FormParams) -> Result<Client, TokenError> {
    let presented = presented_credentials(headers, params)?;
    let basic = presented.method == ClientAuthMethod::ClientSecretBasic;
    let fail = |description: String| TokenError::invalid_client(description, basic);

    // RFC 6749 §2.3.1: "the authorization server MUST protect the endpoint
    // against brute force attacks" — failures are counted per client id.
    let throttle_key = format!("client:{}", presented.client_id);
    if let Some(wait) = state.client_throttle.check(&throttle_key) {
        let mut error = fail(format!("too many failed authentications for this client; retry in {wait} s"));
        error.retry_after = Some(wait);
        return Err(error);
    }

    let Some(client) = state.client(&presented.client_id) else {
        state.client_throttle.fail(&throttle_key);
        return Err(fail(format!("unknown client_id {:?}", presented.client_id)));
    };
    if !client.auth_methods.contains(&presented.method) {
        let registered: Vec<_> = client.auth_methods.iter().map(|m| m.as_str()).collect();
        return Err(fail(format!(
            "client {} authenticated with {}, but is registered for {}",
            client.id,
            presented.method,
            registered.join(", ")
        )));
    }
    if presented.method == ClientAuthMethod::None {
        return Ok(client);
    }
    let secret = presented.secret.unwrap_or_default();
    let verified = match &client.secret_hash {
        Some(hash) => state.secrets.verify(client.id.as_str(), &secret, hash).await,
        None => false,
    };
    if !verified {
        state.client_throttle.fail(&throttle_key);
        return Err(fail(format!("client secret of {} does not match", client.id)));
    }
    Ok(client)
}

/// Authenticates a confidential client: RFC 7662 §2.1 wants the
/// introspection endpoint closed to anonymous callers, and a public client's
/// `client_id` proves nothing.
pub async fn authenticate_confidential(
    state: &AppState,
    headers: &HeaderMap,
    params: &FormParams,
) -> Result<Client, TokenError> {
    let client = authenticate(state, headers, params).await?;
    if client.is_public() {
        return Err(TokenError::invalid_client(
            format!(
                "client {} is public; introspection needs a confidential client's credentials (RFC 7662 §2.1)",
                client.id
            ),
            false,
        ));
    }
    Ok(client)
}

fn presented_credentials(headers: &HeaderMap, params: &FormParams) -> Result<Presented, TokenError> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(value) = authorization {
        let (id, secret) = parse_basic(value)?;
        // RFC 6749 §2.3: "The client MUST NOT use more than one
        // authentication method in each request."
        if params.has("client_secret") {
            return Err(TokenError::invalid_request(
                "the client authenticated twice (HTTP Basic and client_secret in the body); use one method (RFC 6749 §2.3)",
            ));
        }
        if params.get("client_id").is_some_and(|body_id| body_id != id) {
            return Err(TokenError::invalid_client("client_id in the body differs from the one in HTTP Basic", true));
        }
        return Ok(Presented { method: ClientAuthMethod::ClientSecretBasic, client_id: id, secret: Some(secret) });
    }
    let client_id = params.get("client_id").ok_or_else(|| {
        TokenError::invalid_client(
            "no client authentication: send HTTP Basic credentials, or client_id (and client_secret) in the body (RFC 6749 §2.3.1)",
            false,
        )
    })?;
    match params.get("client_secret") {
        Some(secret) => Ok(Presented {
            method: ClientAuthMethod::ClientSecretPost,
            client_id: client_id.to_owned(),
            secret: Some(secret.to_owned()),
        }),
        None => Ok(Presented { method: ClientAuthMethod::None, client_id: client_id.to_owned(), secret: None }),
    }
}

/// RFC 6749 §2.3.1: "The client identifier is encoded using the
/// "application/x-www-form-urlencoded" encoding algorithm per Appendix B,
/// and the encoded value is used as the username; the client password is
/// encoded using the same algorithm and used as the password."
fn parse_basic(value: &str) -> Result<(String, String), TokenError> {
    let bad = |why: &str| {
        TokenError::invalid_client(format!("malformed HTTP Basic credentials: {why} (RFC 7617, RFC 6749 §2.3.1)"), true)
    };
    let (scheme, encoded) = value.split_once(' ').ok_or_else(|| bad("expected \"Basic <base64>\""))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad("only the Basic scheme authenticates clients here"));
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| bad("not base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad("not UTF-8"))?;
    let (id, secret) = decoded.split_once(':').ok_or_else(|| bad("no ':' between id and secret"))?;
    let form_decode = |s: &str| -> String {
        percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
    };
    Ok((form_decode(id), form_decode(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_url_decoded() {
        let encoded = base64::engine::general_purpose::STANDARD.encode("my%20client:p%40ss+word");
        let (id, secret) = parse_basic(&format!("Basic {encoded}")).unwrap();
        assert_eq!(id, "my client");
        assert_eq!(secret, "p@ss word");
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(parse_basic("Bearer abc").is_err());
        assert!(parse_basic("Basic !!!").is_err());
    }
}
