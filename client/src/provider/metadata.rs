//! What the provider says about itself: its metadata document (RFC 8414 §3,
//! OpenID Connect Discovery 1.0 §4), fetched once over the back channel and
//! kept for the life of the process.
//!
//! The client reads the one fact that changes how it must treat the
//! authorization response: whether the provider puts `iss` in it (RFC 9207
//! §3, `authorization_response_iss_parameter_supported`). Its endpoints are
//! still derived from the configured URLs, because the browser and this
//! server reach the provider at different addresses.

use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::OnceCell;
use url::Url;

use super::ProviderError;

/// The members of the metadata document this client reads.
#[derive(Debug, Deserialize)]
pub struct ProviderMetadata {
    /// RFC 8414 §2: "The authorization server's issuer identifier".
    pub issuer: String,
    /// RFC 9207 §3: "Boolean parameter indicating whether the authorization
    /// server provides the iss parameter in the authorization response [...]
    /// If omitted, the default value is false."
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

/// The metadata document, fetched on first use. A failed fetch is not
/// remembered: the next request tries again.
#[derive(Debug)]
pub struct MetadataCache {
    url: Url,
    issuer: String,
    fetched: OnceCell<Arc<ProviderMetadata>>,
}

impl MetadataCache {
    /// `url` is the back-channel address of the document; `issuer` the
    /// issuer identifier this client was configured with.
    pub fn new(url: Url, issuer: String) -> Self {
        Self { url, issuer, fetched: OnceCell::new() }
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The provider's metadata, fetching it the first time.
    pub async fn get(&self, http: &reqwest::Client) -> Result<Arc<ProviderMetadata>, ProviderError> {
        self.fetched.get_or_try_init(|| self.fetch(http)).await.cloned()
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<Arc<ProviderMetadata>, ProviderError> {
        let url = self.url.to_string();
        let response = http
            .get(self.url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| ProviderError::Unreachable { url: url.clone(), reason: e.to_string() })?;
        let status = response.status().as_u16();
        let malformed = |reason: String| ProviderError::Malformed { url: url.clone(), status, reason };
        if status != 200 {
            return Err(malformed("RFC 8414 §3.2: the metadata is answered with 200 OK".into()));
        }
        let body = response.text().await.map_err(|e| malformed(e.to_string()))?;
        let metadata: ProviderMetadata = serde_json::from_str(&body)
            .map_err(|e| malformed(format!("not an RFC 8414 §3.2 metadata document: {e}")))?;
        // RFC 8414 §3.3: "The issuer value returned MUST be identical to the
        // authorization server's issuer identifier value into which the
        // well-known URI string was inserted to create the URL used to
        // retrieve the metadata. If these values are not identical, the data
        // contained in the response MUST NOT be used." (Here the document is
        // fetched over the back channel, so it is compared with the
        // configured issuer.)
        if metadata.issuer != self.issuer {
            return Err(malformed(format!(
                "RFC 8414 §3.3: the metadata names the issuer {:?}, but this client expects {:?} (PROVIDER_PUBLIC_URL)",
                metadata.issuer, self.issuer
            )));
        }
        Ok(Arc::new(metadata))
    }
}
