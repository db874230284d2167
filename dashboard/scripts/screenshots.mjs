// screenshots writes docs/screenshots/dashboard-{ja,en}-{light,dark}[-phone].png
// (desktop 1280 × 900 and a 360 × 780 phone): the overview of the seeded
// demo site (test/browser/harness.mjs), with a filter, against the real
// collector (ASHIATO_BIN).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BIN, seed, startCollector, launch, newPage, login, root } from '../test/browser/harness.mjs';

if (!BIN) {
  console.error('set ASHIATO_BIN (and ASHIATO_CLICKHOUSE_DSN) to a built collector');
  process.exit(2);
}
const out = path.resolve(root, '../docs/screenshots');
mkdirSync(out, { recursive: true });
const token = await seed();
const collector = await startCollector();
const browser = await launch();
try {
  for (const lang of ['ja', 'en']) {
    for (const colorScheme of ['light', 'dark']) {
      for (const [suffix, width, height] of [['', 1280, 900], ['-phone', 360, 780]]) {
        const p = await newPage(browser, { colorScheme, locale: lang === 'ja' ? 'ja-JP' : 'en-US', width, height });
        await login(p, collector.origin, token, '?compare=previous&filter=device+is+mobile');
        const file = path.join(out, `dashboard-${lang}-${colorScheme}${suffix}.png`);
        await p.screenshot({ path: file });
        await p.context().close();
        console.log('wrote', path.relative(path.resolve(root, '..'), file));
      }
    }
  }
} finally {
  await browser.close();
  await collector.stop();
}
