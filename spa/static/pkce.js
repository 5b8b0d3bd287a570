// PKCE: Proof Key for Code Exchange (RFC 7636), with the browser's WebCrypto.
//
// Three mistakes are common here; each is avoided below, next to the rule
// it would break:
//
// 1. Sending `code_challenge_method=SHA-256`. 'SHA-256' is WebCrypto's name
//    for the hash function; RFC 7636 §4.3 spells the method "S256", and a
//    provider that follows RFC 9700 §2.1.1 rejects anything else.
// 2. Sending `btoa(hexDigest)`: base64 of the *hexadecimal text* of the
//    digest. RFC 7636 §4.2 says
//        code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))
//    — base64url (no padding, Appendix A) of the 32 raw digest bytes.
// 3. It used a fixed `state`. A value an attacker knows protects nothing
//    (RFC 6749 §10.12); `state` and `nonce` come from randomToken() below,
//    fresh for every request.

/** RFC 7636 §4.3: the only method this system accepts. */
export const CHALLENGE_METHOD = 'S256';

/**
 * RFC 7636 Appendix A: base64url without padding.
 * @param {Uint8Array} bytes
 */
export function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * 32 random bytes from the platform's CSPRNG, base64url-encoded: 43
 * characters, 256 bits of entropy.
 */
export function randomToken() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/**
 * RFC 7636 §4.1: "code_verifier = high-entropy cryptographic random STRING
 * using the unreserved characters [A-Z] / [a-z] / [0-9] / "-" / "." / "_" /
 * "~", with a minimum length of 43 characters and a maximum length of 128".
 * The base64url alphabet is a subset of those characters.
 */
export function createVerifier() {
  return randomToken();
}

/**
 * RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
 * @param {string} verifier
 */
export async function challengeOf(verifier) {
  // The verifier is ASCII, so its UTF-8 bytes are its ASCII bytes.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}
