// Keyboard, links and layout details of the banner in Chromium: the focus
// trap with "Your data", Escape only from inside the banner, absolute links
// to the collector's pages, a close control in every layer, a compact bar
// on a phone, readable switches and GPC lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, newPage, useSuite } from './harness.mjs';

const skip = skipReason();

// luminance and contrast of CSS rgb() colours (WCAG 2.x).
const lum = (c) => {
  const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
  return (x + 0.05) / (y + 0.05);
};

describe('banner polish', { skip: skip || false }, () => {
  const s = useSuite();
  const url = (q = '') => `${s.pages.origin}/?${q}`;
  const dialog = (p) => p.locator('.acb [role="dialog"]');
  const inside = (p) => p.evaluate(() => !!document.activeElement.closest('.acb [role="dialog"]'));

  it('the focus trap holds once "Your data" is shown', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await p.getByRole('button', { name: 'Accept all' }).click();
    await p.getByRole('button', { name: 'Privacy settings' }).click();
    const summary = p.locator('.acb-me summary');
    await summary.waitFor();
    await summary.focus();
    const seen = [];
    for (let i = 0; i < 25; i++) {
      await p.keyboard.press('Tab');
      assert.ok(await inside(p), `Tab ${i + 1} left the dialog (focus on ${await p.evaluate(() => document.activeElement.tagName)})`);
      seen.push(await p.evaluate(() => document.activeElement.outerHTML.slice(0, 40)));
    }
    assert.ok(seen.some((h) => h.includes('acb-me') || h.startsWith('<summary')), 'Tab comes round to the summary again');
    let last = '';
    for (let i = 0; i < 25; i++) {
      await p.keyboard.press('Shift+Tab');
      assert.ok(await inside(p), `Shift+Tab ${i + 1} left the dialog`);
      const now = await p.evaluate(() => document.activeElement.outerHTML.slice(0, 60));
      assert.notEqual(now, last, `Shift+Tab ${i + 1} is stuck on ${now}`);
      last = now;
    }
    await p.context().close();
  });

  it('Escape closes the bar only with focus inside it, and leaves the page its other Escapes', async () => {
    const p = await newPage(s.browser);
    await p.goto(url());
    await dialog(p).waitFor();
    await p.evaluate(() => document.addEventListener('keydown', (e) => { window.esc = { key: e.key, prevented: e.defaultPrevented }; }));
    await p.locator('#before').focus();
    await p.keyboard.press('Escape');
    assert.equal(await dialog(p).count(), 1, 'an Escape of the page does not close the bar');
    assert.deepEqual(await p.evaluate(() => window.esc), { key: 'Escape', prevented: false }, 'and is not marked as handled');
    await p.getByRole('button', { name: 'Customize' }).focus();
    await p.keyboard.press('Escape');
    assert.equal(await dialog(p).count(), 0, 'Escape inside the bar closes it');
    await p.context().close();
  });

  it('a policy URL that is a path links to the collector, absolute', async () => {
    const p = await newPage(s.browser);
    await p.goto(url('site=rel'));
    await dialog(p).waitFor();
    const href = await p.getByRole('link', { name: 'Privacy policy' }).getAttribute('href');
    assert.equal(href, `${s.collector.origin}/privacy/rel/external`);
    const r = await fetch(href);
    assert.equal(r.status, 200, 'the page exists on the collector');
    await p.context().close();
  });

  it('every layer has a visible close control; closing records nothing and asks again on the next page', async () => {
    const p = await newPage(s.browser);
    const posts = [];
    p.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await p.goto(url());
    for (const layer of [1, 2]) {
      await dialog(p).waitFor();
      if (layer === 2) await p.getByRole('button', { name: 'Customize' }).click();
      const x = dialog(p).getByRole('button', { name: 'Close' });
      assert.ok(await x.isVisible(), `a close control in layer ${layer}`);
      const box = await x.boundingBox();
      assert.ok(box.width >= 24 && box.height >= 24, 'a target of at least 24 × 24 px');
      await x.click();
      assert.equal(await dialog(p).count(), 0);
      await p.evaluate(() => window.ashiatoConsent.show());
    }
    assert.deepEqual(posts, [], 'closing is not a decision');
    assert.equal(await p.evaluate(() => localStorage.getItem('ashiato_consent')), null);
    await p.reload();
    await dialog(p).waitFor();
    assert.ok(await dialog(p).isVisible(), 'asked again on the next page');
    await p.context().close();
  });

  for (const lang of ['en', 'ja']) {
    it(`${lang}: on a 390 × 844 phone the bar covers at most 20 % of the screen`, async () => {
      const p = await newPage(s.browser);
      await p.setViewportSize({ width: 390, height: 844 });
      await p.goto(url(`lang=${lang}`));
      await dialog(p).waitFor();
      await p.locator('.acb-d').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
      const b = await p.locator('.acb-d').boundingBox();
      const share = (b.width * b.height) / (390 * 844);
      assert.ok(share <= 0.2, `the bar covers ${(share * 100).toFixed(1)} % (${Math.round(b.width)} × ${Math.round(b.height)} px)`);
      for (const name of lang === 'ja' ? ['すべて拒否', 'すべて同意', '詳細設定'] : ['Reject all', 'Accept all', 'Customize']) {
        const r = await p.getByRole('button', { name, exact: true }).boundingBox();
        assert.ok(r.height >= 44 && r.y + r.height <= 844, `${name}: a full-size target on screen`);
      }
      await p.context().close();
    });
  }

  for (const colorScheme of ['light', 'dark']) {
    it(`${colorScheme}: purposes are switches with clear on and off states; the GPC lock is readable`, async () => {
      const p = await newPage(s.browser, { colorScheme, gpc: true });
      await p.goto(url());
      await p.getByRole('button', { name: 'Customize' }).click();
      const sw = (id) => p.locator('#acb-p-' + id);
      await sw('analytics').waitFor();
      for (const id of ['necessary', 'analytics', 'advertising']) assert.equal(await sw(id).getAttribute('role'), 'switch', id);
      const look = (id) => sw(id).evaluate((e) => {
        const c = getComputedStyle(e);
        const k = getComputedStyle(e, '::before');
        let bg = null;
        for (let n = e.closest('.acb-d'); n && !bg; n = n.parentElement) {
          const v = getComputedStyle(n).backgroundColor;
          if (!/rgba\(0, 0, 0, 0\)|transparent/.test(v)) bg = v;
        }
        return { fill: c.backgroundColor, border: c.borderTopColor, knob: k.transform, opacity: c.opacity, page: bg };
      });
      const off = await look('analytics');
      await sw('analytics').check();
      // Read the switch once its knob has finished sliding (a 0.15 s
      // transition): right after the click it may still be where it was.
      await p.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
      const on = await look('analytics');
      assert.notEqual(on.fill, off.fill, 'on and off differ in colour');
      assert.notEqual(on.knob, off.knob, 'and in the knob position');
      assert.ok(contrast(off.border, off.page) >= 3, `the off switch's outline stands out (3:1): ${off.border} on ${off.page}`);
      assert.ok(contrast(on.fill, on.page) >= 3, `the on switch stands out (3:1): ${on.fill} on ${on.page}`);
      // The locked switch and its reason are not faded.
      const locked = await look('advertising');
      assert.equal(locked.opacity, '1');
      assert.ok(contrast(locked.border, locked.page) >= 3, 'the locked switch is visible');
      const reason = p.getByText('Your browser sends Global Privacy Control, so advertising stays off.');
      const [fg, op] = await reason.evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).opacity]);
      assert.equal(op, '1');
      assert.ok(contrast(fg, locked.page) >= 4.5, 'the reason is readable');
      const label = await p.locator('label[for="acb-p-advertising"]').evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).opacity]);
      assert.equal(label[1], '1');
      assert.ok(contrast(label[0], locked.page) >= 4.5, 'the locked purpose name is readable');
      await p.context().close();
    });
  }
});
