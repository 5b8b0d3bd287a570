// The provider's metadata: OpenID Connect Discovery 1.0 §4 (RFC 8414 §3).
// Every endpoint this app calls is read from here, never assumed.

import { config } from './config.js';

let metadata = null;

/** The provider's metadata, fetched once per page load. */
export async function discover() {
  if (metadata) return metadata;
  const response = await fetch(`${config.issuer}/.well-known/openid-configuration`, { credentials: 'omit' });
  if (!response.ok) throw new Error(`The provider's discovery document answered ${response.status}.`);
  const document = await response.json();
  // OIDC Discovery §4.3: "The issuer value returned MUST be identical to
  // the Issuer URL that was used as the prefix to /.well-known/openid-configuration".
  if (document.issuer !== config.issuer) {
    throw new Error(`Discovery names the issuer ${document.issuer}, not ${config.issuer} (OIDC Discovery §4.3).`);
  }
  metadata = document;
  return metadata;
}
