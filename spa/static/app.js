// The page: signs the user in, finds them again after a reload, and shows
// their todos. All protocol work happens in the modules it imports.

import { addTodo, deleteTodo, listTodos, setDone, userinfo } from './api.js';
import { AuthorizationError, beginAuthorization, completeAuthorization } from './authorize.js';
import { TokenError, exchangeCode, logout, session } from './tokens.js';

const $ = (id) => document.getElementById(id);

/** OIDC Core §3.1.2.6: what `prompt=none` answers when it would have to ask the user. */
const NEEDS_THE_USER = new Set(['login_required', 'consent_required', 'interaction_required', 'account_selection_required']);

let displayName = '';

function showStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function showSignedOut(text, isError = false) {
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  showStatus(text, isError);
}

function showSession() {
  const s = session();
  if (!s) return;
  const line = $('session');
  // For the curious (and the browser test): when the access token expires
  // and how often it was refreshed. Never the token itself.
  line.dataset.accessTokenExpires = String(Math.floor(s.expiresAt / 1000));
  line.dataset.refreshes = String(s.refreshes);
  const until = new Date(s.expiresAt).toLocaleTimeString();
  line.textContent = `Signed in as ${displayName} · access token valid until ${until} · refreshed ${s.refreshes} time${s.refreshes === 1 ? '' : 's'}`;
}

function renderTodos({ todos, more }) {
  const list = $('todo-list');
  list.replaceChildren();
  for (const todo of todos) {
    const item = document.createElement('li');
    item.classList.toggle('done', todo.done);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = todo.done;
    box.setAttribute('aria-label', 'done');
    box.addEventListener('change', () => run(() => setDone(todo.id, box.checked)));
    const title = document.createElement('span');
    title.className = 'title';
    // textContent, never innerHTML: a title is data, not markup.
    title.textContent = todo.title;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'delete';
    remove.textContent = 'Delete';
    remove.addEventListener('click', () => run(() => deleteTodo(todo.id)));
    item.append(box, title, remove);
    list.append(item);
  }
  if (more) showStatus(`Your ${todos.length} newest todos; older ones are not listed here.`);
  else showStatus(todos.length === 0 ? 'Nothing to do yet.' : `${todos.length} todo${todos.length === 1 ? '' : 's'}.`);
}

/** Runs an API action, then shows the list again; a lost session shows the login button. */
async function run(action) {
  try {
    await action();
    renderTodos(await listTodos());
    showSession();
  } catch (error) {
    if (error instanceof TokenError) showSignedOut(`Your session has ended (${error.code}); sign in again.`);
    else showStatus(error.message, true);
  }
}

async function showTodos() {
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  const claims = session()?.claims ?? {};
  displayName = claims.name || claims.sub || 'you';
  try {
    const info = await userinfo();
    displayName = info.email ? `${info.name || info.sub} (${info.email})` : info.name || info.sub;
  } catch {
    // The ID token's claims are enough to go on.
  }
  await run(async () => {});
}

/** The redirect URI: read the authorization response, then get the tokens. */
async function callback() {
  const params = new URLSearchParams(window.location.search);
  // RFC 9700 §4.2.4: the code leaves the address bar and the history at once.
  window.history.replaceState(null, '', '/');
  try {
    const grant = await completeAuthorization(params);
    showStatus('Exchanging the code for tokens…');
    await exchangeCode(grant);
  } catch (error) {
    if (error instanceof AuthorizationError && error.silent && NEEDS_THE_USER.has(error.code)) {
      showSignedOut('You are not signed in.');
    } else {
      showSignedOut(`Sign-in failed: ${error.message}`, true);
    }
    return;
  }
  await showTodos();
}

async function start() {
  $('login').addEventListener('click', () => beginAuthorization().catch((e) => showStatus(e.message, true)));
  $('logout').addEventListener('click', () => logout().catch((e) => showStatus(e.message, true)));
  $('add-todo').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = event.target.elements.namedItem('title');
    const title = input.value.trim();
    if (title) run(() => addTodo(title)).then(() => { input.value = ''; });
  });

  if (window.location.pathname === '/callback') {
    await callback();
    return;
  }
  // Any other load — the first visit, a reload — starts with no tokens
  // (they live in memory only). Ask the provider, without showing it,
  // whether the user is still signed in there.
  showStatus('Looking for your session at the provider…');
  await beginAuthorization({ silent: true });
}

start().catch((error) => showSignedOut(error.message, true));
