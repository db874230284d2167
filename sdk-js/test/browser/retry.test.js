// The retry queue in headless Chromium against the real collector: hits
// made while the collector is down are delivered when it is back, a
// retried hit keeps its eid so the server keeps one row, and events that
// can never be delivered (too large, invalid) are dropped instead of
// blocking the queue.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ch, DB, launch, migrate, rows, run, skip, startCollector, startPages } from './harness.js'

/** eventID is the collector's event ID of (site, eid): collector/ingest/build.go eventID. */
const eventID = (site, eid) => {
  const ns = Buffer.from('6f0d2b8e3c594f439a8e5a7c1d9e0b21', 'hex')
  const b = createHash('sha1').update(Buffer.concat([ns, Buffer.from(site), Buffer.from([0]), Buffer.from(eid)])).digest().subarray(0, 16)
  b[6] = (b[6] & 0x0f) | 0x50
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const queued = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('ashiato_q') || '[]').map((x) => x[1]))

describe('retry queue', { skip }, () => {
  let pages, browser, dataDir, script
  before(async () => {
    migrate()
    dataDir = await mkdtemp(join(tmpdir(), 'ashiato-sdk-browser-'))
    pages = await startPages()
    browser = await launch()
    script = await readFile(fileURLToPath(new URL('../../dist/s.js', import.meta.url)), 'utf8')
  })
  after(async () => {
    await browser?.close()
    await pages?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })
  // page serves the snippet from the page server (the collector may be
  // down) and points it at the collector with data-endpoint.
  const page = (collector, body = '') =>
    `<!doctype html><title>retry</title><script>${script.replace(/<\//g, '<\\/')}</script>`.replace(
      /<script>.*<\/script>/s,
      `<script defer src="/sdk/s.js" data-site="demo" data-allow-localhost data-endpoint="${collector}"></script>`,
    ) + body

  test('hits made while the collector is down are delivered once it is back', async (t) => {
    const m = run()
    pages.set('/sdk/s.js', script)
    const first = await startCollector({ dataDir })
    const addr = first.addr
    await first.stop()
    pages.set(`/${m}/down`, page(first.url))
    pages.set(`/${m}/up`, page(first.url))

    const ctx = await browser.newContext()
    t.after(() => ctx.close())
    const p = await ctx.newPage()
    await p.goto(`${pages.origin}/${m}/down`)
    await p.waitForFunction(() => window.ashiato?.track)
    await p.evaluate(() => ashiato.track('while-down', { n: 1 }))
    await p.waitForFunction(() => JSON.parse(localStorage.getItem('ashiato_q') || '[]').length == 2)
    const waiting = await queued(p)
    assert.deepEqual(waiting.map((e) => e.type).sort(), ['event', 'pageview'])

    const c = await startCollector({ dataDir, listen: addr })
    t.after(() => c.stop())
    await p.goto(`${pages.origin}/${m}/up`)
    // Leaving /down also sent its engagement, with the retry queue, to the
    // collector that was back (a keepalive request of an unloading page,
    // which the test cannot watch: the stored event IDs tell the eids).
    const got = await rows(m, (r) => r.length == 4, 'type, name, url_path')
    assert.deepEqual(
      got.map((r) => [r.url_path, r.type, r.name]).sort(),
      [
        [`/${m}/down`, 'engagement', ''],
        [`/${m}/down`, 'event', 'while-down'],
        [`/${m}/down`, 'pageview', ''],
        [`/${m}/up`, 'pageview', ''],
      ],
    )
    const ids = (await ch(`SELECT toString(event_id) AS id FROM ${DB}.events WHERE url_path LIKE '/${m}/%'`)).map((r) => r.id)
    for (const e of waiting) assert.ok(ids.includes(eventID('demo', e.eid)), 'retried with its eid')
    assert.deepEqual(await queued(p), [], 'the queue is empty once delivered')
    const [{ n }] = await ch(`SELECT count() AS n FROM ${DB}.events WHERE url_path LIKE '/${m}/%'`)
    assert.equal(Number(n), 4, 'no duplicates')
  })

  test('an answer lost after the server stored the hit: the retry keeps the eid and one row remains', async (t) => {
    const m = run()
    const c = await startCollector({ dataDir })
    t.after(() => c.stop())
    pages.set(`/${m}/lost`, page(c.url))
    const ctx = await browser.newContext()
    t.after(() => ctx.close())
    const p = await ctx.newPage()
    const bodies = []
    await p.route(c.url + '/api/event', async (route) => {
      bodies.push(route.request().postData())
      if (bodies.length > 1) return route.continue()
      const real = await route.fetch() // the collector stores the hit ...
      assert.equal(real.status(), 202)
      await route.fulfill({
        // ... but the page sees 503, as if the answer was lost to an overloaded proxy.
        status: 503,
        headers: { 'retry-after': '1', 'access-control-expose-headers': 'Retry-After', 'access-control-allow-origin': pages.origin, 'access-control-allow-credentials': 'true', 'content-type': 'application/json' },
        body: '{"error":"unavailable"}',
      })
    })
    await p.goto(`${pages.origin}/${m}/lost`)
    await p.waitForFunction(() => window.ashiato?.track)
    const deadline = Date.now() + 15e3
    while (bodies.length < 2 && Date.now() < deadline) await p.waitForTimeout(100)
    assert.equal(bodies.length, 2, 'retried after Retry-After')
    const [a, b] = bodies.map((s) => JSON.parse(s)[0])
    assert.equal(b.eid, a.eid, 'the retry reuses the eid')
    assert.equal(a.retry, undefined, 'the first send is not marked')
    assert.equal(b.retry, true, 'the retry is marked, so that any collector instance looks the eid up')
    const got = await rows(m, (r) => r.length == 1, 'type, url_path, event_id')
    assert.deepEqual([got[0].type, got[0].url_path], ['pageview', `/${m}/lost`])
    const [{ n, ids }] = await ch(`SELECT count() AS n, uniqExact(event_id) AS ids FROM ${DB}.events WHERE url_path = '/${m}/lost'`)
    assert.equal(Number(ids), 1, 'one event ID for both deliveries')
    assert.equal(Number(n), 1, 'the server collapsed the duplicate (no FINAL needed)')
    assert.deepEqual(await queued(p), [])
  })

  test('oversize, invalid and transiently failing events: every good event is stored once, nothing is retried forever', async (t) => {
    const m = run()
    const c = await startCollector({ dataDir })
    t.after(() => c.stop())
    pages.set('/sdk/s.js', script)
    pages.set(`/${m}/mixed`, page(c.url))
    const ctx = await browser.newContext()
    t.after(() => ctx.close())
    const p = await ctx.newPage()
    const warnings = []
    p.on('console', (msg) => msg.type() == 'warning' && warnings.push(msg.text()))
    const errors = []
    p.on('pageerror', (e) => errors.push(String(e)))
    // Every body that reaches the network; the first request (the
    // pageview) fails transiently (503, Retry-After: 1).
    const bodies = []
    await p.route(c.url + '/api/event', async (route) => {
      bodies.push(route.request().postData())
      if (bodies.length > 1) return route.continue()
      await route.fulfill({
        status: 503,
        headers: { 'retry-after': '1', 'access-control-expose-headers': 'Retry-After', 'access-control-allow-origin': pages.origin, 'access-control-allow-credentials': 'true', 'content-type': 'application/json' },
        body: '{"error":"unavailable"}',
      })
    })
    await p.goto(`${pages.origin}/${m}/mixed`)
    await p.waitForFunction(() => window.ashiato?.track)
    await p.evaluate(async (m) => {
      ashiato.track('good1', { n: 1 })
      ashiato.track('huge', { big: 'x'.repeat(70000) }) // over any request limit: dropped with a warning
      ashiato.track('nested', { o: { a: 1 } }) // not a flat object: dropped with a warning
      // Ten valid events of about 8 KB: 80 KB together, over Chromium's keepalive limit.
      for (let i = 0; i < 10; i++) ashiato.track('big' + i, Object.fromEntries(Array.from({ length: 30 }, (_, k) => ['k' + k, String(i).repeat(250)])))
      ashiato.pageview({ url: `http://elsewhere.example/${m}/foreign` }) // the server rejects this one event (202 with "rejected")
      ashiato.track('good2')
      await new Promise((r) => setTimeout(r, 300))
      ashiato.track('n'.repeat(201)) // alone in its request, which the server answers 400
    }, m)
    const want = ['pageview:', 'event:good1', 'event:good2', ...Array.from({ length: 10 }, (_, i) => 'event:big' + i)].sort()
    const got = await rows(m, (r) => r.length >= want.length, 'type, name', { final: false, where: "AND type != 'engagement'" })
    await p.waitForTimeout(3000) // anything retried would land meanwhile
    const all = await ch(`SELECT type, name, event_id FROM ${DB}.events WHERE url_path LIKE '/${m}/%' AND type != 'engagement'`)
    assert.deepEqual(all.map((r) => r.type + ':' + r.name).sort(), want, 'every good event stored exactly once; no invalid one')
    assert.equal(new Set(all.map((r) => r.event_id)).size, want.length)
    assert.ok(got.length <= want.length)
    assert.deepEqual(await queued(p), [], 'nothing left to retry')
    for (const b of bodies) assert.ok(Buffer.byteLength(b) <= 65536, 'each request under the 64 KiB limit: ' + Buffer.byteLength(b))
    const sentCount = bodies.length
    await p.waitForTimeout(2000)
    assert.equal(bodies.length, sentCount, 'no further requests: nothing is retried forever')
    for (const name of ['huge', 'nested']) assert.ok(warnings.some((w) => w.includes('ashiato') && w.includes(name)), `a console warning names ${name}: ${warnings}`)
    assert.deepEqual(errors, [], 'nothing thrown into the page')
  })
})
