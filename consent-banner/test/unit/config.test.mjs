import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readOptions, pickLang, tx, maxAgeDays, expiresAt, isCurrent, gpcLocked,
  methodFor, withdrawn, matchCookies, cookieDomains, consentMode,
} from '../../src/config.js';

const DAY = 864e5;
const NOW = Date.parse('2025-01-01T00:00:00Z');

test('readOptions', async (t) => {
  const cases = [
    { name: 'origin from script src', ds: { site: 'demo' }, src: 'https://stats.example.com/consent.js?v=1',
      want: { site: 'demo', endpoint: 'https://stats.example.com', gcm: false } },
    { name: 'endpoint override keeps path, drops trailing slash', ds: { site: 'demo', endpoint: 'https://c.example.com/a/' }, src: 'https://x/consent.js',
      want: { site: 'demo', endpoint: 'https://c.example.com/a', gcm: false } },
    { name: 'relative endpoint resolves against the page', ds: { site: 'demo', endpoint: '/col' }, src: '',
      want: { site: 'demo', endpoint: 'https://www.example.com/col', gcm: false } },
    { name: 'bad site is dropped', ds: { site: 'a b<' }, src: 'https://s/consent.js', want: { site: '', endpoint: 'https://s', gcm: false } },
    { name: 'non-http endpoint is refused', ds: { site: 'd', endpoint: 'javascript:alert(1)' }, src: 'https://s/c.js', want: { site: 'd', endpoint: '', gcm: false } },
    { name: 'attributes outside the allowlist are ignored', ds: { site: 'd', foo: 'x', googleConsentMode: '' }, src: 'https://s/c.js', want: { site: 'd', endpoint: 'https://s', gcm: true } },
    { name: 'consent mode off by "false"', ds: { site: 'd', googleConsentMode: 'false' }, src: 'https://s/c.js', want: { site: 'd', endpoint: 'https://s', gcm: false } },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(readOptions(c.ds, c.src, 'https://www.example.com/page'), c.want));
  }
});

test('pickLang: config, then <html lang>, then navigator.languages, then en', async (t) => {
  const av = ['en', 'ja'];
  const cases = [
    ['config wins', 'ja', 'en', ['en'], 'ja'],
    ['html lang with region', '', 'ja-JP', ['en-US'], 'ja'],
    ['html lang unknown, navigator', '', 'fr', ['de', 'ja-JP', 'en'], 'ja'],
    ['nothing matches', '', 'fr', ['de'], 'en'],
    ['empty everything', '', '', [], 'en'],
    ['case-insensitive', 'JA', '', [], 'ja'],
  ];
  for (const [name, cl, hl, nl, want] of cases) {
    await t.test(name, () => assert.equal(pickLang(cl, hl, nl, av), want));
  }
  await t.test('languages added by config', () => assert.equal(pickLang('', 'fr-CA', [], ['en', 'ja', 'fr']), 'fr'));
});

test('tx falls back to English, then any language', () => {
  assert.equal(tx({ ja: 'あ', en: 'a' }, 'ja'), 'あ');
  assert.equal(tx({ ja: 'あ', en: 'a' }, 'fr'), 'a');
  assert.equal(tx({ ja: 'あ' }, 'fr'), 'あ');
  assert.equal(tx(undefined, 'ja'), '');
  assert.equal(tx('plain', 'ja'), 'plain');
});

test('maxAgeDays: default 180, never above 13 months', () => {
  assert.equal(maxAgeDays(undefined), 180);
  assert.equal(maxAgeDays(0), 180);
  assert.equal(maxAgeDays(-5), 180);
  assert.equal(maxAgeDays(30), 30);
  assert.equal(maxAgeDays(395), 395);
  assert.equal(maxAgeDays(10000), 395);
});

test('expiresAt: the server expiry cut to the configured lifetime', async (t) => {
  await t.test('default lifetime', () => assert.equal(expiresAt('', undefined, NOW), new Date(NOW + 180 * DAY).toISOString()));
  await t.test('server sooner', () => {
    const s = new Date(NOW + 10 * DAY).toISOString();
    assert.equal(expiresAt(s, 180, NOW), s);
  });
  await t.test('server later is cut', () => assert.equal(expiresAt(new Date(NOW + 900 * DAY).toISOString(), 2000, NOW), new Date(NOW + 395 * DAY).toISOString()));
  await t.test('server expiry in the past is ignored', () => assert.equal(expiresAt(new Date(NOW - DAY).toISOString(), 30, NOW), new Date(NOW + 30 * DAY).toISOString()));
});

test('isCurrent: same revision and not expired', async (t) => {
  const d = { granted: ['necessary'], revision: 2, expires_at: new Date(NOW + DAY).toISOString() };
  await t.test('current', () => assert.ok(isCurrent(d, 2, NOW)));
  await t.test('revision changed', () => assert.ok(!isCurrent(d, 3, NOW)));
  await t.test('expired', () => assert.ok(!isCurrent(d, 2, NOW + 2 * DAY)));
  await t.test('none', () => assert.ok(!isCurrent(null, 2, NOW)));
  await t.test('garbage', () => assert.ok(!isCurrent({ revision: 2, expires_at: 'x' }, 2, NOW)));
});

test('gpcLocked: advertising and purposes with advertising capabilities', () => {
  assert.ok(gpcLocked({ id: 'advertising' }));
  assert.ok(gpcLocked({ id: 'partners', capabilities: ['third_party'] }));
  assert.ok(!gpcLocked({ id: 'analytics', capabilities: ['persistent_id'] }));
  assert.ok(!gpcLocked({ id: 'advertising', required: true }));
});

test('methodFor', async (t) => {
  const ps = [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'advertising' }];
  const prev = { granted: ['necessary', 'analytics'] };
  const cases = [
    ['accept', ['necessary', 'analytics', 'advertising'], null, 'accept_all'],
    ['reject', ['necessary'], null, 'reject_all'],
    ['reject after a grant is a withdrawal', ['necessary'], prev, 'withdraw'],
    ['reject after a rejection', ['necessary'], { granted: ['necessary'] }, 'reject_all'],
    ['save', ['necessary', 'analytics'], null, 'custom'],
    ['save with nothing after a grant', ['necessary'], prev, 'withdraw'],
    ['save with nothing, first time', ['necessary'], null, 'custom'],
    ['save less after a grant', ['necessary', 'advertising'], prev, 'custom'],
  ];
  for (const [name, granted, p, want] of cases) {
    await t.test(name, () => assert.equal(methodFor(name.split(' ')[0], granted, ps, p), want));
  }
});

test('withdrawn', () => {
  assert.deepEqual(withdrawn({ granted: ['necessary', 'analytics', 'advertising'] }, ['necessary', 'advertising']), ['analytics']);
  assert.deepEqual(withdrawn(null, ['necessary']), []);
});

test('matchCookies: exact names and prefixes', () => {
  assert.deepEqual(matchCookies(['_ga', '_ga_*', 'x'], ['_ga', '_ga_ABC', '_gat', 'y', 'x']), ['_ga', '_ga_ABC', 'x']);
  assert.deepEqual(matchCookies([], ['a']), []);
});

test('cookieDomains', () => {
  assert.deepEqual(cookieDomains('www.shop.example.com'), ['', '.www.shop.example.com', '.shop.example.com', '.example.com']);
  assert.deepEqual(cookieDomains('127.0.0.1'), ['']);
  assert.deepEqual(cookieDomains('localhost'), ['']);
});

test('consentMode maps purposes to Consent Mode v2 signals', () => {
  assert.deepEqual(consentMode(['necessary']), {
    ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied',
    personalization_storage: 'denied', functionality_storage: 'granted', security_storage: 'granted',
  });
  const all = consentMode(['necessary', 'analytics', 'personalization', 'advertising']);
  for (const k of ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage']) assert.equal(all[k], 'granted', k);
  assert.equal(consentMode(['advertising']).ad_personalization, 'denied', 'personalised ads need personalization too');
});
