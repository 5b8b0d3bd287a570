// The todo API, with the access token as a Bearer token (RFC 6750 §2.1).
// No cookie goes along (`credentials: 'omit'`): the token is the only
// credential, and the todo API allows this origin without credentials.

import { config } from './config.js';
import { discover } from './discovery.js';
import { freshAccessToken, refresh } from './tokens.js';

/** A failed API call, with the RFC 6750 / JSON error the API sent. */
export class ApiError extends Error {
  constructor(status, description) {
    super(description || `The todo API answered ${status}.`);
    this.status = status;
  }
}

async function send(method, path, body) {
  const token = await freshAccessToken();
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${config.todoApi}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
  });
}

/**
 * Calls the API. RFC 6750 §3.1: 401 `invalid_token` means the access token
 * "is expired, revoked, malformed, or invalid for other reasons": refresh
 * once and try again.
 */
async function respond(method, path, body) {
  let response = await send(method, path, body);
  if (response.status === 401) {
    await refresh();
    response = await send(method, path, body);
  }
  if (!response.ok) {
    const error = await response.json().catch(() => ({}));
    throw new ApiError(response.status, error.error_description);
  }
  return response;
}

export async function callApi(method, path, body) {
  const response = await respond(method, path, body);
  return response.status === 204 ? null : response.json();
}

/**
 * The first page of todos, newest first, and whether the API announced
 * another with `Link: <…>; rel="next"` (RFC 8288; readable here because
 * the API exposes the header to this origin).
 */
export async function listTodos() {
  const response = await respond('GET', '/todos');
  const more = /;\s*rel="?next"?/.test(response.headers.get('Link') || '');
  return { todos: await response.json(), more };
}
export const addTodo = (title) => callApi('POST', '/todos', { title });
export const setDone = (id, done) => callApi('PATCH', `/todos/${encodeURIComponent(id)}`, { done });
export const deleteTodo = (id) => callApi('DELETE', `/todos/${encodeURIComponent(id)}`);

/** OIDC Core §5.3: the UserInfo endpoint, with the same Bearer token. */
export async function userinfo() {
  const provider = await discover();
  const response = await fetch(provider.userinfo_endpoint, {
    headers: { Authorization: `Bearer ${await freshAccessToken()}` },
    credentials: 'omit',
  });
  if (!response.ok) throw new ApiError(response.status, 'The UserInfo endpoint refused the access token.');
  return response.json();
}
