// axe-core (WCAG 2.2 AA): no serious or critical violation on the login
// page and the overview, in Japanese and English, light and dark, wide
// and 360 px.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, useSuite, newPage, login, ready, axe } from './harness.mjs';

const skip = skipReason();

describe('accessibility (axe-core)', { skip: skip || false }, () => {
  const s = useSuite();

  it('the CSP check is live: a planted inline script is refused and reported', async () => {
    const p = await newPage(s.browser);
    await p.goto(`${s.collector.origin}/dashboard/`);
    await p.locator('input[name=token]').waitFor();
    await p.evaluate(() => { const el = document.createElement('script'); el.textContent = 'window.ran = 1'; document.body.append(el); });
    await p.waitForTimeout(200);
    assert.equal(await p.evaluate(() => window.ran), undefined);
    assert.ok(p.errors.some((e) => /Content Security Policy/i.test(e)), JSON.stringify(p.errors));
    await p.context().close();
  });

  it('the check is live: a planted low-contrast text is reported', async () => {
    const p = await newPage(s.browser);
    await p.goto(`${s.collector.origin}/dashboard/`);
    await p.locator('input[name=token]').waitFor();
    await p.evaluate(() => { document.querySelector('#login h2').style.color = '#eee'; });
    assert.ok((await axe(p)).some((v) => v.id === 'color-contrast'));
    await p.context().close();
  });

  for (const locale of ['ja-JP', 'en-US']) {
    for (const colorScheme of ['light', 'dark']) {
      it(`${locale} ${colorScheme}: login, overview, funnel, retention and consent`, async () => {
        const p = await newPage(s.browser, { locale, colorScheme });
        await p.goto(`${s.collector.origin}/dashboard/`);
        await p.locator('input[name=token]').waitFor();
        assert.deepEqual(await axe(p), [], 'login');
        await login(p, s.collector.origin, s.token, '?filter=device+is+mobile');
        assert.deepEqual(await axe(p), [], 'overview');
        for (const v of ['funnel', 'retention', 'consent']) {
          await p.locator(`a[data-view=${v}]`).click();
          await ready(p);
          assert.deepEqual(await axe(p), [], v);
        }
        await p.setViewportSize({ width: 360, height: 740 });
        await p.locator('a[data-view=overview]').click();
        await ready(p);
        assert.deepEqual(await axe(p), [], 'overview at 360 px');
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at 360 px`);
        assert.deepEqual(p.errors, []);
        await p.context().close();
      });
    }
  }
});
