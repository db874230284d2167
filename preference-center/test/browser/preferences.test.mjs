// The preference center in headless Chromium against the real collector
// and ClickHouse: a signed-in customer's notice preferences, the mailer's
// check, one-click unsubscribe links, a disclosure request through its
// states with its download, refused tokens, and accessibility.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { skipReason, useSuite, newPage, axe, mint } from './harness.mjs';

const skip = skipReason();

describe('preference center', { skip: skip || false }, () => {
  const s = useSuite();

  // open shows the account page of user and waits for the component.
  async function open(user, opts = {}) {
    const p = await newPage(s.browser, opts);
    await p.goto(`${s.pages.origin}/account?user=${user}&lang=${opts.lang || 'en'}${opts.token ? '&token=' + opts.token : ''}`);
    if (!opts.token) await p.locator('.apc[data-ready]').waitFor();
    return p;
  }
  const check = async (user, topic) => JSON.parse((await s.collector.adminAPI('GET', `/preferences/check?site=shop&user=${user}&channel=email&topic=${topic}`)).body);

  it('campaign e-mail turned off stays off after a reload, and the mailer is told at once', async () => {
    const p = await open('alice');
    const box = p.locator('#apc-campaigns-email');
    assert.equal(await box.isChecked(), true, 'campaigns are on by default');
    assert.deepEqual(await check('alice', 'campaigns'), { site: 'shop', channel: 'email', topic: 'campaigns', allow: true, reason: 'default_on' });
    await box.focus();
    await p.keyboard.press('Space'); // keyboard-usable
    await p.locator('.apc-s', { hasText: 'Saved' }).waitFor();
    assert.deepEqual(await check('alice', 'campaigns'), { site: 'shop', channel: 'email', topic: 'campaigns', allow: false, reason: 'opted_out' });
    await p.reload();
    await p.locator('.apc[data-ready]').waitFor();
    assert.equal(await p.locator('#apc-campaigns-email').isChecked(), false, 'off after a reload');
    assert.equal(await p.locator('#apc-campaigns-sms').isChecked(), true, 'other channels untouched');
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('the transactional topic is shown on, with its reason, and cannot be turned off', async () => {
    const p = await open('bob', { lang: 'ja', locale: 'ja-JP' });
    const box = p.locator('#apc-orders-email');
    assert.equal(await box.isChecked(), true);
    assert.equal(await box.isDisabled(), true);
    const why = await p.locator('#apc-r-orders').textContent();
    assert.match(why, /停止できません: ご注文の確認など/);
    assert.equal(await box.getAttribute('aria-describedby'), 'apc-r-orders');
    // The API refuses it too, whatever the page does.
    const r = await p.evaluate(async ([origin, tok]) => {
      const res = await fetch(origin + '/api/preferences', { method: 'POST', headers: { Authorization: 'Bearer ' + tok },
        body: JSON.stringify({ site: 'shop', channel: 'email', topic: 'orders', on: false }) });
      return { status: res.status, body: await res.json() };
    }, [s.collector.origin, mint('bob')]);
    assert.equal(r.status, 403);
    assert.match(r.body.reason, /cannot be turned off/);
    assert.deepEqual((await check('bob', 'orders')).allow, true);
    await p.context().close();
  });

  it('a one-click unsubscribe link works once; a tampered link is refused', async () => {
    const minted = JSON.parse((await s.collector.adminAPI('POST', '/preferences/links', { site: 'shop', user: 'carol', channel: 'email', topic: 'campaigns' })).body);
    assert.equal(minted.list_unsubscribe_post, 'List-Unsubscribe=One-Click');
    const url = new URL(minted.url);
    const link = s.collector.origin + url.pathname + url.search;
    const p = await newPage(s.browser);
    await p.goto(link); // GET shows a confirm page and changes nothing
    assert.equal((await check('carol', 'campaigns')).allow, true);
    await p.getByRole('button', { name: 'Unsubscribe' }).click();
    await p.getByRole('heading', { name: 'Unsubscribed' }).waitFor();
    assert.deepEqual((await check('carol', 'campaigns')).reason, 'opted_out');
    // The mail client's POST (RFC 8058) with the same link: used already.
    const again = await fetch(link, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(again.status, 403);
    assert.match(await again.text(), /used already/);
    // Tampered: one character of the sealed token changed.
    const t = url.searchParams.get('t');
    const i = Math.floor(t.length / 2);
    const forged = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    await p.goto(`${s.collector.origin}/api/unsubscribe?t=${forged}`);
    await p.getByRole('heading', { name: 'Could not unsubscribe' }).waitFor();
    assert.match(await p.content(), /not valid/);
    assert.equal(await p.getByRole('button').count(), 0);
    await p.context().close();
  });

  it('a disclosure request moves through its states and its export downloads', async () => {
    const p = await open('erin');
    await p.locator('#apc-kind').selectOption('disclosure');
    await p.getByRole('button', { name: 'Send the request' }).click();
    await p.locator('.apc-req[data-state="received"]').waitFor();
    const list = JSON.parse((await s.collector.adminAPI('GET', '/requests?site=shop')).body).requests;
    const mine = list.find((r) => r.kind === 'disclosure' && r.state === 'received');
    assert.ok(mine, JSON.stringify(list));
    const days = (Date.parse(mine.deadline) - Date.parse(mine.filed_at.slice(0, 10))) / 864e5;
    assert.ok(days >= 13 && days <= 15, `deadline ${mine.deadline} for filing ${mine.filed_at}`);
    for (const state of ['verified', 'in_progress', 'completed']) {
      const r = await s.collector.adminAPI('POST', `/requests/${mine.request_id}/advance`, { state });
      assert.equal(r.status, 200, r.body);
      await p.reload();
      await p.locator(`.apc-req[data-state="${state}"]`).waitFor();
    }
    assert.match(await p.locator('.apc-req .apc-st').textContent(), /Completed/);
    const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download my data' }).click()]);
    const j = JSON.parse(readFileSync(await dl.path(), 'utf8'));
    assert.equal(j.subject.site, 'shop');
    assert.ok(j.privacy_requests.some((r) => r.state === 'completed'), JSON.stringify(j.privacy_requests));
    assert.ok(Array.isArray(j.preference_log));
    await p.context().close();
  });

  const refused = { expired: 'an expired customer token', forged: 'a forged customer token', identify: 'an identify assertion (another scope)' };
  for (const token of Object.keys(refused)) {
    it(`${refused[token]} is refused`, async () => {
      const p = await open('frank', { token });
      await p.locator('.apc[data-expired]').waitFor();
      // The status is written 30 ms later (a new text for screen readers).
      await p.locator('.apc-s').filter({ hasText: /sign-in has expired/ }).waitFor({ timeout: 5000 });
      assert.equal(await p.locator('#apc-campaigns-email').count(), 0, 'nothing shown');
      await p.context().close();
    });
  }

  for (const lang of ['ja', 'en']) {
    for (const colorScheme of ['light', 'dark']) {
      it(`axe-core: no serious or critical violation (${lang}, ${colorScheme})`, async () => {
        const p = await open('grace', { lang, colorScheme, locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
        await p.locator('#apc-kind').selectOption('stop');
        await p.getByRole('button', { name: lang === 'ja' ? '請求する' : 'Send the request' }).click();
        await p.locator('.apc-req').first().waitFor();
        const bad = (await axe(p)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(bad, [], JSON.stringify(bad, null, 1));
        await p.context().close();
      });
    }
  }
});
