// Builds dist/: s.js (IIFE, minified by esbuild, then by terser, which
// inlines what is used once and saves about 90 bytes gzipped that the
// budget needs; served by the collector at /s.js),
// s.esm.js (ESM for bundlers) and index.d.ts. Prints the SRI hash and the
// gzipped size of s.js. Usage: node build.mjs [outdir]
import { build as esbuild } from 'esbuild'
import { minify } from 'terser'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = dirname(fileURLToPath(import.meta.url))

/** BUDGET is the most bytes dist/s.js may weigh gzipped. */
export const BUDGET = 2048

/** gzipSize returns the size of b gzipped at the highest level. */
export const gzipSize = (b) => gzipSync(b, { level: 9 }).length

/** sri returns the Subresource Integrity value of b. */
export const sri = (b) => 'sha384-' + createHash('sha384').update(b).digest('base64')

/** build writes the bundles into outdir and returns the bytes of s.js. */
export async function build(outdir = join(root, 'dist')) {
  await mkdir(outdir, { recursive: true })
  const common = { tsconfigRaw: {}, bundle: true, target: 'es2020', legalComments: 'none', logLevel: 'warning', absWorkingDir: root }
  const iife = await esbuild({ ...common, entryPoints: ['src/snippet.js'], write: false, format: 'iife', minify: true })
  const small = await minify(iife.outputFiles[0].text, { compress: { passes: 3 }, mangle: true, format: { ecma: 2020 } })
  await writeFile(join(outdir, 's.js'), small.code)
  await esbuild({ ...common, entryPoints: ['src/index.js'], outfile: join(outdir, 's.esm.js'), format: 'esm' })
  await copyFile(join(root, 'src/index.d.ts'), join(outdir, 'index.d.ts'))
  return readFile(join(outdir, 's.js'))
}

if (resolve(process.argv[1] || '') === fileURLToPath(import.meta.url)) {
  const js = await build(process.argv[2] ? resolve(process.argv[2]) : undefined)
  const gz = gzipSize(js)
  console.log(`dist/s.js: ${js.length} bytes, ${gz} bytes gzipped (budget ${BUDGET})`)
  console.log(`integrity="${sri(js)}"`)
  if (gz > BUDGET) {
    console.error('over the size budget')
    process.exit(1)
  }
}
