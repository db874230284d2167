// Effects on the host page: running blocked scripts, deleting cookies and
// talking to Google Consent Mode.
import { matchCookies, cookieDomains, consentMode } from './config.js';

// activate runs every <script type="text/plain" data-consent="…"> whose
// purposes (space or comma separated, all required) are granted. Each runs
// once: it is replaced by a live copy, which no longer matches.
export function activate(granted) {
  for (const old of document.querySelectorAll('script[type="text/plain"][data-consent]')) {
    const need = old.getAttribute('data-consent').split(/[\s,]+/).filter(Boolean);
    if (!need.every((p) => granted.includes(p))) continue;
    const s = document.createElement('script');
    for (const a of old.attributes) {
      if (a.name !== 'type' && a.name !== 'data-consent') s.setAttribute(a.name, a.value);
    }
    if (old.dataset.type) s.type = old.dataset.type;
    if (s.src) s.async = false; // keep document order among external scripts
    else s.text = old.text;
    old.replaceWith(s);
  }
}

// deleteCookies expires the first-party cookies matching patterns, on the
// host and on each parent domain, for path "/" and the current path.
// HttpOnly cookies and cookies on other paths are out of reach of a page.
export function deleteCookies(patterns) {
  const present = document.cookie.split(';').map((c) => c.split('=')[0].trim()).filter(Boolean);
  for (const n of matchCookies(patterns, present)) {
    for (const d of cookieDomains(location.hostname)) {
      for (const p of ['/', location.pathname]) {
        document.cookie = `${n}=; Max-Age=0; Path=${p}${d && '; Domain=' + d}`;
      }
    }
  }
}

function gtag() {
  // gtag.js reads Arguments objects from the data layer, not arrays.
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

let gcmDefaulted = false;

// gcmDefault sets Consent Mode's defaults (everything optional denied) once,
// before any decision.
export function gcmDefault() {
  if (gcmDefaulted) return;
  gcmDefaulted = true;
  (window.gtag || gtag)('consent', 'default', { ...consentMode(['necessary']), wait_for_update: 500 });
}

// gcmUpdate tells Consent Mode about a decision.
export function gcmUpdate(granted) {
  gcmDefault();
  (window.gtag || gtag)('consent', 'update', consentMode(granted));
}
