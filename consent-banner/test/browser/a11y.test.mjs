// axe-core (WCAG 2.2 AA rule set) on the banner in both languages, both
// colour schemes, both layouts, first and second layer, and "Your data".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, newPage, axe, useSuite } from './harness.mjs';

const skip = skipReason();

describe('accessibility (axe-core, WCAG 2.2 AA)', { skip: skip || false }, () => {
  const s = useSuite();

  const none = (v, where) => assert.deepEqual(v, [], `${where}: ${JSON.stringify(v, null, 1)}`);

  it('the check is live: a planted low-contrast button is reported', async () => {
    const p = await newPage(s.browser);
    await p.goto(`${s.pages.origin}/?site=boxed`);
    await p.locator('.acb [role="dialog"]').waitFor();
    await p.addStyleTag({ content: '.acb .acb-b{animation:none;color:#999!important;background:#aaa!important}' });
    const v = await axe(p);
    assert.ok(v.some((x) => x.id === 'color-contrast'), JSON.stringify(v));
    await p.context().close();
  });

  for (const lang of ['ja', 'en']) {
    for (const colorScheme of ['light', 'dark']) {
      for (const site of ['shop', 'boxed']) {
        it(`${lang} ${colorScheme} ${site}: zero violations on both layers and the settings button`, async () => {
          const p = await newPage(s.browser, { colorScheme, gpc: site === 'shop' });
          await p.goto(`${s.pages.origin}/?lang=${lang}&site=${site}`);
          await p.locator('.acb [role="dialog"]').waitFor();
          // Let the entry animation finish so colours are final.
          await p.locator('.acb-d').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
          none(await axe(p), 'first layer');
          await p.locator('.acb-b2').click();
          await p.locator('#acb-p-analytics').waitFor();
          await p.locator('.acb-d').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
          for (const d of await p.locator('.acb details').all()) await d.evaluate((e) => { e.open = true; });
          none(await axe(p), 'second layer');
          await p.locator('.acb-b').first().click();
          await p.locator('.acb-fb').waitFor();
          none(await axe(p), 'after the decision');
          assert.deepEqual(p.errors, []);
          await p.context().close();
        });
      }
    }
  }

  for (const lang of ['ja', 'en']) {
    for (const colorScheme of ['light', 'dark']) {
      it(`${lang} ${colorScheme}: zero violations in "Your data" (history, confirm step, result)`, async () => {
        const p = await newPage(s.browser, { colorScheme });
        await p.goto(`${s.pages.origin}/?lang=${lang}`);
        await p.locator('.acb .acb-b').nth(1).click(); // Accept all
        await p.locator('.acb-fb').click();
        await p.locator('.acb-me summary').click();
        await p.locator('.acb-me li').waitFor();
        await p.locator('.acb-d').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
        none(await axe(p), 'history');
        await p.locator('.acb-me .acb-l').nth(1).click(); // Delete my data
        await p.locator('.acb-me [role=group]').waitFor();
        none(await axe(p), 'confirm step');
        await p.locator('.acb-me [role=group] .acb-l').first().click(); // Delete
        await p.waitForFunction(() => document.querySelector('.acb-me [role=status]') === document.activeElement);
        none(await axe(p), 'result');
        assert.deepEqual(p.errors, []);
        await p.context().close();
      });
    }
  }
});
