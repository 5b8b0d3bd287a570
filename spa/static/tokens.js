// The back channel, called from the browser: the token endpoint (RFC 6749
// §4.1.3 exchange, §6 refresh), revocation (RFC 7009) and logout.
//
// The tokens live in the module variable `current` and nowhere else: not in
// localStorage, not in sessionStorage, not in a cookie. A script that runs
// later in another tab, or after a reload, finds nothing ("OAuth 2.0 for
// Browser-Based Applications", draft-ietf-oauth-browser-based-apps-26 §8.4,
// In-Memory Token Storage). The price: a reload loses them, and app.js
// gets new ones with `prompt=none`.
//
// This client has no secret: it is a public client (RFC 6749 §2.1), and
// every token request says only who it is, with `client_id` (§3.2.1). PKCE
// proves that the code's redeemer is the tab that asked for it.

import { config } from './config.js';
import { discover } from './discovery.js';
import { validateIdToken } from './id_token.js';

/** @type {null | { accessToken: string, refreshToken?: string, idToken: string, claims: object, lifetime: number, expiresAt: number }} */
let current = null;
/** The refresh in flight, so that two callers never spend one refresh token twice. */
let refreshing = null;
let refreshes = 0;

/** A refused token request: RFC 6749 §5.2 `error` and `error_description`. */
export class TokenError extends Error {
  constructor(code, description) {
    super(description || code);
    this.code = code;
  }
}

/** What the page may show about the session (never a token). */
export function session() {
  if (!current) return null;
  return { claims: current.claims, expiresAt: current.expiresAt, refreshes, canRefresh: Boolean(current.refreshToken) };
}

/** The access token, for an `Authorization: Bearer` header. */
export function accessToken() {
  return current?.accessToken ?? null;
}

/**
 * POSTs a token request. RFC 6749 §4.1.3 says
 * `application/x-www-form-urlencoded`; some browser apps send JSON,
 * which this provider accepts too: `SPA_TOKEN_REQUEST_BODY=json` shows it.
 */
async function tokenRequest(params) {
  const provider = await discover();
  const json = config.tokenRequestBody === 'json';
  const response = await fetch(provider.token_endpoint, {
    method: 'POST',
    headers: json ? { 'Content-Type': 'application/json' } : {},
    // URLSearchParams sets Content-Type: application/x-www-form-urlencoded.
    body: json ? JSON.stringify(params) : new URLSearchParams(params),
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new TokenError(body.error || 'server_error', body.error_description || `The token endpoint answered ${response.status}.`);
  // RFC 6749 §5.1: access_token and token_type are REQUIRED; RFC 6750 §4: Bearer.
  if (typeof body.access_token !== 'string' || String(body.token_type).toLowerCase() !== 'bearer') {
    throw new TokenError('invalid_response', 'The token response has no Bearer access token (RFC 6749 §5.1).');
  }
  return body;
}

function keep(body, claims, idToken) {
  current = {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    idToken,
    claims,
    // RFC 6749 §5.1 expires_in: "The lifetime in seconds of the access token."
    lifetime: 1000 * (Number(body.expires_in) || 0),
    expiresAt: Date.now() + 1000 * (Number(body.expires_in) || 0),
  };
}

/** Exchanges the authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export async function exchangeCode({ code, verifier, nonce }) {
  const body = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    // §4.1.3: REQUIRED, "identical" to the one in the authorization request.
    redirect_uri: config.redirectUri,
    client_id: config.clientId,
    // RFC 7636 §4.5: the secret only this tab knows.
    code_verifier: verifier,
  });
  const claims = await validateIdToken(body.id_token, { nonce, accessToken: body.access_token });
  keep(body, claims, body.id_token);
}

/**
 * Refreshes the tokens (RFC 6749 §6). The provider rotates the refresh
 * token (RFC 9700 §4.14.2): the one sent is dead afterwards, and sending it
 * again would revoke the whole grant. So concurrent callers share one
 * request.
 */
export function refresh() {
  refreshing ??= doRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function doRefresh() {
  if (!current?.refreshToken) throw new TokenError('login_required', 'There is no refresh token; sign in again.');
  const body = await tokenRequest({ grant_type: 'refresh_token', refresh_token: current.refreshToken, client_id: config.clientId });
  let claims = current.claims;
  let idToken = current.idToken;
  if (body.id_token) {
    claims = await validateIdToken(body.id_token, { previous: current.claims, accessToken: body.access_token });
    idToken = body.id_token;
  }
  // RFC 6749 §6: the server MAY issue a new refresh token; without one the old one stays.
  keep({ ...body, refresh_token: body.refresh_token ?? current.refreshToken }, claims, idToken);
  refreshes += 1;
}

/**
 * Refreshes first when the access token is about to expire (within a
 * tenth of its lifetime, at most 30 s), so that a call does not have to
 * fail with 401 first.
 */
export async function freshAccessToken() {
  if (current?.refreshToken) {
    const margin = Math.min(30_000, current.lifetime / 10);
    if (Date.now() >= current.expiresAt - margin) await refresh();
  }
  return accessToken();
}

/**
 * Logs out: revokes the refresh token (RFC 7009 §2.1, which ends the whole
 * grant at this provider), forgets the tokens, and posts the logout request
 * to the provider's end-session endpoint (OIDC RP-Initiated Logout §2) so that
 * its session ends too — else the next `prompt=none` would sign the user in
 * again at once. §2 allows GET or a form POST; a POST keeps the ID token out
 * of the URL, and so out of the browser's history.
 */
export async function logout() {
  const provider = await discover();
  const ending = current;
  current = null;
  if (ending?.refreshToken) {
    // RFC 7009 §2.2: 200 also for a token that was already invalid; a
    // network failure does not keep the user signed in here.
    await fetch(provider.revocation_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ token: ending.refreshToken, token_type_hint: 'refresh_token', client_id: config.clientId }),
      credentials: 'omit',
    }).catch(() => undefined);
  }
  const fields = { client_id: config.clientId, post_logout_redirect_uri: config.postLogoutRedirectUri };
  // With the ID token as hint, the provider may end its session without
  // asking (RP-Initiated Logout §2: id_token_hint RECOMMENDED).
  if (ending?.idToken) fields.id_token_hint = ending.idToken;
  const form = document.createElement('form');
  form.method = 'post';
  form.action = provider.end_session_endpoint;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}
