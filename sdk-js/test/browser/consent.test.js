// Consent gating in headless Chromium against the real collector: what the
// snippet sends under each decision of the banner. Decisions are real
// (POST /api/consent); the page then does what the banner does: keeps the
// decision in localStorage and dispatches the ashiato:consent event.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ch, eventRequests, html, rows, run, settle, skip, useSuite } from './harness.js'

/** decide records a decision with the collector from the page and announces it as the banner does. */
const decide = (page, collector, granted, method = 'custom') =>
  page.evaluate(
    async ({ collector, granted, method }) => {
      const cfg = await (await fetch(collector + '/api/consent/config?site=demo')).json()
      const r = await fetch(collector + '/api/consent', {
        method: 'POST',
        credentials: 'include',
        body: JSON.stringify({ site: 'demo', granted, method, revision: cfg.revision, texts_hash: cfg.texts_hash, lang: 'en', gpc: false }),
      })
      const d = await r.json()
      if (r.status != 200) throw new Error('POST /api/consent: ' + r.status + ' ' + JSON.stringify(d))
      const detail = { granted: d.granted, token: d.token, consent_id: d.consent_id, vid: d.vid, revision: d.revision, method }
      localStorage.setItem('ashiato_consent', JSON.stringify({ ...detail, expires_at: d.expires_at }))
      document.dispatchEvent(new CustomEvent('ashiato:consent', { detail }))
      return detail
    },
    { collector, granted, method },
  )

const storage = (page) => page.evaluate(() => ({ sid: localStorage.getItem('ashiato_sid'), q: JSON.parse(localStorage.getItem('ashiato_q') || 'null') }))
const COLS = 'type, name, visitor_id, session_id, consent_id, toString(visitor_hash) AS vh'

describe('consent', { skip }, () => {
  const s = useSuite()
  const { newPage } = s
  const ready = (page) => page.waitForFunction(() => typeof window.ashiato?.identify == 'function')

  test('require-consent: nothing is sent before a decision', async (t) => {
    const m = run()
    s.pages.set(`/${m}/held`, html(s.c.url, { attrs: 'data-allow-localhost data-require-consent' }))
    const page = await newPage(t)
    const sent = eventRequests(page, s.c.url)
    await page.goto(`${s.pages.origin}/${m}/held`)
    await ready(page)
    await page.evaluate(() => ashiato.track('held'))
    await settle()
    assert.deepEqual(sent, [], 'no request before the decision')
    assert.deepEqual(await rows(m, () => true), [])
    const d = await decide(page, s.c.url, ['analytics'], 'accept_all')
    assert.ok(d.vid, 'the server issues a visitor ID with analytics')
    const got = await rows(m, (r) => r.length == 2, COLS)
    assert.deepEqual(
      got.map((r) => [r.type, r.name, r.visitor_id, r.consent_id]).sort(),
      [
        ['event', 'held', d.vid, d.consent_id],
        ['pageview', '', d.vid, d.consent_id],
      ],
    )
    const { sid } = await storage(page)
    assert.ok(got.every((r) => r.session_id && sid.startsWith(r.session_id + '.')))
  })

  test('no visitor or session ID before analytics consent; the server-issued one after', async (t) => {
    const m = run()
    s.pages.set(`/${m}/shop`, html(s.c.url))
    const page = await newPage(t)
    await page.goto(`${s.pages.origin}/${m}/shop`)
    await ready(page)
    const [before] = await rows(m, (r) => r.length == 1, COLS)
    assert.deepEqual([before.visitor_id, before.session_id, before.consent_id], ['', '', ''])
    assert.notEqual(before.vh, '0')
    assert.deepEqual(await storage(page), { sid: null, q: null }, 'nothing stored before consent')

    const refused = await decide(page, s.c.url, [], 'reject_all')
    assert.equal(refused.vid, undefined)
    await page.evaluate(() => ashiato.track('refused'))
    const [r1] = await rows(m, (r) => r.length == 1, COLS, { where: "AND name = 'refused'" })
    assert.deepEqual([r1.visitor_id, r1.session_id], ['', ''])
    assert.equal((await storage(page)).sid, null)

    const d = await decide(page, s.c.url, ['analytics'])
    await page.evaluate(() => ashiato.track('granted'))
    const [r2] = await rows(m, (r) => r.length == 1, COLS, { where: "AND name = 'granted'" })
    assert.equal(r2.visitor_id, d.vid)
    assert.equal(r2.consent_id, d.consent_id)
    assert.equal(r2.vh, '0')
    const { sid } = await storage(page)
    assert.equal(sid.split('.')[0], r2.session_id)

    // The next page reads the stored decision at start: same visitor, same session.
    await page.goto(`${s.pages.origin}/${m}/next`.replace('/next', '/shop?2'))
    const pvs = await rows(m, (r) => r.length == 2, COLS, { where: "AND type = 'pageview'" })
    // Both pageviews may fall in the same second (ts has seconds), so their
    // order is not known: one is the anonymous first one, the other this one.
    const ids = pvs.map((r) => [r.visitor_id, r.session_id].join(' ')).sort()
    assert.deepEqual(ids, [' ', `${d.vid} ${r2.session_id}`].sort())
  })

  test('identify is sent only when personalization is granted', async (t) => {
    const m = run()
    s.pages.set(`/${m}/account`, html(s.c.url))
    const page = await newPage(t)
    const sent = eventRequests(page, s.c.url)
    const warnings = []
    page.on('console', (msg) => msg.type() == 'warning' && warnings.push(msg.text()))
    await page.goto(`${s.pages.origin}/${m}/account`)
    await ready(page)
    assert.equal(await page.evaluate(() => ashiato.identify('cust-1', { tier: 'gold' })), false, 'no decision')
    await decide(page, s.c.url, ['analytics'])
    assert.equal(await page.evaluate(() => ashiato.identify('cust-1')), false, 'analytics only')
    await settle(500)
    assert.deepEqual(sent.filter((s) => s.url.endsWith('/api/identify')), [])
    assert.equal(warnings.filter((w) => w.includes('identify needs personalization')).length, 2)

    const d = await decide(page, s.c.url, ['analytics', 'personalization'])
    const request = page.waitForRequest(s.c.url + '/api/identify')
    assert.equal(await page.evaluate(() => ashiato.identify('cust-1', { tier: 'gold' })), true)
    const req = await request
    assert.deepEqual(JSON.parse(req.postData()), { site: 'demo', user_id: 'cust-1', traits: { tier: 'gold' }, consent: d.token })
    const res = await req.response()
    assert.equal(res?.status(), 202, 'POST /api/identify answered ' + (res ? res.status() + ' ' + (await res.text()) : 'nothing the page may read'))
  })

  test('withdrawal deletes the session ID and the queued identifiers at once', async (t) => {
    const m = run()
    s.pages.set(`/${m}/w`, html(s.c.url))
    const page = await newPage(t)
    await page.goto(`${s.pages.origin}/${m}/w`)
    await ready(page)
    const d = await decide(page, s.c.url, ['analytics'])
    await page.evaluate(() => ashiato.track('before'))
    await rows(m, (r) => r.some((x) => x.name == 'before' && x.visitor_id == d.vid), COLS)
    assert.ok((await storage(page)).sid)

    // Hits that fail now wait in the retry queue with their IDs ...
    await page.route(s.c.url + '/api/event', (route) => route.abort())
    await page.evaluate(() => ashiato.track('queued'))
    await page.waitForFunction(() => localStorage.getItem('ashiato_q'))
    const q1 = (await storage(page)).q
    assert.equal(q1[0][1].vid, d.vid)
    assert.ok(q1[0][1].sid)

    // ... until the visitor withdraws: both go at once.
    await decide(page, s.c.url, [], 'withdraw')
    // The decision flushes the queue, whose request fails again (the route
    // still aborts it): wait until the event is back in the queue.
    await page.waitForFunction(() => localStorage.getItem('ashiato_q'))
    const after = await storage(page)
    assert.equal(after.sid, null)
    assert.equal(after.q.length, 1)
    assert.deepEqual([after.q[0][1].vid, after.q[0][1].sid, after.q[0][1].consent], [undefined, undefined, undefined])

    // Delivered later without them.
    await page.unroute(s.c.url + '/api/event')
    await page.evaluate(() => ashiato.track('after'))
    const got = await rows(m, (r) => r.some((x) => x.name == 'queued') && r.some((x) => x.name == 'after'), COLS)
    for (const name of ['queued', 'after']) {
      const r = got.find((x) => x.name == name)
      assert.deepEqual([r.visitor_id, r.session_id], ['', ''], name)
    }
    assert.equal((await storage(page)).sid, null)
    assert.ok(await ch('SELECT 1'))
  })

  test('query parameters that look like personal data are stripped under every consent state', async (t) => {
    const m = run()
    s.pages.set(`/${m}/anon`, html(s.c.url))
    s.pages.set(`/${m}/full`, html(s.c.url, { attrs: 'data-allow-localhost data-hash' }))
    const page = await newPage(t)
    // Anonymous mode keeps campaign parameters, but not one that holds an e-mail address.
    await page.goto(`${s.pages.origin}/${m}/anon?utm_source=news&utm_content=a%40b.example&ref=%2B81%2090%201234%205678`)
    await ready(page)
    const [anon] = await rows(m, (r) => r.length == 1, 'url_query, utm_source, utm_content')
    assert.deepEqual(anon, { url_query: 'utm_source=news', utm_source: 'news', utm_content: '' })

    // With analytics consent the query is kept, except personal data: by
    // value (e-mail, phone number, JWT) and by name (token, password, ...).
    await decide(page, s.c.url, ['analytics'])
    const pii = [
      'email=a%40b.example',
      'contact=someone%40example.co.jp',
      'to=090-1234-5678',
      'phone_number=12',
      'id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
      'access_token=abc',
      'userPassword=x',
      'k=Zx8Qp2LmN4vR7tY1wK9sB3dF6hJ0aC5e',
    ]
    await page.goto(`${s.pages.origin}/${m}/full?tab=2&${pii.join('&')}&q=hello#/route?ts=1700000000&mail=a%40b.example&view=list`)
    const [full] = await rows(m, (r) => r.length == 1, 'url_path, url_query, visitor_id', { where: `AND url_path LIKE '/${m}/full%'` })
    assert.ok(full.visitor_id, 'analytics consent')
    assert.equal(full.url_path, `/${m}/full#/route`)
    assert.equal(full.url_query, 'q=hello&tab=2&ts=1700000000&view=list')
  })
})
