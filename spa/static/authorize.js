// The front channel: the authorization request (RFC 6749 §4.1.1) and the
// authorization response at the redirect URI (§4.1.2).
//
// What must survive the redirect round trip — `state`, `nonce` and the PKCE
// verifier — waits in sessionStorage: it belongs to this tab only, and it is
// deleted the moment the callback reads it. No token is ever stored there.

import { config } from './config.js';
import { discover } from './discovery.js';
import { CHALLENGE_METHOD, challengeOf, createVerifier, randomToken } from './pkce.js';

const PENDING = 'todo-spa.pending-authorization';

/** A refused or failed authorization response, with the provider's error code. */
export class AuthorizationError extends Error {
  constructor(code, description, silent = false) {
    super(description || code);
    this.code = code;
    this.silent = silent;
  }
}

/**
 * Sends the browser to the authorization endpoint.
 *
 * `silent`: OIDC Core §3.1.2.1 `prompt=none` — "The Authorization Server
 * MUST NOT display any authentication or consent user interface pages";
 * it answers at once with a code (the user's session at the provider still
 * stands and the scopes were consented) or with `login_required` /
 * `consent_required`. That is how a reload, which loses the in-memory
 * tokens, finds the user again.
 */
export async function beginAuthorization({ silent = false } = {}) {
  const provider = await discover();
  const pending = { state: randomToken(), nonce: randomToken(), verifier: createVerifier(), silent };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(provider.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', pending.state);
  // OIDC Core §3.1.2.1: the nonce comes back inside the ID token, binding it
  // to this request (§15.5.2: replay protection).
  url.searchParams.set('nonce', pending.nonce);
  url.searchParams.set('code_challenge', await challengeOf(pending.verifier));
  url.searchParams.set('code_challenge_method', CHALLENGE_METHOD);
  if (silent) url.searchParams.set('prompt', 'none');
  window.location.assign(url.toString());
}

/**
 * Checks the authorization response in `params` (the callback's query) and
 * returns what the token request needs: `{ code, verifier, nonce }`.
 * Throws an AuthorizationError for an error response or a failed check.
 * @param {URLSearchParams} params
 */
export async function completeAuthorization(params) {
  const saved = sessionStorage.getItem(PENDING);
  // Used once: a reload of the callback, or a second response, finds nothing.
  sessionStorage.removeItem(PENDING);
  if (!saved) {
    throw new AuthorizationError('invalid_request', 'This tab sent no authorization request that this response could answer.');
  }
  const pending = JSON.parse(saved);

  // RFC 6749 §4.1.2 / §10.12: `state` must be exactly the value this tab
  // sent. A response that carries another one was started by someone else
  // (login CSRF: an attacker's code in the victim's browser).
  if (params.get('state') !== pending.state) {
    throw new AuthorizationError('invalid_state', 'The state in the response is not the one this tab sent (RFC 6749 §10.12).');
  }

  // RFC 9207 §2.4: a client that knows its provider sends `iss` "MUST
  // compare the value of the iss parameter with the issuer identifier" and
  // reject a mismatch — the defence against mix-up attacks (RFC 9700 §4.4).
  const provider = await discover();
  const iss = params.get('iss');
  if (provider.authorization_response_iss_parameter_supported && iss !== provider.issuer) {
    throw new AuthorizationError('invalid_issuer', `The response names the issuer ${iss}, not ${provider.issuer} (RFC 9207 §2.4).`);
  }

  // RFC 6749 §4.1.2.1: an error response, e.g. `login_required` after
  // `prompt=none`, or `access_denied` when the user said no.
  const error = params.get('error');
  if (error) throw new AuthorizationError(error, params.get('error_description'), pending.silent);

  const code = params.get('code');
  if (!code) throw new AuthorizationError('invalid_request', 'The response has neither a code nor an error.');
  return { code, verifier: pending.verifier, nonce: pending.nonce };
}
