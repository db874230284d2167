// The banner's DOM: first layer (short text, Accept all / Reject all /
// Customize), second layer (a toggle per purpose with its recipients, and
// "Your data" when a decision carries a visitor ID), the floating
// privacy-settings button, and focus handling. Texts from the
// configuration are set as text, never as HTML.
import { tx, gpcLocked } from './config.js';
import { h, button, link } from './dom.js';
import { yourData } from './me.js';

let root = null;
let fab = null;
let returnTo = null;
let modal = false;
let onEsc = null;

// shown reports whether e is not hidden by a closed <details>: only the
// summary of a closed one shows (Chromium still gives the hidden content
// client rects: it is content-visibility: hidden, for find-in-page).
const shown = (e) => {
  const d = e.parentElement.closest('details:not([open])');
  return !d || (d === e.parentElement && e.localName === 'summary' && shown(d));
};

// focusables lists what Tab can reach in the banner: not what is inside a
// closed <details> or otherwise not rendered.
function focusables() {
  return [...root.querySelectorAll('a[href],button,input:not([disabled]),summary')].filter((e) => e.getClientRects().length && shown(e));
}

// onKey: Escape closes the banner only when focus is inside it (a page's
// own Escape is left alone, unmarked); Tab wraps inside a modal layer. No
// other key is touched.
function onKey(e) {
  if (!root) return;
  if (e.key === 'Escape') {
    if (!root.contains(document.activeElement)) return;
    e.preventDefault();
    onEsc();
  } else if (e.key === 'Tab' && modal) {
    const f = focusables();
    const first = f[0];
    const last = f[f.length - 1];
    const a = document.activeElement;
    if (!root.contains(a)) {
      e.preventDefault();
      first.focus();
    } else if (e.shiftKey && (a === first || !f.includes(a))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && a === last) {
      e.preventDefault();
      first.focus();
    }
  }
}

// close removes the banner and gives focus back to where it was.
export function close() {
  if (!root) return;
  root.remove();
  root = null;
  document.removeEventListener('keydown', onKey, true);
  if (fab) fab.hidden = false;
  const t = returnTo && returnTo.isConnected && returnTo !== document.body ? returnTo : fab;
  if (t) t.focus();
  returnTo = null;
}

// purposeItem renders one purpose of the second layer.
function purposeItem(p, o) {
  const { lang, s } = o;
  const id = 'acb-p-' + p.id;
  const locked = o.gpc && gpcLocked(p);
  const on = p.required || (!locked && !!o.current && o.current.granted.includes(p.id));
  const rec = p.recipients || [];
  return h('li', { class: 'acb-p' },
    h('div', { class: 'acb-ph' },
      h('input', { type: 'checkbox', role: 'switch', id, name: p.id, checked: on, disabled: p.required || locked, 'aria-describedby': id + '-d' }),
      h('label', { for: id }, tx(p.title, lang) || p.id),
      p.required && h('span', { class: 'acb-on' }, s.always)),
    h('p', { id: id + '-d' }, tx(p.description, lang)),
    locked && h('p', { class: 'acb-g' }, s.gpc),
    rec.length > 0 && h('details', null,
      h('summary', null, `${s.recipients} (${rec.length})`),
      h('ul', null, rec.map((r) => h('li', null,
        h('strong', null, r.name + (r.country ? ` (${r.country})` : '')),
        h('p', null, `${s.data}: ${tx(r.data, lang)}`),
        h('p', null, `${s.purpose}: ${tx(r.purpose, lang)}`),
        r.policy && h('p', null, link(r.policy, s.policy)))))));
}

// open shows layer 1 or 2. o holds the configuration, language, texts, the
// current decision, GPC, and callbacks: decide(action, granted) and
// dismiss() (Esc: closed without any decision).
export function open(o, layer) {
  const { cfg, lang, s } = o;
  const a = document.activeElement;
  if (!root || !root.contains(a)) returnTo = a;
  if (root) root.remove();
  const box = layer === 2 || cfg.layout === 'box';
  modal = box;
  onEsc = o.dismiss;
  const purposes = cfg.purposes || [];
  const checked = () => purposes.filter((p) => p.required || root.querySelector('#acb-p-' + p.id).checked).map((p) => p.id);
  const external = o.endpoint && `${o.endpoint}/privacy/${encodeURIComponent(cfg.site)}/external`;

  const dialog = h('div', {
    class: 'acb-d', role: 'dialog', 'aria-modal': box ? 'true' : null,
    'aria-labelledby': 'acb-t', 'aria-describedby': 'acb-x', tabindex: '-1',
  },
  h('h2', { id: 'acb-t' }, tx(cfg.title, lang) || s.title),
  h('p', { id: 'acb-x' }, tx(cfg.text, lang) || s.text, ' ', link(cfg.policy_url, s.policy)),
  layer === 2 && [
    h('ul', { class: 'acb-ps' }, purposes.map((p) => purposeItem(p, o))),
    h('p', null, link(external, s.external)),
  ],
  h('div', { class: 'acb-a' },
    button('acb-b', s.reject, () => o.decide('reject')),
    button('acb-b', s.accept, () => o.decide('accept')),
    layer === 2
      ? button('acb-b acb-b2', s.save, () => o.decide('save', checked()))
      : button('acb-b acb-b2', s.customize, () => open(o, 2))),
  layer === 2 && o.current && o.current.vid && yourData(o),
  // The close control, shown at the top right but last in the Tab order,
  // after the choices: closing is no decision (o.dismiss, as Escape).
  h('button', { type: 'button', class: 'acb-c', 'aria-label': s.close, title: s.close, onclick: o.dismiss }, '\u00d7'));

  root = h('div', { class: `acb acb-${box ? 'box' : 'bar'}`, lang }, box && h('div', { class: 'acb-bd' }), dialog);
  document.body.append(root);
  if (fab) fab.hidden = true;
  document.removeEventListener('keydown', onKey, true);
  document.addEventListener('keydown', onKey, true);
  dialog.focus();
}

// floating shows the privacy-settings button that reopens the banner.
export function floating(label, lang, onclick) {
  if (fab) return;
  fab = h('button', { type: 'button', class: 'acb-fb', 'aria-label': label, title: label, lang, onclick },
    svg());
  fab.hidden = !!root;
  document.body.append(fab);
}

function svg() {
  const ns = 'http://www.w3.org/2000/svg';
  const e = document.createElementNS(ns, 'svg');
  e.setAttribute('viewBox', '0 0 24 24');
  e.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(ns, 'path');
  // A shield with a check mark.
  p.setAttribute('d', 'M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3z');
  e.append(p);
  return e;
}
