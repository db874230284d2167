// build writes dist/preferences.js (IIFE, minified) and
// dist/preferences.css (minified) into the given directory (default:
// dist/) and prints gzipped sizes. Used by `npm run build` and by the
// staleness test.
import { build as esbuild } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// BUDGET is the limit for JS and CSS together, gzipped.
export const BUDGET = 6 * 1024;

export async function build(outdir = path.join(root, 'dist')) {
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'silent' };
  await esbuild({ ...common, entryPoints: [path.join(root, 'src/index.js')], outfile: path.join(outdir, 'preferences.js'),
    format: 'iife', target: ['es2020'] });
  await esbuild({ ...common, entryPoints: [path.join(root, 'src/preferences.css')], outfile: path.join(outdir, 'preferences.css'),
    target: ['chrome90', 'firefox90', 'safari14'] });
  const size = (f) => gzipSync(readFileSync(path.join(outdir, f)), { level: 9 }).length;
  return { js: size('preferences.js'), css: size('preferences.css') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await build(process.argv[2]);
  const total = s.js + s.css;
  console.log(`preferences.js  ${s.js} B gzipped\npreferences.css ${s.css} B gzipped\ntotal           ${total} B of ${BUDGET} B budget`);
  if (total > BUDGET) {
    console.error('over the size budget');
    process.exit(1);
  }
}
