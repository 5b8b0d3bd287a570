//! The body of a token (or introspection, or revocation) request, read
//! into [`Params`].
//!
//! RFC 6749 §4.1.3 sends it as `application/x-www-form-urlencoded`; some
//! browser apps send JSON, so both are accepted and turned
//! into the same name → value map. The extractor owns its rejection: a
//! malformed body is an RFC 6749 §5.2 `invalid_request`, never axum's
//! plain-text 4xx.

use axum::extract::{FromRequest, Request};
use axum::http::header;

use shared::MissingParameter;

use crate::params::Params;
use crate::token::error::TokenError;

/// Largest body accepted: parameters are short.
const MAX_BODY: usize = 16 * 1024;

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = TokenError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .unwrap_or_default();
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| TokenError::invalid_request(format!("the request body could not be read: {e}")))?;
        if body.len() > MAX_BODY {
            return Err(TokenError::invalid_request("the request body is larger than 16 KiB"));
        }
        let params = match content_type.as_str() {
            "application/x-www-form-urlencoded" => Params::parse(&body),
            "application/json" => Params::from_pairs(json_pairs(&body)?),
            other => {
                let got = if other.is_empty() { "no Content-Type".to_owned() } else { format!("Content-Type {other}") };
                return Err(TokenError::invalid_request(format!(
                    "{got}; send application/x-www-form-urlencoded (RFC 6749 §4.1.3) or application/json"
                )));
            }
        };
        // RFC 6749 §3.2: "Request and response parameters MUST NOT be
        // included more than once."
        if let Some(name) = params.first_repeated() {
            return Err(TokenError::invalid_request(format!(
                "parameter {name} was sent more than once (RFC 6749 §3.2)"
            )));
        }
        if let Some((name, problem)) = params.first_problem() {
            return Err(TokenError::invalid_request(format!("the value of {name} {problem}")));
        }
        Ok(params)
    }
}

impl From<MissingParameter> for TokenError {
    fn from(missing: MissingParameter) -> Self {
        TokenError::invalid_request(missing.to_string())
    }
}

/// A flat JSON object of strings (numbers and booleans are accepted and
/// written as text, since form bodies have no types).
fn json_pairs(body: &[u8]) -> Result<Vec<(String, String)>, TokenError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| TokenError::invalid_request(format!("the JSON body is malformed: {e}")))?;
    let object = value.as_object().ok_or_else(|| TokenError::invalid_request("the JSON body must be an object"))?;
    object
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Ok((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Ok((k.clone(), b.to_string())),
            _ => Err(TokenError::invalid_request(format!("parameter {k} must be a string"))),
        })
        .collect()
}
