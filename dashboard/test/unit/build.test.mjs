// The committed dist/ must be what src/ builds to (the collector embeds
// dist/), and within the size budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, BUDGET } from '../../scripts/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('dist/ is up to date and within budget', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dash-build-'));
  try {
    const s = await build(dir);
    for (const f of ['app.js', 'app.css', 'index.html']) {
      assert.equal(readFileSync(path.join(dir, f), 'utf8'), readFileSync(path.join(root, 'dist', f), 'utf8'),
        `dist/${f} is stale: run npm run build`);
    }
    assert.ok(s.js + s.css <= BUDGET, `${s.js + s.css} B over ${BUDGET} B`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
