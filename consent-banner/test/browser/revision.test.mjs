// A policy revision bump asks again: the collector restarts with a higher
// policy_revision and the stored decision no longer holds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, startCollector, newPage, ledger, useSuite } from './harness.mjs';

const skip = skipReason();

describe('policy revision', { skip: skip || false }, () => {
  const s = useSuite();
  let staleConfig;

  it('a revision bump asks again and records the new revision', async () => {
    const p = await newPage(s.browser);
    const dialog = p.locator('.acb [role="dialog"]');
    await p.goto(s.pages.origin + '/');
    await p.getByRole('button', { name: 'Accept all' }).click();
    await p.waitForFunction(() => window.events.length === 1);
    await p.reload();
    await p.waitForFunction(() => window.events.length === 1);
    assert.equal(await dialog.count(), 0, 'same revision: not asked again');

    staleConfig = await (await fetch(`${s.collector.origin}/api/consent/config?site=shop`)).text();
    const dir = s.collector.dir;
    await s.collector.stop();
    s.collector = await startCollector(2, dir);
    await p.reload();
    await dialog.waitFor();
    assert.deepEqual(await p.evaluate(() => window.events), [], 'the old decision is not applied');
    assert.deepEqual(await p.evaluate(() => [window.ranAnalytics, window.ranAds]), [undefined, undefined]);

    await p.getByRole('button', { name: 'Reject all' }).click();
    await p.waitForFunction(() => window.events.length === 1);
    const e = await p.evaluate(() => window.events[0]);
    assert.equal(e.revision, 2);
    const rows = await ledger(e.consent_id);
    const last = rows[rows.length - 1];
    assert.equal(Number(last.revision), 2);
    await p.context().close();
  });

  it('a configuration cached across the bump is fetched again when the collector refuses the old revision', async () => {
    const p = await newPage(s.browser);
    // The first configuration the page gets is the revision-1 one, as the
    // browser's HTTP cache (max-age) would hand it out.
    let served = 0;
    await p.route('**/api/consent/config*', async (route) => {
      if (served++ > 0) return route.continue();
      return route.fulfill({ status: 200, contentType: 'application/json', body: staleConfig, headers: { 'Access-Control-Allow-Origin': s.pages.origin } });
    });
    await p.goto(s.pages.origin + '/');
    await p.getByRole('button', { name: 'Accept all' }).click();
    // The collector answers 400 (field revision); the banner refetches and asks again.
    await p.locator('.acb [role="dialog"]').waitFor();
    assert.equal(served, 2);
    assert.deepEqual(await p.evaluate(() => window.events), [], 'nothing applied from the refused decision');
    await p.getByRole('button', { name: 'Accept all' }).click();
    await p.waitForFunction(() => window.events.length === 1);
    const e = await p.evaluate(() => window.events[0]);
    assert.equal(e.revision, 2);
    assert.equal(e.method, 'accept_all');
    await p.context().close();
  });
});
