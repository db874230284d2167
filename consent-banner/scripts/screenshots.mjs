// screenshots writes docs/screenshots/banner-{ja,en}-{light,dark}[-phone][-settings].png
// (desktop 1024 × 820 and a 390 × 844 phone)
// from the banner running against the real collector (ASHIATO_BIN).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BIN, startCollector, startPages, launch, newPage, root } from '../test/browser/harness.mjs';

if (!BIN) {
  console.error('set ASHIATO_BIN (and ASHIATO_CLICKHOUSE_DSN) to a built collector');
  process.exit(2);
}
const out = path.resolve(root, '../docs/screenshots');
mkdirSync(out, { recursive: true });
const collector = await startCollector(1);
const pages = await startPages(() => collector);
const browser = await launch();
try {
  for (const lang of ['ja', 'en']) {
    for (const colorScheme of ['light', 'dark']) {
      const p = await newPage(browser, { colorScheme, reducedMotion: 'reduce', locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
      await p.setViewportSize({ width: 1024, height: 820 });
      await p.goto(`${pages.origin}/?lang=${lang}`);
      await p.locator('.acb [role="dialog"]').waitFor();
      const name = (s) => path.join(out, `banner-${lang}-${colorScheme}${s}.png`);
      await p.screenshot({ path: name('') });
      await p.locator('.acb-b2').click();
      await p.locator('.acb details summary').first().click();
      await p.screenshot({ path: name('-settings') });
      await p.context().close();
      // A 390 × 844 phone: the compact bar, then the settings layer.
      const m = await newPage(browser, { colorScheme, reducedMotion: 'reduce', locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
      await m.setViewportSize({ width: 390, height: 844 });
      await m.goto(`${pages.origin}/?lang=${lang}`);
      await m.locator('.acb [role="dialog"]').waitFor();
      await m.screenshot({ path: name('-phone') });
      await m.locator('.acb-b2').click();
      await m.screenshot({ path: name('-phone-settings') });
      await m.context().close();
      console.log('wrote', ['', '-settings', '-phone', '-phone-settings'].map((x) => path.relative(root, name(x))).join(' '));
    }
  }
} finally {
  await browser.close();
  await pages.close();
  await collector.stop();
  collector.cleanup();
}
