// The lab page: runs an attack on the lab's server (POST /attacks/{id}/run)
// and shows its report. Browser attacks first run here, in the visitor's
// browser, and send what they saw along.

const todoApi = document.body.dataset.todoApi;
const frameUrl = document.body.dataset.frameUrl;

// cors-read: can a script on this site read the todo API's answer, sent
// with the visitor's cookies? The browser throws a TypeError when the
// answer's CORS headers do not name this origin with credentials.
async function corsRead() {
  try {
    const response = await fetch(`${todoApi}/todos`, { credentials: 'include' });
    const body = await response.text();
    return { succeeded: true, detail: `the script read the todo API's answer (HTTP ${response.status}, ${body.length} bytes)` };
  } catch (error) {
    return { succeeded: false, detail: `fetch from this site was refused by the browser (${error.name}): no CORS permission for ${location.origin}` };
  }
}

// clickjacking: frame the provider's authorization endpoint. A script
// cannot look into a cross-site frame, so the page shows it: a refused
// frame stays empty (or shows the browser's error), a framed login form
// would appear in the box.
async function clickjacking(card) {
  const slot = card.querySelector('.frame-slot');
  slot.replaceChildren();
  const frame = document.createElement('iframe');
  frame.title = "the provider's login page, framed by the attacker";
  frame.src = frameUrl;
  slot.append(frame);
  await new Promise((resolve) => {
    frame.addEventListener('load', resolve, { once: true });
    setTimeout(resolve, 3000);
  });
  const caption = document.createElement('p');
  caption.className = 'note';
  caption.textContent = 'Above: the frame. An empty box, or the browser\'s broken-page icon, is the browser refusing to show the provider\'s page on this site.';
  slot.append(caption);
  return null;
}

const inBrowser = { 'cors-read': corsRead, clickjacking };

function badge(verdict) {
  const span = document.createElement('span');
  span.className = `badge badge-${verdict}`;
  span.textContent = verdict === 'blocked' ? '✓ blocked' : verdict === 'succeeded' ? '✗ succeeded' : verdict;
  return span;
}

function render(card, report, browser) {
  const verdict = card.querySelector('.verdict');
  verdict.replaceChildren(badge(report.verdict));
  verdict.dataset.verdict = report.verdict;
  const result = card.querySelector('.result');
  result.replaceChildren();
  const because = document.createElement('p');
  because.className = 'because';
  because.textContent = report.because;
  result.append(because);
  if (browser) {
    const seen = document.createElement('p');
    seen.className = 'browser-seen';
    seen.textContent = `In your browser: ${browser.detail}`;
    result.append(seen);
  }
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `Transcript (${report.transcript.length} steps)`;
  details.append(summary);
  const list = document.createElement('ol');
  list.className = 'timeline';
  for (const entry of report.transcript) {
    const item = document.createElement('li');
    if (entry.kind === 'note') {
      item.className = 'note';
      item.textContent = entry.text;
    } else {
      item.className = 'exchange';
      const actor = document.createElement('span');
      actor.className = `actor actor-${entry.actor}`;
      actor.textContent = entry.actor;
      const request = document.createElement('pre');
      request.className = 'request';
      request.textContent = entry.request;
      const response = document.createElement('pre');
      response.className = 'response';
      response.textContent = entry.response;
      item.append(actor, request, response);
    }
    list.append(item);
  }
  details.append(list);
  result.append(details);
}

async function run(card) {
  const id = card.dataset.id;
  const button = card.querySelector('button.run');
  button.disabled = true;
  card.querySelector('.verdict').replaceChildren(badge('running…'));
  try {
    const browser = inBrowser[id] ? await inBrowser[id](card) : null;
    const response = await fetch(`/attacks/${id}/run`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(browser ? { browser } : {}),
    });
    render(card, await response.json(), browser);
  } catch (error) {
    render(card, { verdict: 'error', because: String(error), transcript: [] });
  } finally {
    button.disabled = false;
  }
}

for (const button of document.querySelectorAll('button.run')) {
  button.addEventListener('click', () => run(button.closest('.attack')));
}
document.getElementById('run-all').addEventListener('click', async () => {
  for (const card of document.querySelectorAll('.attack')) {
    await run(card);
  }
});
