//! The token request (RFC 6749 §4.1.3, §6, §4.4.2): one variant per
//! `grant_type`, written by the client app and read by the provider.
//!
//! Client authentication travels beside it (HTTP Basic or the body, RFC
//! 6749 §2.3.1), so it is not part of this type.

use crate::GrantType;

/// A token request, by grant type. Values are borrowed: the client lends its
/// typed values (`RedirectUri`, `CodeVerifier`, `Secret`) for as long as the
/// request is written, and the provider lends the parameters it read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TokenRequest<'a> {
    /// RFC 6749 §4.1.3, with RFC 7636 §4.5's `code_verifier`.
    AuthorizationCode {
        code: &'a str,
        /// "REQUIRED, if the "redirect_uri" parameter was included in the
        /// authorization request" (§4.1.3).
        redirect_uri: Option<&'a str>,
        code_verifier: Option<&'a str>,
    },
    /// RFC 6749 §6.
    RefreshToken {
        refresh_token: &'a str,
        /// "OPTIONAL": narrower than the original grant, never wider.
        scope: Option<&'a str>,
    },
    /// RFC 6749 §4.4.2.
    ClientCredentials { scope: Option<&'a str> },
}

/// A parameter the request cannot do without, and the rule requiring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingParameter {
    pub name: &'static str,
    pub rule: &'static str,
}

impl std::fmt::Display for MissingParameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is required ({})", self.name, self.rule)
    }
}

impl<'a> TokenRequest<'a> {
    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            Self::RefreshToken { .. } => GrantType::RefreshToken,
            Self::ClientCredentials { .. } => GrantType::ClientCredentials,
        }
    }

    /// Reads the parameters of `grant` through `get`, which answers a
    /// parameter's value (an empty value counts as absent, RFC 6749 §3.2).
    pub fn read(grant: GrantType, get: impl Fn(&'static str) -> Option<&'a str>) -> Result<Self, MissingParameter> {
        let require = |name, rule| get(name).ok_or(MissingParameter { name, rule });
        Ok(match grant {
            GrantType::AuthorizationCode => Self::AuthorizationCode {
                code: require("code", "RFC 6749 §4.1.3")?,
                redirect_uri: get("redirect_uri"),
                code_verifier: get("code_verifier"),
            },
            GrantType::RefreshToken => {
                Self::RefreshToken { refresh_token: require("refresh_token", "RFC 6749 §6")?, scope: get("scope") }
            }
            GrantType::ClientCredentials => Self::ClientCredentials { scope: get("scope") },
        })
    }

    /// The body's parameters, `grant_type` first, absent ones left out (to
    /// be sent as `application/x-www-form-urlencoded`, RFC 6749 Appendix B).
    pub fn to_form(&self) -> Vec<(&'static str, &'a str)> {
        let mut form = vec![("grant_type", self.grant_type().as_str())];
        let optional = |name, value: Option<&'a str>| value.map(|v| (name, v));
        match *self {
            Self::AuthorizationCode { code, redirect_uri, code_verifier } => {
                form.push(("code", code));
                form.extend(optional("redirect_uri", redirect_uri));
                form.extend(optional("code_verifier", code_verifier));
            }
            Self::RefreshToken { refresh_token, scope } => {
                form.push(("refresh_token", refresh_token));
                form.extend(optional("scope", scope));
            }
            Self::ClientCredentials { scope } => form.extend(optional("scope", scope)),
        }
        form
    }
}

/// Its values are credentials: `Debug` names the grant type only.
impl std::fmt::Debug for TokenRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenRequest({})", self.grant_type())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn what_the_client_writes_the_provider_reads_back() {
        let sent = TokenRequest::AuthorizationCode {
            code: "c0de",
            redirect_uri: Some("https://app.example/cb"),
            code_verifier: Some("v"),
        };
        let form: HashMap<_, _> = sent.to_form().into_iter().collect();
        assert_eq!(form["grant_type"], "authorization_code");
        let read = TokenRequest::read(GrantType::AuthorizationCode, |name| form.get(name).copied()).unwrap();
        assert_eq!(read, sent);
    }

    #[test]
    fn a_missing_parameter_names_its_rule_and_absent_options_stay_out() {
        let missing = TokenRequest::read(GrantType::RefreshToken, |_| None).unwrap_err();
        assert_eq!(missing.to_string(), "refresh_token is required (RFC 6749 §6)");
        let form = TokenRequest::ClientCredentials { scope: None }.to_form();
        assert_eq!(form, [("grant_type", "client_credentials")]);
    }

    #[test]
    fn debug_never_prints_a_credential() {
        let request = TokenRequest::RefreshToken { refresh_token: "s3cret", scope: None };
        assert_eq!(format!("{request:?}"), "TokenRequest(refresh_token)");
    }
}
