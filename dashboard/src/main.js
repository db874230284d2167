// The dashboard: login, the header's controls, the view of the state in
// the URL, and back/forward.
import { h } from './dom.js';
import { t, initLang, currentLang, setLang } from './i18n.js';
import * as api from './api.js';
import { parse, serialize, dates, RANGES, COMPARES, VIEWS } from './state.js';
import { overview } from './overview.js';
import { goals, funnel, retention, journeys, realtime } from './deeper.js';
import { consent } from './consent.js';

const RENDER = { overview, goals, funnel, retention, journeys, realtime, consent };
const $ = (id) => document.getElementById(id);

let state = parse(location.search);
let sites = [];
let timer = 0;
let generation = 0;

function site() { return sites.find((s) => s.id === state.site); }

// set changes the state, records it in the history and renders.
function set(change) {
  state = { ...state, ...change };
  const q = serialize(state);
  if (q !== location.search.slice(1)) history.pushState(null, '', q ? '?' + q : location.pathname);
  render();
}

const ctx = {
  set,
  site,
  addFilter(f) { if (!state.filters.includes(f)) set({ filters: [...state.filters, f] }); },
};

function theme(next) {
  const root = document.documentElement;
  let v = next;
  if (!v) {
    try { v = localStorage.getItem('ashiato.theme') || ''; } catch (e) { /* storage off */ }
  }
  if (!v) v = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  root.dataset.theme = v;
  if (next) try { localStorage.setItem('ashiato.theme', v); } catch (e) { /* storage off */ }
}

function select(id, label, value, options, onchange) {
  return [h('label', { for: id }, label),
    h('select', { id, onchange: (e) => onchange(e.target.value) },
      ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))];
}

function header(from, to) {
  const s = site();
  const custom = state.range === 'custom'
    ? h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      const f = $('from').value;
      const tt = $('to').value;
      if (f && tt && f <= tt) set({ range: 'custom', from: f, to: tt });
    } }, h('label', { for: 'from' }, t('from')), h('input', { id: 'from', type: 'date', value: from }),
    h('label', { for: 'to' }, t('to')), h('input', { id: 'to', type: 'date', value: to }),
    h('button', { type: 'submit', class: 'small' }, t('apply')))
    : null;
  return h('div', { class: 'controls' },
    h('div', { class: 'field' }, ...select('site', t('site'), state.site, sites.map((x) => [x.id, x.id]), (v) => set({ site: v }))),
    h('div', { class: 'field' }, ...select('range', t('range'), state.range, RANGES.map((r) => [r, t(r)]),
      (v) => set(v === 'custom' ? { range: v, from, to } : { range: v }))),
    custom,
    h('div', { class: 'field' }, ...select('compare', t('compare'), state.compare, COMPARES.map((c) => [c, t(c || 'none')]), (v) => set({ compare: v }))),
    h('p', { class: 'muted small', id: 'period' }, `${from} – ${to} · ${t('timezone', { tz: s ? s.time_zone : 'UTC' })}`));
}

function nav() {
  return h('nav', { 'aria-label': t('views') }, h('ul', null, ...VIEWS.map((v) => h('li', null,
    h('a', { href: '?' + serialize({ ...state, view: v }), 'aria-current': v === state.view ? 'page' : null, 'data-view': v,
      onclick: (e) => { e.preventDefault(); set({ view: v }); } }, t(v))))));
}

function chips() {
  if (!state.filters.length) return h('p', { class: 'muted small', id: 'filters' }, t('noFilters'));
  return h('ul', { class: 'chips', id: 'filters', 'aria-label': t('filters') }, ...state.filters.map((f) => h('li', { class: 'chip', 'data-filter': f },
    h('span', null, f.replace(' is ', ' = ')),
    h('button', { type: 'button', 'aria-label': `${t('removeFilter')}: ${f}`, onclick: () => set({ filters: state.filters.filter((x) => x !== f) }) }, '×'))));
}

function topbar(loggedIn) {
  const other = currentLang() === 'ja' ? 'en' : 'ja';
  const dark = document.documentElement.dataset.theme === 'dark';
  return h('header', { class: 'top' }, h('h1', null, t('title')),
    h('div', { class: 'tools' },
      h('button', { type: 'button', id: 'lang', lang: other, title: t('langLabel'), onclick: () => { setLang(other); loggedIn ? render() : showLogin(); } }, t('lang')),
      h('button', { type: 'button', id: 'theme', 'aria-pressed': String(dark), onclick: () => { theme(dark ? 'light' : 'dark'); loggedIn ? render() : showLogin(); } }, t('dark')),
      loggedIn ? h('button', { type: 'button', id: 'logout', onclick: async () => { await api.logout().catch(() => {}); showLogin(); } }, t('logout')) : null));
}

// showLogin renders the login form (its field is named token).
function showLogin(message) {
  clearInterval(timer);
  document.title = t('title');
  const err = h('p', { id: 'login-error', role: 'alert', class: 'error' }, message || '');
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help login-error' });
  const form = h('form', { id: 'login', class: 'card login', method: 'post', action: '/dashboard/login', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      await api.login(input.value.trim());
      await start();
    } catch (x) {
      err.textContent = x.status === 429 ? t('tooMany') : x.status === 403 ? t('scope') : x.status === 401 ? t('badToken') : t('failed');
      input.focus();
    }
  } },
  h('h2', null, t('login')), h('label', { for: 'token' }, t('token')), input,
  h('p', { id: 'token-help', class: 'muted small' }, t('tokenHelp')), err, h('button', { type: 'submit' }, t('login')));
  document.body.replaceChildren(topbar(false), h('main', { id: 'main' }, form));
}

async function render() {
  clearInterval(timer);
  const focused = document.activeElement && document.activeElement.id;
  if (!site() && sites.length) state.site = sites[0].id;
  const s = site();
  const [from, to] = dates(state, s ? s.time_zone : 'UTC');
  document.title = `${t(state.view)} · ${state.site} · ${t('title')}`;
  // The same view keeps its old content, marked busy, until the new one
  // arrives: no flash of a loading line on every change.
  const old = $('view');
  const keep = old && old.dataset.view === state.view ? [...old.childNodes] : [h('p', { class: 'muted' }, t('loading'))];
  const view = h('div', { id: 'view', 'data-view': state.view, 'aria-busy': 'true' }, ...keep);
  document.body.replaceChildren(topbar(true), h('main', { id: 'main' }, header(from, to), nav(), chips(), view));
  if (focused && $(focused)) $(focused).focus();
  await fill(view, from, to);
  // Realtime refreshes its view only, so that focus and scroll stay.
  if (state.view === 'realtime') timer = setInterval(() => { if (document.visibilityState === 'visible') fill(view, from, to); }, 30000);
}

// fill asks the API for the view's parts and puts them in view; an
// answer that a newer state overtook is dropped.
async function fill(view, from, to) {
  const gen = ++generation;
  delete document.body.dataset.ready;
  view.setAttribute('aria-busy', 'true');
  try {
    const parts = await RENDER[state.view](state, from, to, ctx);
    if (gen !== generation) return;
    const focused = view.contains(document.activeElement) && document.activeElement.id;
    view.replaceChildren(...parts);
    if (focused && $(focused)) $(focused).focus();
    view.setAttribute('aria-busy', 'false');
    document.body.dataset.ready = serialize(state);
  } catch (e) {
    if (gen !== generation) return;
    if (e.status === 401) return showLogin();
    view.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('failed')));
    view.setAttribute('aria-busy', 'false');
  }
}

async function start() {
  try {
    sites = (await api.sites()).sites || [];
  } catch (e) {
    return showLogin(e.status === 401 ? '' : t('failed'));
  }
  state = parse(location.search);
  if (!state.site && sites.length) state.site = sites[0].id;
  render();
}

initLang();
theme();
addEventListener('popstate', () => {
  state = parse(location.search);
  if (sites.length) render();
});
start();
