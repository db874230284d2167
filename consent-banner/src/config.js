// Pure helpers: options from the script tag, language choice, expiry and the
// validity of a stored decision. No DOM access at import time, so the unit
// tests run them in Node.

export const DEFAULT_MAX_AGE_DAYS = 180;
export const LIMIT_MAX_AGE_DAYS = 395; // 13 months
const DAY = 864e5;

// ALLOWED lists the data- attributes of the script tag that are read; any
// other attribute is ignored.
export const ALLOWED = ['site', 'endpoint', 'googleConsentMode'];

// readOptions checks the script tag's data- attributes against the allowlist
// and derives the collector origin from the script's own src.
export function readOptions(dataset, src, base) {
  const o = {};
  for (const k of ALLOWED) if (dataset[k] != null) o[k] = String(dataset[k]);
  const site = /^[\w.-]{1,64}$/.test(o.site || '') ? o.site : '';
  let endpoint = '';
  try {
    const u = new URL(o.endpoint || src, base);
    if (/^https?:$/.test(u.protocol)) endpoint = o.endpoint ? u.href.replace(/\/+$/, '') : u.origin;
  } catch (e) { /* no usable endpoint */ }
  return { site, endpoint, gcm: o.googleConsentMode != null && o.googleConsentMode !== 'false' };
}

// pickLang chooses the language: the configuration's, then <html lang>, then
// navigator.languages, each matched exactly or by its primary subtag against
// the available languages; English when nothing matches.
export function pickLang(configLang, htmlLang, navLangs, available) {
  for (const c of [configLang, htmlLang, ...(navLangs || [])]) {
    if (!c) continue;
    const l = String(c).toLowerCase();
    if (available.includes(l)) return l;
    const p = l.split('-')[0];
    if (available.includes(p)) return p;
  }
  return 'en';
}

// tx returns a configured text in lang, falling back to English, then to any
// language (as collector.Text.In does).
export function tx(t, lang) {
  if (!t) return '';
  if (typeof t === 'string') return t;
  return t[lang] ?? t.en ?? Object.values(t)[0] ?? '';
}

// maxAgeDays is the configured lifetime of a decision, never above 13 months.
export function maxAgeDays(days) {
  const d = Math.floor(Number(days));
  return d > 0 ? Math.min(d, LIMIT_MAX_AGE_DAYS) : DEFAULT_MAX_AGE_DAYS;
}

// expiresAt is when a decision made at now expires: the server's expiry, cut
// to the configured lifetime.
export function expiresAt(serverExpiry, days, now) {
  let t = now + maxAgeDays(days) * DAY;
  const s = Date.parse(serverExpiry);
  if (s > now && s < t) t = s;
  return new Date(t).toISOString();
}

// isCurrent reports whether a stored decision still holds: same policy
// revision and not expired.
export function isCurrent(d, revision, now) {
  return !!d && Array.isArray(d.granted) && d.revision === revision && Date.parse(d.expires_at) > now;
}

const AD_CAPS = ['audience_export', 'third_party', 'click_ids'];

// gpcLocked reports whether Global Privacy Control keeps purpose p off: the
// advertising purpose, or any optional purpose that unlocks an advertising
// capability (the capabilities that the collector removes under GPC).
export function gpcLocked(p) {
  return !p.required && (p.id === 'advertising' || (p.capabilities || []).some((c) => AD_CAPS.includes(c)));
}

// methodFor names a decision for the ledger from what was chosen and what
// was granted before.
export function methodFor(action, granted, purposes, prev) {
  const optional = purposes.filter((p) => !p.required).map((p) => p.id);
  const had = !!prev && prev.granted.some((id) => optional.includes(id));
  const gives = granted.some((id) => optional.includes(id));
  if (action === 'accept') return 'accept_all';
  if (!gives && had) return 'withdraw';
  return action === 'reject' ? 'reject_all' : 'custom';
}

// withdrawn lists the purposes granted in prev and not in next.
export function withdrawn(prev, next) {
  return prev ? prev.granted.filter((id) => !next.includes(id)) : [];
}

// matchCookies returns the names in present that match a pattern: exact, or a
// prefix when the pattern ends with "*" ("_ga_*").
export function matchCookies(patterns, present) {
  return present.filter((n) => patterns.some((p) => (p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : n === p)));
}

// cookieDomains lists the Domain attributes a cookie of host may have been
// set with: none (host-only), then the host and each parent domain.
export function cookieDomains(host) {
  const out = [''];
  if (/^[\d.]+$/.test(host) || host.includes(':') || !host.includes('.')) return out;
  const parts = host.split('.');
  for (let i = 0; i < parts.length - 1; i++) out.push('.' + parts.slice(i).join('.'));
  return out;
}

// consentMode maps granted purposes to Google Consent Mode v2 signals.
export function consentMode(granted) {
  const g = (ok) => (ok ? 'granted' : 'denied');
  const ads = granted.includes('advertising');
  return {
    ad_storage: g(ads),
    ad_user_data: g(ads),
    ad_personalization: g(ads && granted.includes('personalization')),
    analytics_storage: g(granted.includes('analytics')),
    personalization_storage: g(granted.includes('personalization')),
    functionality_storage: 'granted',
    security_storage: 'granted',
  };
}
