//! OIDC Core §3.1.2.1 `prompt`: whether the user may be shown a page, and
//! which.

use serde::{Deserialize, Serialize};

/// OIDC Core §3.1.2.1 `prompt`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Prompt {
    /// "The Authorization Server MUST NOT display any authentication or
    /// consent user interface pages."
    pub none: bool,
    /// "The Authorization Server SHOULD prompt the End-User for
    /// reauthentication."
    pub login: bool,
    /// "The Authorization Server SHOULD prompt the End-User for consent
    /// before returning information to the Client."
    pub consent: bool,
}

impl Prompt {
    /// Reads the space-delimited values; an unknown value, or `none` with
    /// another, is refused with the reason.
    pub fn parse(raw: Option<&str>) -> Result<Prompt, String> {
        let mut prompt = Prompt::default();
        for value in raw.unwrap_or("").split(' ').filter(|v| !v.is_empty()) {
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                // Only one account per session here: nothing to select.
                "select_account" => {}
                other => {
                    return Err(format!(
                        "unknown prompt value {other:?}; supported: none, login, consent, select_account"
                    ));
                }
            }
        }
        if prompt.none && (prompt.login || prompt.consent) {
            return Err("prompt=none cannot be combined with other values (OIDC Core §3.1.2.1)".into());
        }
        Ok(prompt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_none_is_exclusive() {
        assert!(Prompt::parse(Some("none login")).is_err());
        assert_eq!(Prompt::parse(Some("login consent")).unwrap(), Prompt { none: false, login: true, consent: true });
        assert!(Prompt::parse(Some("bogus")).is_err());
    }
}
