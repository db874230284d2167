// Browser tests of the banner against the real collector and ClickHouse.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { skipReason, newPage, ledger, poll, root, DB, useSuite } from './harness.mjs';

const skip = skipReason();
const ALL = ['necessary', 'analytics', 'personalization', 'advertising'];

describe('consent banner with the real collector', { skip: skip || false }, () => {
  const s = useSuite();

  const url = (q = '') => `${s.pages.origin}/?${q}`;
  const dialog = (p) => p.locator('.acb [role="dialog"]');
  const events = (p) => p.evaluate(() => window.events);
  const ran = (p) => p.evaluate(() => ({ analytics: window.ranAnalytics, ads: window.ranAds, both: window.ranBoth }));
  const pageCookies = (p) => p.evaluate(() => document.cookie.split(';').map((c) => c.trim().split('=')[0]).filter(Boolean).sort());
  const stored = (p) => p.evaluate(() => JSON.parse(localStorage.getItem('ashiato_consent')));
  const decisionEvent = async (p, n = 1) => {
    await p.waitForFunction((k) => window.events.length >= k, n);
    return (await events(p))[n - 1];
  };
  // serverDecision asks the collector for the current decision with the
  // page's cookie, as a page script would.
  const serverDecision = (p, site = 'shop') => p.evaluate(async ([o, s]) => {
    const r = await fetch(`${o}/api/consent?site=${s}`, { credentials: 'include' });
    return { status: r.status, body: await r.json() };
  }, [s.collector.origin, site]);
  const config = (site = 'shop') => fetch(`${s.collector.origin}/api/consent/config?site=${site}`).then((r) => r.json());

  it('the collector serves the current build of consent.js and consent.css', async () => {
    for (const f of ['consent.js', 'consent.css']) {
      const r = await fetch(`${s.collector.origin}/${f}`);
      assert.equal(r.status, 200, f);
      const body = await r.text();
      assert.ok(body === readFileSync(path.join(root, 'dist', f), 'utf8'), `collector's /${f} differs from dist/${f}: rebuild the collector`);
    }
  });

  it('first visit shows the first layer and runs nothing blocked', async () => {
    const p = await newPage(s.browser);
    const posts = [];
    p.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await p.goto(url('src=collector'));
    const d = dialog(p);
    await d.waitFor();
    assert.equal(await d.getAttribute('aria-labelledby'), 'acb-t');
    assert.equal(await d.getAttribute('aria-describedby'), 'acb-x');
    assert.equal(await d.getAttribute('aria-modal'), null, 'the bar does not block the page');
    assert.equal(await p.locator('#acb-t').textContent(), 'Your privacy choices');
    assert.ok(await p.evaluate(() => document.activeElement.getAttribute('role') === 'dialog'), 'focus moved into the banner');
    assert.deepEqual(await p.locator('.acb .acb-b').allTextContents(), ['Reject all', 'Accept all', 'Customize']);
    assert.equal(await p.locator('.acb a').getAttribute('href'), 'https://www.example.com/privacy');
    assert.deepEqual(await ran(p), { analytics: undefined, ads: undefined, both: undefined });
    assert.deepEqual(await events(p), []);
    assert.equal(await stored(p), null);
    assert.deepEqual(await p.context().cookies(), []);
    assert.deepEqual(posts, [], 'nothing is recorded before a choice');
    assert.equal(await p.evaluate(() => window.ashiatoConsent.get()), null);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('Accept all and Reject all have equal prominence', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await dialog(p).waitFor();
    const look = (name) => p.getByRole('button', { name, exact: true }).evaluate((b) => {
      const s = getComputedStyle(b);
      const r = b.getBoundingClientRect();
      return [s.fontSize, s.fontWeight, s.fontFamily, s.color, s.backgroundColor, s.borderTopWidth, s.borderTopColor, s.padding, Math.round(r.width), Math.round(r.height)];
    });
    assert.deepEqual(await look('Reject all'), await look('Accept all'));
    await p.context().close();
  });

  it('Reject all: no identifying cookie or ID, nothing blocked runs, a reject_all ledger row', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.getByRole('button', { name: 'Reject all' }).click();
    const e = await decisionEvent(p);
    assert.equal(e.method, 'reject_all');
    assert.deepEqual(e.granted, ['necessary']);
    assert.equal(e.vid, undefined, 'no visitor ID after a refusal');
    assert.ok(e.token && e.consent_id);
    assert.equal(await dialog(p).count(), 0, 'banner closed');
    assert.deepEqual(await ran(p), { analytics: undefined, ads: undefined, both: undefined });
    assert.deepEqual(await pageCookies(p), [], 'no cookie readable by the page');
    const cookies = await p.context().cookies();
    assert.deepEqual(cookies.map((c) => c.name), ['ashiato_consent'], 'only the consent record itself');
    const sd = await serverDecision(p);
    assert.equal(sd.status, 200);
    assert.deepEqual(sd.body.granted, ['necessary']);
    assert.equal(sd.body.vid || '', '', 'the server holds no visitor ID for this decision');
    const kept = await stored(p);
    assert.equal(kept.consent_id, e.consent_id);
    assert.equal(kept.vid, undefined);
    const [row] = await ledger(e.consent_id);
    const cfg = await config();
    assert.equal(row.site_id, 'shop');
    assert.equal(row.method, 'reject_all');
    assert.deepEqual(row.granted, ['necessary']);
    assert.deepEqual([...row.denied].sort(), ['advertising', 'analytics', 'personalization']);
    assert.equal(Number(row.revision), 1);
    assert.equal(row.texts_hash, cfg.texts_hash);
    assert.equal(row.lang, 'en');
    assert.equal(Number(row.gpc), 0);
    assert.equal(row.visitor_id, '');
    const [texts] = await poll(`SELECT revision FROM ${DB}.consent_texts WHERE site_id = 'shop' AND texts_hash = '${cfg.texts_hash}'`);
    assert.equal(Number(texts.revision), 1, 'the texts shown resolve from the hash');

    await p.reload();
    const again = await decisionEvent(p);
    assert.equal(again.consent_id, e.consent_id, 'the stored refusal is announced at start');
    assert.equal(await dialog(p).count(), 0, 'not asked again');
    assert.deepEqual(await ran(p), { analytics: undefined, ads: undefined, both: undefined });
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('Accept all: blocked scripts run once, token cookie set, accept_all ledger row', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.getByRole('button', { name: 'Accept all' }).click();
    const e = await decisionEvent(p);
    assert.equal(e.method, 'accept_all');
    assert.deepEqual([...e.granted].sort(), [...ALL].sort());
    assert.ok(e.vid, 'the server issues a visitor ID with analytics consent');
    await p.waitForFunction(() => window.ranAds === 1);
    assert.deepEqual(await ran(p), { analytics: 1, ads: 1, both: 1 });
    const c = (await p.context().cookies()).find((k) => k.name === 'ashiato_consent');
    assert.ok(c, 'consent cookie set by the server');
    assert.ok(c.httpOnly);
    assert.equal(c.sameSite, 'Lax');
    assert.ok(c.expires > Date.now() / 1000 + 150 * 86400, 'the cookie lasts the configured lifetime');
    const kept = await stored(p);
    assert.equal(kept.token, e.token);
    const days = (Date.parse(kept.expires_at) - Date.now()) / 864e5;
    assert.ok(days > 179 && days <= 180, `stored decision expires in ${days} days`);
    assert.deepEqual(await p.evaluate(() => window.ashiatoConsent.get()), kept);
    const sd = await serverDecision(p);
    assert.equal(sd.body.consent_id, e.consent_id);
    assert.equal(sd.body.vid, e.vid);
    const [row] = await ledger(e.consent_id);
    assert.equal(row.method, 'accept_all');
    assert.deepEqual([...row.granted].sort(), [...ALL].sort());
    assert.deepEqual(row.denied, []);

    await p.reload();
    await decisionEvent(p);
    await p.waitForFunction(() => window.ranAds === 1);
    assert.deepEqual(await ran(p), { analytics: 1, ads: 1, both: 1 }, 'each runs once per page');
    assert.equal(await dialog(p).count(), 0);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('with the tracking snippet on the page, hits carry the visitor ID once accepted', async (t) => {
    const r = await fetch(`${s.collector.origin}/s.js`);
    if (r.status !== 200) return t.skip(`the collector does not serve /s.js (${r.status})`);
    const p = await newPage(s.browser);
    await p.goto(url('snippet=1'));
    await p.waitForFunction(() => window.ashiato && typeof window.ashiato.track === 'function');
    await p.getByRole('button', { name: 'Accept all' }).click();
    const e = await decisionEvent(p);
    const name = 'banner_e2e_' + e.consent_id.replace(/-/g, '');
    await p.evaluate((n) => window.ashiato.track(n), name);
    const [row] = await poll(`SELECT visitor_id FROM ${DB}.events WHERE site_id = 'shop' AND name = '${name}'`);
    assert.equal(row.visitor_id, e.vid);
    await p.context().close();
  });

  it('Customize: nothing optional pre-ticked, recipients shown, custom decision', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.getByRole('button', { name: 'Customize' }).click();
    const d = dialog(p);
    assert.equal(await d.getAttribute('aria-modal'), 'true');
    const boxes = await p.locator('.acb input[type=checkbox]').evaluateAll((l) => l.map((i) => [i.name, i.checked, i.disabled]));
    assert.deepEqual(boxes, [['necessary', true, true], ['analytics', false, false], ['personalization', false, false], ['advertising', false, false]]);
    assert.equal(await p.locator('.acb details').count(), 2, 'recipients of analytics and advertising');
    await p.locator('.acb details summary').first().click();
    const rec = await p.locator('.acb details').first().textContent();
    for (const want of ['Example Analytics Inc. (JP)', 'Data sent: URLs of pages viewed, visitor ID', 'Purpose: Analysis of site usage']) {
      assert.ok(rec.includes(want), `${want} in ${rec}`);
    }
    assert.equal(await p.getByRole('link', { name: 'Data sent to third parties' }).getAttribute('href'), `${s.collector.origin}/privacy/shop/external`);
    await p.getByLabel('Usage analysis').check();
    await p.getByRole('button', { name: 'Save choices' }).click();
    const e = await decisionEvent(p);
    assert.equal(e.method, 'custom');
    assert.deepEqual(e.granted, ['necessary', 'analytics']);
    assert.deepEqual(await ran(p), { analytics: 1, ads: undefined, both: undefined });
    const [row] = await ledger(e.consent_id);
    assert.equal(row.method, 'custom');
    assert.deepEqual([...row.denied].sort(), ['advertising', 'personalization']);
    await p.context().close();
  });

  it('keyboard only: Tab, Space and Enter make a custom choice', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await dialog(p).waitFor();
    const focused = () => p.evaluate(() => {
      const a = document.activeElement;
      return a.id || a.getAttribute('role') || a.textContent;
    });
    assert.equal(await focused(), 'dialog');
    const order = [];
    for (let i = 0; i < 4; i++) {
      await p.keyboard.press('Tab');
      order.push(await focused());
    }
    assert.deepEqual(order, ['Privacy policy', 'Reject all', 'Accept all', 'Customize']);
    assert.ok(await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle !== 'none'), 'visible focus');
    await p.keyboard.press('Enter');
    await p.locator('#acb-p-analytics').waitFor();
    for (let i = 0; i < 10 && (await focused()) !== 'acb-p-analytics'; i++) await p.keyboard.press('Tab');
    assert.equal(await focused(), 'acb-p-analytics');
    await p.keyboard.press('Space');
    for (let i = 0; i < 20 && (await focused()) !== 'Save choices'; i++) await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    const e = await decisionEvent(p);
    assert.equal(e.method, 'custom');
    assert.deepEqual(e.granted, ['necessary', 'analytics']);
    await p.context().close();
  });

  it('the box layout blocks: aria-modal, focus trapped both ways', async () => {
    const p = await newPage(s.browser);
    await p.goto(url('site=boxed'));
    const d = dialog(p);
    await d.waitFor();
    assert.equal(await d.getAttribute('aria-modal'), 'true');
    const inside = () => p.evaluate(() => !!document.activeElement.closest('.acb'));
    const seen = new Set();
    for (let i = 0; i < 8; i++) {
      await p.keyboard.press('Tab');
      assert.ok(await inside(), `Tab ${i + 1} left the dialog`);
      seen.add(await p.evaluate(() => document.activeElement.textContent));
    }
    assert.deepEqual([...seen].sort(), ['Accept all', 'Customize', 'Privacy policy', 'Reject all', '\u00d7'].sort());
    for (let i = 0; i < 6; i++) {
      await p.keyboard.press('Shift+Tab');
      assert.ok(await inside(), `Shift+Tab ${i + 1} left the dialog`);
    }
    await p.context().close();
  });

  it('Esc closes without consent; the floating button reopens and focus returns to it', async () => {
    const p = await newPage(s.browser);
    const posts = [];
    p.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await p.goto(url('site=boxed'));
    await dialog(p).waitFor();
    await p.keyboard.press('Escape');
    assert.equal(await dialog(p).count(), 0);
    assert.deepEqual(posts, [], 'closing is not a decision');
    assert.deepEqual(await events(p), []);
    assert.equal(await stored(p), null);
    assert.deepEqual(await ran(p), { analytics: undefined, ads: undefined, both: undefined });
    const fab = p.getByRole('button', { name: 'Privacy settings' });
    assert.ok(await fab.isVisible());
    assert.ok(await fab.evaluate((b) => b === document.activeElement), 'focus went to the settings button');
    await p.keyboard.press('Enter');
    await dialog(p).waitFor();
    assert.ok(await fab.isHidden());
    await p.keyboard.press('Escape');
    assert.equal(await dialog(p).count(), 0);
    assert.ok(await fab.evaluate((b) => b === document.activeElement), 'focus returned');
    // Esc from the second layer closes too, without a decision.
    await p.evaluate(() => window.ashiatoConsent.show());
    await p.getByRole('button', { name: 'Customize' }).click();
    await p.keyboard.press('Escape');
    assert.equal(await dialog(p).count(), 0);
    assert.deepEqual(posts, []);
    await p.context().close();
  });

  it('GPC: advertising shown off and locked with the reason, and recorded as denied', async () => {
    const p = await newPage(s.browser, { gpc: true });
    await p.goto(url());
    await p.getByRole('button', { name: 'Customize' }).click();
    const ad = p.locator('#acb-p-advertising');
    assert.equal(await ad.isChecked(), false);
    assert.equal(await ad.isDisabled(), true);
    assert.ok(await p.getByText('Your browser sends Global Privacy Control, so advertising stays off.').isVisible());
    await p.getByRole('button', { name: 'Accept all' }).click();
    const e = await decisionEvent(p);
    assert.deepEqual(e.granted, ['necessary', 'analytics', 'personalization']);
    await p.waitForFunction(() => window.ranAnalytics === 1);
    assert.deepEqual(await ran(p), { analytics: 1, ads: undefined, both: undefined });
    const [row] = await ledger(e.consent_id);
    assert.ok(row.denied.includes('advertising'), `denied ${row.denied}`);
    assert.equal(Number(row.gpc), 1);
    assert.ok(!row.granted.includes('advertising'));
    await p.context().close();
  });

  it('GPC turned on after "Accept all": advertising withdrawn in the ledger on the next page, and nothing of it runs', async () => {
    const before = await newPage(s.browser);
    await before.goto(url());
    await before.getByRole('button', { name: 'Accept all' }).click();
    const first = await decisionEvent(before);
    assert.deepEqual(first.granted, ALL);
    await before.waitForFunction(() => window.ranAds === 1);
    const state = await before.context().storageState();
    await before.context().close();

    const p = await newPage(s.browser, { gpc: true, storageState: state });
    await p.goto(url());
    const e = await decisionEvent(p);
    assert.deepEqual(e.granted, ['necessary', 'analytics', 'personalization']);
    assert.equal(e.method, 'custom');
    assert.equal(await dialog(p).count(), 0, 'no banner: the visitor had chosen');
    await p.waitForFunction(() => window.ranAnalytics === 1);
    assert.deepEqual(await ran(p), { analytics: 1, ads: undefined, both: undefined });
    assert.equal((await events(p)).length, 1, 'the page only ever saw the narrowed choice');
    assert.deepEqual((await stored(p)).granted, e.granted);
    const [row] = await ledger(e.consent_id);
    assert.ok(row.denied.includes('advertising'), `denied ${row.denied}`);
    assert.ok(!row.granted.includes('advertising'));
    assert.equal(Number(row.gpc), 1);
    const now = await serverDecision(p);
    assert.equal(now.status, 200);
    assert.ok(!now.body.granted.includes('advertising'), `the collector's current decision ${now.body.granted}`);
    await p.context().close();
  });

  it('withdrawal through the floating button clears cookies and records a withdraw row', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.getByRole('button', { name: 'Accept all' }).click();
    const first = await decisionEvent(p);
    await p.waitForFunction(() => window.ranAds === 1);
    assert.deepEqual(await pageCookies(p), ['_t_ad', '_t_an', '_t_an_x']);

    // Partial: advertising off keeps the analytics cookies.
    const fab = p.getByRole('button', { name: 'Privacy settings' });
    await fab.click();
    const boxes = await p.locator('.acb input[type=checkbox]').evaluateAll((l) => l.map((i) => i.checked));
    assert.deepEqual(boxes, [true, true, true, true], 'the second layer shows the current decision');
    await p.getByLabel('Advertising').uncheck();
    await p.getByRole('button', { name: 'Save choices' }).click();
    const partial = await decisionEvent(p, 2);
    assert.equal(partial.method, 'custom');
    assert.deepEqual(await pageCookies(p), ['_t_an', '_t_an_x']);

    await fab.click();
    await p.getByRole('button', { name: 'Reject all' }).click();
    const w = await decisionEvent(p, 3);
    assert.equal(w.method, 'withdraw');
    assert.deepEqual(w.granted, ['necessary']);
    assert.equal(w.vid, undefined);
    assert.deepEqual(await pageCookies(p), [], 'cookies of withdrawn purposes deleted');
    assert.deepEqual((await stored(p)).granted, ['necessary']);
    const rows = await ledger(w.consent_id);
    const last = rows[rows.length - 1];
    assert.equal(last.method, 'withdraw');
    assert.deepEqual(last.granted, ['necessary']);
    const sd = await serverDecision(p);
    assert.deepEqual(sd.body.granted, ['necessary']);
    assert.ok(first.consent_id);
    await p.context().close();
  });

  it('onChange and ashiato:consent carry the same detail', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.evaluate(() => window.ashiatoConsent.onChange((d) => { window.changed = d; }));
    await p.getByRole('button', { name: 'Reject all' }).click();
    const e = await decisionEvent(p);
    assert.deepEqual(await p.evaluate(() => window.changed), e);
    assert.deepEqual(Object.keys(e).sort(), ['consent_id', 'granted', 'method', 'revision', 'token']);
    await p.context().close();
  });

  it('Google Consent Mode v2: default denied before any decision, update on each', async () => {
    const p = await newPage(s.browser);
    await p.goto(url('gcm=1'));
    await dialog(p).waitFor();
    const layer = () => p.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
    const [first] = await layer();
    assert.deepEqual(first, ['consent', 'default', {
      ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied',
      personalization_storage: 'denied', functionality_storage: 'granted', security_storage: 'granted', wait_for_update: 500,
    }]);
    await p.getByRole('button', { name: 'Accept all' }).click();
    await decisionEvent(p);
    const l = await layer();
    assert.equal(l.length, 2);
    assert.deepEqual(l[1].slice(0, 2), ['consent', 'update']);
    for (const k of ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage']) assert.equal(l[1][2][k], 'granted', k);
    await p.context().close();
  });

  it('language: <html lang>, then navigator.languages', async () => {
    const p = await newPage(s.browser, { locale: 'ja-JP' });
    await p.goto(url('lang=ja'));
    await dialog(p).waitFor();
    assert.equal(await p.locator('.acb').getAttribute('lang'), 'ja');
    assert.deepEqual(await p.locator('.acb .acb-b').allTextContents(), ['すべて拒否', 'すべて同意', '詳細設定']);
    await p.goto(url('lang=fr'));
    await dialog(p).waitFor();
    assert.equal(await p.locator('.acb').getAttribute('lang'), 'ja', 'fr is not available: navigator.languages (ja-JP) decides');
    await p.context().close();
  });

  it('no layout shift; prefers-reduced-motion stops the animation', async () => {
    for (const reducedMotion of ['no-preference', 'reduce']) {
      const p = await newPage(s.browser, { reducedMotion });
      await p.goto(url());
      await dialog(p).waitFor();
      const anim = await p.locator('.acb-d').evaluate((e) => getComputedStyle(e).animationName);
      assert.equal(anim, reducedMotion === 'reduce' ? 'none' : 'acb-in');
      await p.getByRole('button', { name: 'Customize' }).click();
      await p.getByRole('button', { name: 'Reject all' }).click();
      await decisionEvent(p);
      const shift = await p.evaluate(() => new Promise((resolve) => {
        new PerformanceObserver((list) => resolve(list.getEntries().reduce((s, e) => s + e.value, 0)))
          .observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(0), 500); // no entries at all: the observer never fires
      }));
      assert.equal(shift, 0, 'cumulative layout shift');
      const main = await p.locator('main').boundingBox();
      assert.equal(main.y, 0, 'the page was not pushed');
      await p.context().close();
    }
  });

  it('an expired stored decision asks again', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.getByRole('button', { name: 'Accept all' }).click();
    await decisionEvent(p);
    await p.evaluate(() => {
      const d = JSON.parse(localStorage.getItem('ashiato_consent'));
      d.expires_at = new Date(Date.now() - 1000).toISOString();
      localStorage.setItem('ashiato_consent', JSON.stringify(d));
    });
    await p.reload();
    await dialog(p).waitFor();
    assert.deepEqual(await events(p), []);
    assert.deepEqual(await ran(p), { analytics: undefined, ads: undefined, both: undefined });
    await p.context().close();
  });
});
