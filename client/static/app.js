// The todo page's script: vanilla JavaScript, no build step.
//
// It calls the todo API directly, from the browser, with
// `credentials: 'include'`: the browser attaches the HttpOnly `access_token`
// cookie, which this script can neither read nor leak. When the API answers
// 401 (the access token expired), the script asks this app's
// `POST /refreshtoken` for new cookies, once, and retries: the article's
// `buildAttemptRefresh`. No token ever passes through this file.
//
// In BFF mode (`CLIENT_TOKEN_DELIVERY=bff`) the page names this app's own
// `/api` as the todo API and no refresh URL: the app adds the access token
// to each call and refreshes by itself, and no token cookie exists at all.
(function () {
  'use strict';

  const root = document.getElementById('todos');
  if (!root) return;
  const api = root.dataset.todoApi;
  const refreshUrl = root.dataset.refreshUrl;
  const list = document.getElementById('todo-list');
  const form = document.getElementById('add-todo');
  const status = document.getElementById('status');

  /** A failure the user should read about. `kind` is 'login' when only a new login helps. */
  class Problem extends Error {
    constructor(message, kind) {
      super(message);
      this.kind = kind || 'error';
    }
  }

  function showStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  function showProblem(problem) {
    showStatus(problem.message, true);
    if (problem.kind === 'login') {
      const link = document.createElement('a');
      link.href = '/login';
      link.textContent = 'Log in again';
      status.append(' ', link);
    }
  }

  // One refresh at a time. Two parallel 401s must not both present the same
  // refresh token: the second would be a replay of an already-rotated token,
  // and the provider would revoke the whole token family (RFC 9700 §4.14.2).
  let refreshing = null;
  function refreshOnce() {
    if (!refreshing) {
      refreshing = refreshTokens().finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  async function refreshTokens() {
    let response;
    try {
      // Same origin: the browser sends the Origin header and the
      // refresh_token cookie (Path=/refreshtoken, SameSite=Strict).
      response = await fetch(refreshUrl, { method: 'POST', credentials: 'same-origin' });
    } catch (e) {
      throw new Problem('This app could not be reached to renew your access. Is it still running?');
    }
    if (response.ok) return; // new cookies are set; the body only says {"expires_in": N}
    const body = await response.json().catch(() => ({}));
    if (response.status === 401) {
      throw new Problem('Your session has ended (the refresh token is no longer valid).', 'login');
    }
    throw new Problem('Could not renew your access: ' + (body.error_description || 'the provider is unreachable') + '.');
  }

  /** Calls the todo API; on a 401 refreshes once and retries (buildAttemptRefresh). */
  async function callApi(method, path, body) {
    const attempt = async () => {
      const init = { method, credentials: 'include', headers: {} };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      try {
        return await fetch(api + path, init);
      } catch (e) {
        throw new Problem('The todo API at ' + api + ' is unreachable (not running, or it does not allow this origin).');
      }
    };
    let response = await attempt();
    // In BFF mode there is no refresh URL: the app refreshed server-side
    // before answering, so a 401 means only a new login helps.
    if (response.status === 401 && refreshUrl) {
      await refreshOnce();
      response = await attempt();
    }
    if (response.status === 401) {
      throw new Problem('The todo API still refuses your access token.', 'login');
    }
    if (!response.ok) {
      const detail = await response.json().catch(() => ({}));
      throw new Problem('The todo API answered ' + response.status + ': ' + (detail.error_description || response.statusText));
    }
    return response;
  }

  // The API sends a page of todos, newest first; when there are more it
  // says so in `Link: <…>; rel="next"` (RFC 8288). This page shows the
  // first page and says that older todos exist.
  function render(todos, more) {
    list.replaceChildren(...todos.map(renderTodo));
    if (more) showStatus('Showing your ' + todos.length + ' newest todos; older ones are not listed here.');
    else showStatus(todos.length ? '' : 'Nothing to do yet. Add something above.');
  }

  function hasNextPage(response) {
    return /;\s*rel="?next"?/.test(response.headers.get('Link') || '');
  }

  // Built with textContent, never innerHTML: a todo titled <img onerror=…>
  // is shown as text.
  function renderTodo(todo) {
    const item = document.createElement('li');
    item.dataset.id = todo.id;
    item.classList.toggle('done', todo.done);

    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = todo.done;
    box.setAttribute('aria-label', 'Done');
    box.addEventListener('change', () => run(async () => {
      await callApi('PATCH', '/todos/' + encodeURIComponent(todo.id), { done: box.checked });
      await load();
    }));

    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = todo.title;

    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'delete';
    remove.textContent = 'Delete';
    remove.addEventListener('click', () => run(async () => {
      await callApi('DELETE', '/todos/' + encodeURIComponent(todo.id));
      await load();
    }));

    item.append(box, title, remove);
    return item;
  }

  async function load() {
    const response = await callApi('GET', '/todos');
    render(await response.json(), hasNextPage(response));
  }

  async function run(action) {
    try {
      await action();
    } catch (e) {
      showProblem(e instanceof Problem ? e : new Problem('Something went wrong: ' + e.message));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = form.elements.title;
    const title = input.value.trim();
    if (!title) return;
    run(async () => {
      await callApi('POST', '/todos', { title });
      input.value = '';
      await load();
    });
  });

  run(load);
})();
