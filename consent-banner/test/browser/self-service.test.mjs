// "Your data" in the second layer against the real collector and
// ClickHouse: consent history, the JSON download and erasure.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { skipReason, newPage, ledger, poll, ch, DB, useSuite } from './harness.mjs';

const skip = skipReason();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// until runs f until it returns a truthy value or the deadline passes; it
// returns the last value. Erasure runs in the background and waits on
// ClickHouse mutations, so its effects are polled for.
async function until(f, ms = 90000) {
  const end = Date.now() + ms;
  let v;
  while (!(v = await f()) && Date.now() < end) await sleep(250);
  return v;
}

describe('Your data: history, download and erasure from the second layer', { skip: skip || false }, () => {
  const s = useSuite();

  const url = (q = '') => `${s.pages.origin}/?${q}`;
  const dialog = (p) => p.locator('.acb [role="dialog"]');
  const decisionEvent = async (p, n = 1) => {
    await p.waitForFunction((k) => window.events.length >= k, n);
    return p.evaluate((k) => window.events[k - 1], n);
  };
  const focused = (p) => p.evaluate(() => document.activeElement.textContent);
  const count = async (table, where) => Number((await ch(`SELECT count() AS n FROM ${DB}.${table} WHERE ${where}`))[0].n);

  // acceptAndTrack accepts everything on a page with the real tracking
  // snippet (/s.js), tracks one named event and waits until ClickHouse holds
  // it under the visitor ID the consent gave.
  async function acceptAndTrack(p, q = '') {
    await p.goto(url('snippet=1' + q));
    await p.waitForFunction(() => window.ashiato && typeof window.ashiato.track === 'function');
    await p.locator('.acb .acb-b').nth(1).click(); // Accept all, in any language
    const e = await decisionEvent(p);
    assert.ok(e.vid, 'Accept all gives a visitor ID');
    const name = 'self_' + e.consent_id.replace(/-/g, '');
    await p.evaluate((n) => window.ashiato.track(n), name);
    const [row] = await poll(`SELECT visitor_id FROM ${DB}.events WHERE site_id = 'shop' AND name = '${name}'`);
    assert.equal(row.visitor_id, e.vid);
    return { e, name };
  }

  it('is not offered without a decision that carries a visitor ID', async () => {
    const p = await newPage(s.browser);
    const calls = [];
    p.on('request', (r) => r.url().includes('/api/privacy/') && calls.push(r.url()));
    await p.goto(url());
    await p.getByRole('button', { name: 'Customize' }).click();
    await p.locator('#acb-p-analytics').waitFor();
    assert.equal(await p.locator('.acb-me').count(), 0, 'first visit: no decision, nothing to show');
    await p.getByRole('button', { name: 'Reject all' }).click();
    await decisionEvent(p);
    await p.getByRole('button', { name: 'Privacy settings' }).click();
    await p.locator('#acb-p-analytics').waitFor();
    assert.equal(await p.locator('.acb-me').count(), 0, 'a refusal names no visitor: the collector would answer 401');
    assert.deepEqual(calls, []);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('shows the history, downloads the JSON export, erases the visitor and starts afresh', async () => {
    const p = await newPage(s.browser);
    const { e, name } = await acceptAndTrack(p);
    const privacyRequests = [];
    p.on('request', async (r) => {
      if (r.url().includes('/api/privacy/me')) privacyRequests.push({ url: r.url(), headers: await r.allHeaders() });
    });

    // Layer 2 through the floating button; the section loads when opened.
    await p.getByRole('button', { name: 'Privacy settings' }).click();
    const sec = p.locator('.acb-me');
    await sec.waitFor();
    assert.equal(await sec.evaluate((d) => d.open), false, 'collapsed until asked for');
    assert.deepEqual(privacyRequests, [], 'nothing is fetched before the visitor opens it');
    await p.getByText('Your data', { exact: true }).click();
    const item = sec.locator('li');
    await item.first().waitFor();
    assert.equal(await item.count(), 1);
    const text = await item.first().textContent();
    assert.ok(text.includes(' Accept all: Strictly necessary, Usage analysis, Personalisation, Advertising'), text);
    const [row] = await ledger(e.consent_id);
    const dt = await item.first().locator('time').getAttribute('datetime');
    assert.equal(Date.parse(dt), Date.parse(row.ts.replace(' ', 'T') + 'Z'), `history time ${dt} is the ledger's ${row.ts}`);
    assert.equal(await p.getByRole('heading', { name: 'Consent history' }).count(), 1);
    const status = sec.getByRole('status');
    assert.match(await status.textContent(), /^Page views and events recorded: [1-9]\d*$/);
    // Authenticated by the collector's HttpOnly cookie and the stored token,
    // in a header: never in the URL.
    const req = privacyRequests.find((r) => new URL(r.url).pathname === '/api/privacy/me');
    assert.ok(req, 'GET /api/privacy/me');
    assert.match(req.headers.cookie || '', /(^|; )ashiato_consent=/, 'the HttpOnly cookie is sent');
    assert.equal(req.headers.authorization, 'Bearer ' + e.token);
    for (const r of privacyRequests) assert.ok(!r.url.includes(e.token) && !new URL(r.url).searchParams.has('token'), 'no token in ' + r.url);

    // Download: JSON with this visitor's event and consent, nobody else's.
    const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download my data' }).click()]);
    assert.equal(dl.suggestedFilename(), 'my-data-shop.json');
    const doc = JSON.parse(readFileSync(await dl.path(), 'utf8'));
    assert.equal(doc.subject.id, e.vid);
    assert.ok(doc.events.some((x) => x.name === name && x.visitor_id === e.vid), 'the tracked event is in the download');
    assert.ok(doc.events.every((x) => x.visitor_id === e.vid), 'only this visitor\'s events');
    assert.ok(doc.consent_log.some((x) => x.consent_id === e.consent_id && x.method === 'accept_all'));
    await p.waitForFunction(() => document.querySelector('.acb-me [role=status]').textContent === 'Your data has been downloaded.');

    // Delete: a confirm step; Cancel keeps everything and returns focus.
    const del = p.getByRole('button', { name: 'Delete my data' });
    await del.click();
    const group = p.getByRole('group', { name: /^Delete everything recorded about you on this site\?/ });
    await group.waitFor();
    assert.equal(await focused(p), 'Cancel', 'focus goes to the harmless answer');
    assert.equal(await del.count(), 0);
    await p.keyboard.press('Enter');
    assert.equal(await group.count(), 0);
    assert.equal(await focused(p), 'Delete my data', 'focus returns to the button');
    assert.equal(await count('events', `visitor_id = '${e.vid}'`) > 0, true, 'Cancel erased nothing');

    await del.click();
    await p.getByRole('button', { name: 'Delete', exact: true }).click();
    await p.waitForFunction(() => /Request number:/.test(document.querySelector('.acb-me [role=status]').textContent));
    const said = await status.textContent();
    const m = said.match(/^Your data is being deleted\. Request number: ([0-9a-f-]{36})$/);
    assert.ok(m, said);
    assert.ok(await status.evaluate((s) => s === document.activeElement), 'focus moves to the result');
    assert.equal(await sec.locator('li').count(), 0, 'the history is gone from the screen');
    assert.equal(await p.getByRole('button', { name: 'Delete my data' }).count(), 0);
    const boxes = await p.locator('.acb-ps input').evaluateAll((l) => l.map((i) => i.checked));
    assert.deepEqual(boxes, [true, false, false, false], 'nothing optional stays ticked');
    // The page is told as for a withdrawal, and the stored decision is gone.
    const w = await decisionEvent(p, 2);
    assert.equal(w.method, 'withdraw');
    assert.deepEqual(w.granted, ['necessary']);
    assert.equal(w.vid, undefined);
    assert.equal(await p.evaluate(() => localStorage.getItem('ashiato_consent')), null);
    assert.equal(await p.evaluate(() => window.ashiatoConsent.get()), null);
    const wrow = (await ledger(w.consent_id))[0];
    assert.equal(wrow.method, 'withdraw');

    // ClickHouse: the visitor's events are deleted, the ledger keeps the
    // proof without the visitor ID (the withdrawal row too), a receipt says
    // the visitor asked.
    const gone = await until(async () => (await count('events', `site_id = 'shop' AND visitor_id = '${e.vid}'`)) === 0);
    assert.ok(gone, 'the visitor\'s events are deleted');
    assert.equal(await count('events', `site_id = 'shop' AND name = '${name}'`), 0);
    const pseudo = await until(async () => (await count('consent_log', `visitor_id = '${e.vid}'`)) === 0);
    assert.ok(pseudo, 'no ledger row names the visitor');
    const proof = await ch(`SELECT consent_id, method, visitor_id FROM ${DB}.consent_log WHERE consent_id IN ('${e.consent_id}', '${w.consent_id}') ORDER BY ts`);
    assert.deepEqual(proof.map((r) => r.method).sort(), ['accept_all', 'withdraw'], 'the proof of consent stays');
    for (const r of proof) assert.match(r.visitor_id, /^erased:/);
    const receipt = await until(async () => (await ch(`SELECT requested_by, kind, verified FROM ${DB}.erasure_receipts WHERE request_id = '${m[1]}'`))[0]);
    assert.deepEqual(receipt && { ...receipt, verified: Number(receipt.verified) }, { requested_by: 'visitor', kind: 'visitor', verified: 1 });

    // On reload the visitor is new: the first layer, and a new choice gets
    // a new visitor ID whose events are kept.
    await p.reload();
    await dialog(p).waitFor();
    assert.deepEqual(await p.locator('.acb .acb-b').allTextContents(), ['Reject all', 'Accept all', 'Customize']);
    await p.waitForFunction(() => window.ashiato && typeof window.ashiato.track === 'function');
    await p.getByRole('button', { name: 'Accept all' }).click();
    const again = await decisionEvent(p);
    assert.ok(again.vid && again.vid !== e.vid, 'the erased visitor ID is not reused');
    await p.evaluate((n) => window.ashiato.track(n), name + '_after');
    const [after] = await poll(`SELECT visitor_id FROM ${DB}.events WHERE site_id = 'shop' AND name = '${name}_after'`);
    assert.equal(after.visitor_id, again.vid);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('Japanese texts', async () => {
    const p = await newPage(s.browser, { locale: 'ja-JP' });
    await acceptAndTrack(p, '&lang=ja');
    await p.getByRole('button', { name: 'プライバシー設定' }).click();
    await p.getByText('お客さまのデータ', { exact: true }).click();
    const item = p.locator('.acb-me li').first();
    await item.waitFor();
    const text = await item.textContent();
    assert.ok(text.includes(' すべて同意: 必須, 利用状況の分析, パーソナライズ, 広告'), text);
    assert.equal(await p.getByRole('heading', { name: '同意の履歴' }).count(), 1);
    assert.match(await p.locator('.acb-me [role=status]').textContent(), /^記録されたページビューとイベント: [1-9]\d*$/);
    for (const name of ['データをダウンロード', 'データを削除']) assert.equal(await p.getByRole('button', { name }).count(), 1, name);
    await p.getByRole('button', { name: 'データを削除' }).click();
    assert.equal(await focused(p), 'キャンセル');
    assert.ok(await p.getByText(/^このサイトに記録されたお客さまのデータをすべて削除しますか？/).isVisible());
    await p.context().close();
  });

  it('a failed request is said in the live region and can be retried', async () => {
    const p = await newPage(s.browser);
    await acceptAndTrack(p);
    await p.route('**/api/privacy/me?**', (r) => r.abort());
    await p.getByRole('button', { name: 'Privacy settings' }).click();
    await p.getByText('Your data', { exact: true }).click();
    const status = p.locator('.acb-me [role=status]');
    await p.waitForFunction(() => document.querySelector('.acb-me [role=status]').textContent === 'That did not work. Please try again later.');
    assert.equal(await p.locator('.acb-me li').count(), 0);
    // Closing and opening the section again retries.
    await p.unroute('**/api/privacy/me?**');
    await p.getByText('Your data', { exact: true }).click();
    await p.getByText('Your data', { exact: true }).click();
    await p.locator('.acb-me li').first().waitFor();
    assert.match(await status.textContent(), /^Page views and events recorded: /);
    await p.context().close();
  });
});
