// ID token validation: OpenID Connect Core §3.1.3.7, the steps that apply
// to this client, each quoted above its code. The signature is checked too,
// with the provider's JWKS and WebCrypto: a public client can do it as
// cheaply as a server can.

import { config } from './config.js';
import { discover } from './discovery.js';
import { base64url } from './pkce.js';

/** How WebCrypto imports and verifies each JWS algorithm (RFC 7518 §3.1). */
const ALGORITHMS = {
  RS256: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verifyAs: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, verifyAs: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { importAs: { name: 'Ed25519' }, verifyAs: { name: 'Ed25519' } },
};

/** Leeway for clock skew between this browser and the provider, in seconds. */
const LEEWAY = 60;

let jwks = null;

function decodeSegment(segment) {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function decodeJson(segment) {
  return JSON.parse(new TextDecoder().decode(decodeSegment(segment)));
}

/** The provider's key for `kid`, fetching the JWKS again once if it is new (key rotation). */
async function keyFor(kid) {
  for (const fresh of [false, true]) {
    if (!jwks || fresh) {
      const provider = await discover();
      const response = await fetch(provider.jwks_uri, { credentials: 'omit' });
      if (!response.ok) throw new Error(`The JWKS answered ${response.status}.`);
      jwks = await response.json();
    }
    const key = jwks.keys.find((k) => k.kid === kid);
    if (key) return key;
  }
  throw new Error(`The provider publishes no key with kid ${kid}.`);
}

async function verifySignature(idToken, header) {
  // §3.1.3.7 step 7: "The alg value SHOULD be the default of RS256 or the
  // algorithm sent by the Client in the id_token_signed_response_alg
  // parameter". This client takes what discovery advertises, never `none`
  // (RFC 8725 §3.1).
  const provider = await discover();
  const allowed = provider.id_token_signing_alg_values_supported || [];
  const algorithm = ALGORITHMS[header.alg];
  if (!algorithm || !allowed.includes(header.alg)) throw new Error(`The ID token is signed with ${header.alg}, which this client does not accept.`);
  const jwk = await keyFor(header.kid);
  // Only the public key's own members: WebCrypto refuses a JWK whose `alg`
  // or `key_ops` it does not expect.
  const publicJwk = jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  const key = await crypto.subtle.importKey('jwk', publicJwk, algorithm.importAs, false, ['verify']);
  const [headerPart, payloadPart, signaturePart] = idToken.split('.');
  // RFC 7515 §5.2: the signature covers ASCII(BASE64URL(header) || '.' || BASE64URL(payload)).
  const signingInput = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  const valid = await crypto.subtle.verify(algorithm.verifyAs, key, decodeSegment(signaturePart), signingInput);
  if (!valid) throw new Error('The ID token signature does not verify with the provider\'s key (OIDC Core §3.1.3.7 step 6).');
}

/**
 * Validates an ID token and returns its claims.
 *
 * `nonce`: the value sent in the authorization request (first login).
 * `previous`: the claims of the ID token this one renews (a refresh,
 * OIDC Core §12.2), instead of a nonce.
 * `accessToken`: to check `at_hash` when present (§3.1.3.8).
 */
export async function validateIdToken(idToken, { nonce, previous, accessToken } = {}) {
  if (typeof idToken !== 'string' || idToken.split('.').length !== 3) throw new Error('The token response has no ID token (OIDC Core §3.1.3.3).');
  const header = decodeJson(idToken.split('.')[0]);
  const claims = decodeJson(idToken.split('.')[1]);
  const provider = await discover();

  // Step 2: "The Issuer Identifier for the OpenID Provider … MUST exactly
  // match the value of the iss (issuer) Claim."
  if (claims.iss !== provider.issuer) throw new Error(`The ID token's iss is ${claims.iss}, not ${provider.issuer} (step 2).`);

  // Step 3: "The Client MUST validate that the aud (audience) Claim contains
  // its client_id value … The ID Token MUST be rejected if the ID Token does
  // not list the Client as a valid audience".
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(config.clientId)) throw new Error(`The ID token is not for ${config.clientId} (step 3).`);

  // Steps 4–5: with several audiences, `azp` names the party it was issued to.
  if (audiences.length > 1 && claims.azp !== config.clientId) throw new Error('The ID token\'s azp is not this client (step 5).');

  // Step 6: the signature, with the key the provider publishes.
  await verifySignature(idToken, header);

  // Step 9: "The current time MUST be before the time represented by the exp Claim".
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || now >= claims.exp + LEEWAY) throw new Error('The ID token has expired (step 9).');

  // Step 10: iat is there, and not in the future.
  if (typeof claims.iat !== 'number' || claims.iat > now + LEEWAY) throw new Error('The ID token\'s iat is missing or in the future (step 10).');

  if (previous) {
    // §12.2: a renewed ID token has the same iss, sub and aud, and "if it is
    // present, its [nonce] value MUST be the same" as the original's.
    if (claims.sub !== previous.sub) throw new Error('The renewed ID token is about another user (OIDC Core §12.2).');
    if (claims.nonce !== undefined && claims.nonce !== previous.nonce) throw new Error('The renewed ID token has another nonce (§12.2).');
  } else if (claims.nonce !== nonce) {
    // Step 11: "The value of the nonce Claim MUST be checked to verify that
    // it is the same value as the one that was sent in the Authentication
    // Request." It binds the token to this tab's request.
    throw new Error('The ID token\'s nonce is not the one this tab sent (step 11).');
  }

  // §3.1.3.8: at_hash, when present, is the left half of the hash of the
  // access token, base64url-encoded; SHA-256 for RS256 and ES256.
  if (claims.at_hash && accessToken && header.alg !== 'EdDSA') {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)));
    if (base64url(digest.slice(0, 16)) !== claims.at_hash) throw new Error('The ID token\'s at_hash does not match the access token (§3.1.3.8).');
  }
  return claims;
}
