// The committed dist/ files are what the collector embeds and serves:
// they must be current and /s.js must stay within its size budget.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUDGET, build, gzipSize } from '../../build.mjs'

const dist = fileURLToPath(new URL('../../dist', import.meta.url))

test('dist/ is current: a fresh build gives the same files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ashiato-sdk-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await build(dir)
  const files = (await readdir(dir)).sort()
  assert.deepEqual(files, ['index.d.ts', 's.esm.js', 's.js'])
  for (const f of files) {
    const [fresh, committed] = await Promise.all([readFile(join(dir, f)), readFile(join(dist, f)).catch(() => Buffer.alloc(0))])
    assert.ok(fresh.equals(committed), `dist/${f} is stale: run npm run build and commit dist/`)
  }
})

test(`dist/s.js is at most ${BUDGET} bytes gzipped`, async () => {
  const size = gzipSize(await readFile(join(dist, 's.js')))
  assert.ok(size <= BUDGET, `dist/s.js is ${size} bytes gzipped, over the ${BUDGET}-byte budget`)
})
