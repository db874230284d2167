// "Your data", the self-service part of the second layer, shown when the
// decision carries a visitor ID: the consent history (GET /api/privacy/me),
// a JSON download (…/export) and erasure with a confirm step. Requests send
// the collector's HttpOnly ashiato_consent cookie (credentials: 'include')
// and the stored token in an Authorization header (never in the URL, where
// logs and Referer headers would keep it), so they also work where the
// browser withholds the cookie. The download is fetched and saved through a Blob, which keeps the
// visitor on the page and lets a failure be said in the live region.
import { tx } from './config.js';
import { h, button } from './dom.js';

export function yourData(o) {
  const { cfg, lang, s } = o;
  const token = o.current.token;
  const get = async (path, q = '') => {
    const r = await fetch(`${o.endpoint}/api/privacy/me${path}?site=${encodeURIComponent(cfg.site)}${q}`, { credentials: 'include', headers: { Authorization: 'Bearer ' + token } });
    if (!r.ok) throw new Error('ashiato privacy: ' + r.status);
    return r.text();
  };
  const status = h('p', { role: 'status', tabindex: '-1' });
  const say = (t) => { status.textContent = t; };
  const fail = (e) => {
    console.warn(e);
    say(s.failed);
  };
  const list = h('div');
  const del = button('acb-l', s.del, ask);
  const row = h('div', { class: 'acb-a' }, button('acb-l', s.download, download), del);
  let q = null;
  let loaded = false;
  const sec = h('details', { class: 'acb-me', ontoggle: () => sec.open && !loaded && load() },
    h('summary', null, s.mine), list, row, status);

  async function load() {
    loaded = true;
    say(s.loading);
    try {
      const j = JSON.parse(await get(''));
      const title = (id) => tx(((cfg.purposes || []).find((p) => p.id === id) || {}).title, lang) || id;
      const method = (m) => ({ accept_all: s.accept, reject_all: s.reject, custom: s.custom, withdraw: s.withdrawn })[m] || m;
      list.append(h('h3', null, s.history), h('ul', null,
        j.consent_history.sort((a, b) => (a.ts < b.ts ? 1 : -1)).map((r) => h('li', null,
          h('time', { datetime: r.ts }, new Date(r.ts).toLocaleString(lang)),
          ` ${method(r.method)}: ${r.granted.map(title).join(', ')}`))));
      say(`${s.events}: ${j.events}`);
    } catch (e) {
      loaded = false;
      fail(e);
    }
  }

  async function download() {
    try {
      const t = await get('/export', '&format=json');
      JSON.parse(t); // a stream cut short is not saved as if it were whole
      const a = h('a', { href: URL.createObjectURL(new Blob([t], { type: 'application/json' })), download: `my-data-${cfg.site}.json` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1e4);
      say(s.downloaded);
    } catch (e) {
      fail(e);
    }
  }

  // ask replaces the two buttons by the confirm question; focus goes to
  // Cancel, the harmless answer.
  function ask() {
    const no = button('acb-l', s.cancel, () => {
      q.replaceWith(row);
      del.focus();
    });
    q = h('div', { role: 'group', 'aria-labelledby': 'acb-q' },
      h('p', { id: 'acb-q' }, s.confirm),
      h('div', { class: 'acb-a' }, button('acb-l', s.yes, erase), no));
    row.replaceWith(q);
    no.focus();
  }

  async function erase() {
    try {
      const j = await o.erase(token);
      list.remove();
      q.remove();
      say(`${s.deleted} ${j.request_id}`);
      status.focus();
      // The visitor is new now: nothing optional stays ticked.
      for (const i of sec.parentNode.querySelectorAll('.acb-ps input:not([disabled])')) i.checked = false;
    } catch (e) {
      fail(e);
    }
  }

  return sec;
}
