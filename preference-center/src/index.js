// ashiato preference center: entry point. A site shows it on its account
// page for a signed-in customer:
//   <div id="ashiato-preferences"></div>
//   <script src="https://COLLECTOR/preferences.js" data-site="shop" data-token-url="/account/ashiato-token"></script>
// It reads its options from the script tag (allowlisted data- attributes),
// and also offers window.ashiatoPreferences.mount(element, options).
import { TEXTS } from './texts.js';
import { api, Expired } from './api.js';
import { h } from './dom.js';
import { notices, devices, data, requests } from './sections.js';

const me = document.currentScript;

// options reads the allowlisted data- attributes of the script tag.
function options(ds, src) {
  return {
    site: ds.site || '',
    target: ds.target || '#ashiato-preferences',
    token: ds.token || '',
    tokenURL: ds.tokenUrl || '',
    lang: ds.lang || '',
    endpoint: (ds.endpoint || (src ? new URL(src).origin : location.origin)).replace(/\/+$/, ''),
  };
}

function pickLang(want) {
  const l = (want || document.documentElement.lang || navigator.language || 'en').toLowerCase();
  return l.startsWith('ja') ? 'ja' : 'en';
}

export function mount(root, o) {
  const lang = pickLang(o.lang);
  const s = TEXTS[lang];
  const status = h('p', { class: 'apc-s', role: 'status' });
  const body = h('div', { class: 'apc-body' });
  const c = {
    s, lang, site: o.site, api: api(o),
    say: (t) => { status.textContent = ''; setTimeout(() => { status.textContent = t; }, 30); },
    fail: (e) => {
      console.warn(e);
      c.say(e instanceof Expired ? s.expired : s.failed);
      if (e instanceof Expired) root.querySelector('.apc')?.setAttribute('data-expired', '');
    },
  };
  root.replaceChildren(h('section', { class: 'apc', lang, 'aria-labelledby': 'apc-title' },
    h('h2', { id: 'apc-title' }, s.title), status, body));
  async function load() {
    try {
      const [view, dev, req] = await Promise.all([c.api.json('GET', ''), c.api.json('GET', '/devices'), c.api.json('GET', '/requests')]);
      body.replaceChildren(notices(c, view), devices(c, dev.devices, load), data(c), requests(c, req.requests, load));
      root.querySelector('.apc').setAttribute('data-ready', '');
    } catch (e) {
      c.fail(e);
    }
  }
  body.append(h('p', null, s.loading));
  load();
  return { reload: load };
}

window.ashiatoPreferences = { mount: (el, o) => mount(el, { ...options({}, me ? me.src : ''), ...o }) };

if (me && me.dataset.site) {
  const o = options(me.dataset, me.src);
  const start = () => {
    const el = document.querySelector(o.target);
    if (el) mount(el, o);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
