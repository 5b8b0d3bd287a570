//! Client authentication (RFC 6749 §2.3), for the token, introspection and
//! revocation endpoints.
//!
//! Three methods (RFC 7591 §2): `client_secret_basic` (HTTP Basic),
//! `client_secret_post` (`client_id` and `client_secret` in the body) and
//! `none` (a public client names itself with `client_id` and proves nothing;
//! PKCE protects its codes). A client may only use the methods it is
//! registered for.

use std::net::IpAddr;

use axum::http::{HeaderMap, header};
use shared::ClientAuthMethod;

use crate::clients::Client;
use crate::params::Params;
use crate::state::ClientAuth;
use crate::throttle::{self, Key, Refused};
use crate::token::error::TokenError;

/// The credentials a request presented.
struct Presented {
    method: ClientAuthMethod,
    client_id: String,
    secret: Option<String>,
}

/// The longest `client_id` looked at. Registered ids are short; a longer
/// one is refused before any lookup or counter is touched.
pub const MAX_CLIENT_ID_BYTES: usize = 128;

/// Authenticates the client of a request from `address`, or fails with
/// `invalid_client` (401, with a Basic challenge when Basic was tried).
///
/// RFC 6749 §2.3.1: "the authorization server MUST protect the endpoint
/// against brute force attacks". Guesses are counted per client *and*
/// address (`throttle::Key::Client`), when they start; an unknown client
/// has no secret to guess and leaves no trace; a secret already verified
/// is recognised by its digest and never waits.
pub async fn authenticate(
    auth: &ClientAuth,
    address: IpAddr,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, TokenError> {
    let presented = presented_credentials(headers, params)?;
    let basic = presented.method == ClientAuthMethod::ClientSecretBasic;
    let fail = |description: String| TokenError::invalid_client(description, basic);

    if presented.client_id.len() > MAX_CLIENT_ID_BYTES {
        return Err(fail(format!("client_id is longer than {MAX_CLIENT_ID_BYTES} bytes; no client has such an id")));
    }
    let Some(client) = auth.clients.find(&presented.client_id) else {
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
    let Some(hash) = &client.secret_hash else {
        return Err(fail(format!("client {} has no secret", client.id)));
    };
    if auth.secrets.is_known(client.id.as_str(), &secret) {
        return Ok(client);
    }

    let key = Key::Client { client_id: client.id.to_string(), address };
    let attempt = match auth.throttle.begin(&[(key, throttle::CLIENT_RULE)]).await? {
        Ok(attempt) => attempt,
        Err(Refused { retry_after }) => {
            let mut error = fail(format!(
                "too many failed authentications for client {} from this address; retry in {retry_after} s \
                 (RFC 6749 §2.3.1)",
                client.id
            ));
            error.retry_after = Some(retry_after);
            return Err(error);
        }
    };
    if !auth.secrets.verify(client.id.as_str(), &secret, hash).await {
        return Err(fail(format!("client secret of {} does not match", client.id)));
    }
    auth.throttle.succeeded(attempt).await?;
    Ok(client)
}

/// Authenticates a client that may introspect tokens. RFC 7662 §2.1: "the
/// endpoint MUST also require some form of authorization to access this
/// endpoint", and §4: the authorization server decides who may learn what
/// a token is — here, clients registered with `may_introspect = true` (a
/// public client's `client_id` proves nothing, so it never may).
pub async fn authenticate_introspector(
    auth: &ClientAuth,
    address: IpAddr,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, TokenError> {
    let client = authenticate(auth, address, headers, params).await?;
    if client.is_public() {
        return Err(TokenError::invalid_client(
            format!("client {} is public; introspection needs a client's credentials (RFC 7662 §2.1)", client.id),
            false,
        ));
    }
    if !client.may_introspect {
        return Err(TokenError::new(
            shared::ErrorCode::UnauthorizedClient,
            format!(
                "client {} is not registered to introspect tokens (may_introspect in the clients file; RFC 7662 §4)",
                client.id
            ),
        ));
    }
    Ok(client)
}

fn presented_credentials(headers: &HeaderMap, params: &Params) -> Result<Presented, TokenError> {
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

/// The credentials of an `Authorization: Basic` header, decoded as RFC 6749
/// §2.3.1 says ([`shared::basic_credentials`]).
fn parse_basic(value: &str) -> Result<(String, String), TokenError> {
    shared::basic_credentials::decode(value).map_err(|why| {
        TokenError::invalid_client(format!("malformed HTTP Basic credentials: {why} (RFC 7617, RFC 6749 §2.3.1)"), true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The encoding itself (RFC 6749 §2.3.1) is tested in
    // shared::basic_credentials; here, what the token endpoint makes of it.

    #[test]
    fn credentials_the_client_library_sends_are_read_back() {
        let header = shared::basic_credentials::encode("my client", "p@ss word");
        assert_eq!(parse_basic(&header).unwrap(), ("my client".to_owned(), "p@ss word".to_owned()));
    }

    #[test]
    fn malformed_credentials_are_invalid_client_with_a_basic_challenge() {
        for header in ["Bearer abc", "Basic !!!"] {
            let error = parse_basic(header).unwrap_err();
            assert_eq!(error.code, shared::ErrorCode::InvalidClient, "{header}");
            assert!(error.basic_challenge, "{header}: RFC 6749 §5.2 asks for WWW-Authenticate");
            assert!(error.description.contains("RFC 6749 §2.3.1"), "{}", error.description);
        }
    }
}
