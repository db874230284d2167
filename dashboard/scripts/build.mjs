// build writes dist/app.js (IIFE, minified), dist/app.css (minified) and
// dist/index.html into the given directory (default: dist/) and prints
// gzipped sizes. Used by `npm run build` and by the staleness test.
import { build as esbuild } from 'esbuild';
import { readFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// BUDGET is the limit for JS and CSS together, gzipped (dashboard.Budget).
export const BUDGET = 80 * 1024;

export async function build(outdir = path.join(root, 'dist')) {
  mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'silent' };
  await esbuild({ ...common, entryPoints: [path.join(root, 'src/main.js')], outfile: path.join(outdir, 'app.js'),
    format: 'iife', target: ['es2020'] });
  await esbuild({ ...common, entryPoints: [path.join(root, 'src/app.css')], outfile: path.join(outdir, 'app.css'),
    target: ['chrome100', 'firefox100', 'safari15'] });
  copyFileSync(path.join(root, 'src/index.html'), path.join(outdir, 'index.html'));
  const size = (f) => gzipSync(readFileSync(path.join(outdir, f)), { level: 9 }).length;
  return { js: size('app.js'), css: size('app.css') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await build(process.argv[2]);
  const total = s.js + s.css;
  console.log(`app.js  ${s.js} B gzipped\napp.css ${s.css} B gzipped\ntotal   ${total} B of ${BUDGET} B budget`);
  if (total > BUDGET) {
    console.error('over the size budget');
    process.exit(1);
  }
}
