// ashiato consent banner: entry point. Reads the script tag, fetches the
// site's banner configuration from the collector, shows the banner when no
// current decision is stored, records decisions with POST /api/consent, and
// tells the page (CustomEvent "ashiato:consent", window.ashiatoConsent).
import { TEXTS } from './texts.js';
import { readOptions, pickLang, isCurrent, expiresAt, methodFor, withdrawn, gpcLocked } from './config.js';
import { activate, deleteCookies, gcmDefault, gcmUpdate } from './page.js';
import { open, close, floating } from './ui.js';

const KEY = 'ashiato_consent';
const me = document.currentScript;
const opts = readOptions(me ? me.dataset : {}, me ? me.src : '', location.href);
const listeners = [];
const gpc = navigator.globalPrivacyControl === true;
let cfg = null;
let ui = null; // what open() needs: texts, language, callbacks
let current = null;
let wanted = false; // show() was called before the configuration arrived

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch (e) {
    return null;
  }
}

function save(d) {
  try {
    if (d) localStorage.setItem(KEY, JSON.stringify(d));
    else localStorage.removeItem(KEY);
  } catch (e) { /* storage disabled: the decision holds for this page */ }
}

function detail(d) {
  const o = { granted: d.granted, token: d.token, consent_id: d.consent_id, revision: d.revision, method: d.method };
  if (d.vid) o.vid = d.vid;
  return o;
}

// apply makes decision d current: cookies of withdrawn purposes are deleted,
// Consent Mode updated, the page told, and blocked scripts run.
function apply(d) {
  const gone = withdrawn(current, d.granted);
  current = d;
  if (gone.length) {
    deleteCookies((cfg.purposes || []).filter((p) => gone.includes(p.id)).flatMap((p) => p.cookies || []));
  }
  if (cfg.google_consent_mode || opts.gcm) gcmUpdate(d.granted);
  document.dispatchEvent(new CustomEvent('ashiato:consent', { detail: detail(d) }));
  for (const cb of listeners) {
    try {
      cb(detail(d));
    } catch (e) {
      setTimeout(() => { throw e; });
    }
  }
  whenReady(() => activate(d.granted));
  if (cfg.floating_button) whenReady(() => floating(ui.s.settings, ui.lang, show));
}

function whenReady(f) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', f);
  else f();
}

// post sends body to the collector as text/plain JSON (no preflight), with
// the ashiato_consent cookie.
function post(path, body) {
  return fetch(opts.endpoint + path, {
    method: 'POST',
    credentials: 'include',
    keepalive: true,
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ site: opts.site, ...body }),
  });
}

// ask records a decision in the ledger: POST /api/consent.
const ask = (granted, method) => post('/api/consent', { granted, method, revision: cfg.revision, texts_hash: cfg.texts_hash, lang: ui.lang, gpc });

async function decide(action, chosen) {
  const purposes = cfg.purposes || [];
  const all = purposes.filter((p) => p.required || (action === 'accept' && !(gpc && gpcLocked(p))));
  const granted = chosen || all.map((p) => p.id);
  const method = methodFor(action, granted, purposes, current);
  close();
  let d = { granted, method, revision: cfg.revision };
  try {
    const r = await ask(granted, method);
    const j = await r.json();
    // The configuration was stale (cached across a revision bump): fetch it
    // again and ask with the current texts.
    if (/^(revision|texts_hash)$/.test(j.field)) return start(true);
    if (!r.ok) throw new Error('ashiato consent: ' + r.status);
    d = { granted: j.granted, token: j.token, consent_id: j.consent_id, revision: j.revision || cfg.revision, method };
    if (j.vid) d.vid = j.vid;
    d.expires_at = expiresAt(j.expires_at, cfg.max_age_days, Date.now());
    save(d);
  } catch (e) {
    // Not recorded: the choice holds for this page only and is asked again.
    console.warn(e);
  }
  apply(d);
}

// erase asks the collector to erase the visitor that token names (from
// "Your data"). The decision is withdrawn first, so that the HttpOnly cookie
// no longer carries the visitor ID (a later choice gets a new one) and the
// withdrawal row is erased with the rest; the page is told as for any
// withdrawal, then the stored decision goes: the visitor is new.
async function erase(token) {
  if (current) {
    const r = await ask([], 'withdraw');
    const j = await r.json();
    if (!r.ok) throw new Error('ashiato consent: ' + r.status);
    apply({ granted: j.granted, token: j.token, consent_id: j.consent_id, revision: j.revision, method: 'withdraw' });
    current = null;
    save(null);
  }
  const r = await post('/api/privacy/me/erase', { consent: token });
  if (!r.ok) throw new Error('ashiato privacy: ' + r.status);
  return r.json();
}

// dismiss closes the banner without a decision (Esc): closing is never
// consent, so nothing is recorded and nothing blocked runs.
function dismiss() {
  if (cfg.floating_button) floating(ui.s.settings, ui.lang, show);
  close();
}

// show opens the banner: the second layer when a decision exists, so that
// changing or withdrawing it takes one step, else the first layer.
function show() {
  wanted = !cfg;
  if (wanted) return;
  whenReady(() => open({ ...ui, current }, current ? 2 : 1));
}

async function start(reload) {
  if (!opts.site || !opts.endpoint) {
    console.warn('ashiato consent: data-site and a collector URL are required');
    return;
  }
  if (opts.gcm) gcmDefault();
  const r = await fetch(`${opts.endpoint}/api/consent/config?site=${encodeURIComponent(opts.site)}`, { cache: reload ? 'reload' : 'default' });
  if (!r.ok) throw new Error('ashiato consent config: ' + r.status);
  cfg = await r.json();
  if (cfg.google_consent_mode) gcmDefault();
  const lang = pickLang(cfg.lang, document.documentElement.lang, navigator.languages,
    Object.keys(TEXTS).concat(Object.keys(cfg.strings || {})));
  const s = { ...TEXTS.en, ...TEXTS[lang], ...(cfg.strings || {})[lang] };
  ui = { cfg, lang, s, gpc, endpoint: opts.endpoint, decide, dismiss, erase };
  const stored = load();
  if (isCurrent(stored, cfg.revision, Date.now())) {
    // Global Privacy Control turned on since the choice: the purposes it
    // keeps off are withdrawn in the ledger too (audience exports read the
    // ledger), before anything of theirs runs on this page.
    const off = gpc ? (cfg.purposes || []).filter((p) => gpcLocked(p) && stored.granted.includes(p.id)).map((p) => p.id) : [];
    if (off.length) {
      current = stored; // the choice narrowed: its cookies of those purposes go
      await decide('custom', stored.granted.filter((id) => !off.includes(id)));
    } else {
      apply(stored);
    }
    if (wanted) show();
  } else {
    // A stale entry must not be read by the tracking snippet either.
    if (stored) save(null);
    show();
  }
}

window.ashiatoConsent = {
  show,
  get: () => (current ? { ...current } : null),
  onChange(cb) {
    if (typeof cb === 'function') listeners.push(cb);
  },
};

start().catch((e) => console.warn(e));
