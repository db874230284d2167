// The retry queue in headless Chromium against the real collector: hits
// made while the collector is down are delivered when it is back, and a
// retried hit keeps its eid so the server keeps one row.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ch, DB, eventRequests, launch, migrate, rows, run, skip, startCollector, startPages } from './harness.js'

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
    const sent = eventRequests(p, c.url)
    await p.goto(`${pages.origin}/${m}/up`)
    // Leaving /down also sent its engagement, by beacon, to the collector that was back.
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
    const eids = sent.flatMap((s) => JSON.parse(s.body)).map((e) => e.eid)
    for (const e of waiting) assert.ok(eids.includes(e.eid), 'retried with its eid')
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
})
