import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, BUDGET } from '../../scripts/build.mjs';
import { TEXTS } from '../../src/texts.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'apc-build-'));
const sizes = await build(dir);
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('committed dist is current (run `npm run build` when this fails)', async (t) => {
  for (const f of ['preferences.js', 'preferences.css']) {
    await t.test(f, () => {
      assert.ok(readFileSync(path.join(dir, f), 'utf8') === readFileSync(path.join(root, 'dist', f), 'utf8'), `dist/${f} is stale`);
    });
  }
});

test(`size budget: JS + CSS <= ${BUDGET} B gzipped`, () => {
  assert.ok(sizes.js + sizes.css <= BUDGET, `preferences.js ${sizes.js} B + preferences.css ${sizes.css} B > ${BUDGET} B`);
});

test('ja and en define the same keys, all carried by the built script', () => {
  assert.deepEqual(Object.keys(TEXTS.ja).sort(), Object.keys(TEXTS.en).sort());
  const js = readFileSync(path.join(dir, 'preferences.js'), 'utf8').replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  for (const lang of ['ja', 'en']) {
    for (const [k, v] of Object.entries(TEXTS[lang])) assert.ok(js.includes(v), `${lang}.${k} missing`);
  }
});

test('the built script is an IIFE without module syntax or dependencies', () => {
  const js = readFileSync(path.join(dir, 'preferences.js'), 'utf8');
  assert.match(js, /^\(\(\)=>\{/);
  assert.doesNotMatch(js, /\bimport\s*[{(*]|\bexport\s|require\(/);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies, undefined, 'no runtime dependencies');
});
