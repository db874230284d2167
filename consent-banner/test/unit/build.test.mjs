import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, BUDGET } from '../../scripts/build.mjs';
import { TEXTS } from '../../src/texts.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'acb-build-'));
const sizes = await build(dir);
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('committed dist is current (run `npm run build` when this fails)', async (t) => {
  for (const f of ['consent.js', 'consent.css']) {
    await t.test(f, () => {
      const fresh = readFileSync(path.join(dir, f), 'utf8');
      const committed = readFileSync(path.join(root, 'dist', f), 'utf8');
      assert.ok(fresh === committed, `dist/${f} is stale`);
    });
  }
});

test(`size budget: JS + CSS <= ${BUDGET} B gzipped`, () => {
  const total = sizes.js + sizes.css;
  assert.ok(total <= BUDGET, `consent.js ${sizes.js} B + consent.css ${sizes.css} B = ${total} B > ${BUDGET} B`);
});

test('the built script carries the Japanese and English texts', () => {
  const js = readFileSync(path.join(dir, 'consent.js'), 'utf8');
  const unescaped = js.replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  for (const lang of ['ja', 'en']) {
    for (const [k, v] of Object.entries(TEXTS[lang])) assert.ok(unescaped.includes(v), `${lang}.${k} missing`);
  }
});

test('ja and en define the same keys', () => {
  assert.deepEqual(Object.keys(TEXTS.ja).sort(), Object.keys(TEXTS.en).sort());
});

test('the built script is an IIFE without module syntax', () => {
  const js = readFileSync(path.join(dir, 'consent.js'), 'utf8');
  assert.match(js, /^\(\(\)=>\{/);
  assert.doesNotMatch(js, /\bimport\s*[{(*]|\bexport\s/);
});

test('the Japanese texts say お客さま, never お客様 (TEXTS.md)', async () => {
  const { TEXTS } = await import('../../src/texts.js');
  for (const [k, v] of Object.entries(TEXTS.ja)) assert.ok(!v.includes('お客様'), `ja.${k}: ${v}`);
  assert.ok(Object.values(TEXTS.ja).some((v) => v.includes('お客さま')));
});
