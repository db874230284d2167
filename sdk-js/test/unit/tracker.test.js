// Unit tests of the tracker's queueing, consent gating and retry queue,
// with fake browser globals (fakes.js). The browser tests repeat the
// important cases in Chromium against the real collector.
import { test, beforeEach, mock } from 'node:test'
import assert from 'node:assert/strict'
import { clearStorage, decision, page, storage } from './fakes.js'
import { KEEP, MAX, init } from '../../src/tracker.js'
import { KEY } from '../../src/consent.js'
import { QUEUE_KEY, SID_KEY } from '../../src/store.js'

const site = 'demo'
const endpoint = 'https://stats.example.com'

beforeEach(clearStorage)

test('a pageview and events of the same moment share one request', async () => {
  const p = page()
  const a = init({ site, endpoint })
  a.track('signup', { plan: 'pro', n: 2 })
  await p.tick()
  assert.equal(p.sent.length, 1)
  const [pv, ev] = p.sent[0].body
  assert.equal(p.sent[0].url, endpoint + '/api/event')
  assert.equal(p.sent[0].init.method, 'POST')
  assert.equal(p.sent[0].init.keepalive, true, 'a short body goes with keepalive')
  assert.equal(p.sent[0].init.credentials, 'include')
  assert.equal(typeof p.sent[0].init.body, 'string', 'a string body is sent as text/plain: no preflight')
  assert.deepEqual(
    { site: pv.site, type: pv.type, url: pv.url, referrer: pv.referrer, title: pv.title, screen: pv.screen, lang: pv.lang },
    { site, type: 'pageview', url: 'https://shop.example.com/a?x=1', referrer: 'https://search.example/?q=x', title: 'Title', screen: '1920x1080', lang: 'ja-JP' },
  )
  assert.deepEqual({ type: ev.type, name: ev.name, props: ev.props }, { type: 'event', name: 'signup', props: { plan: 'pro', n: 2 } })
  assert.notEqual(pv.eid, ev.eid)
})

test('anonymous mode: no consent, no visitor or session ID, nothing stored', async () => {
  const p = page()
  init({ site, endpoint })
  await p.tick()
  const [pv] = p.hits()
  assert.equal(pv.vid, undefined)
  assert.equal(pv.sid, undefined)
  assert.equal(pv.consent, undefined)
  assert.deepEqual(Object.keys(storage), [])
})

test('analytics consent adds the server-issued vid and a session ID', async () => {
  storage[KEY] = JSON.stringify(decision(['analytics']))
  const p = page()
  const a = init({ site, endpoint })
  a.track('x')
  await p.tick()
  const [pv, ev] = p.hits()
  assert.equal(pv.consent, 'tok-analytics')
  assert.equal(pv.vid, 'v_visitor123')
  assert.match(pv.sid, /^[A-Za-z0-9_-]{1,64}$/)
  assert.equal(ev.sid, pv.sid)
  assert.equal(storage[SID_KEY].split('.')[0], pv.sid)
})

test('a decision without analytics sends its token but no IDs', async () => {
  storage[KEY] = JSON.stringify(decision([]))
  const p = page()
  init({ site, endpoint })
  await p.tick()
  const [pv] = p.hits()
  assert.equal(pv.consent, 'tok-')
  assert.equal(pv.vid, undefined)
  assert.equal(pv.sid, undefined)
  assert.equal(storage[SID_KEY], undefined)
})

test('an expired stored decision counts as none', async () => {
  storage[KEY] = JSON.stringify(decision(['analytics'], { expires_at: '2000-01-01T00:00:00Z' }))
  const p = page()
  init({ site, endpoint })
  await p.tick()
  assert.equal(p.hits()[0].vid, undefined)
  assert.equal(p.hits()[0].consent, undefined)
})

test('require-consent holds every hit until the first decision', async () => {
  const p = page()
  const a = init({ site, endpoint, requireConsent: 'true' })
  a.track('early')
  await p.tick()
  assert.equal(p.sent.length, 0)
  p.consent(decision(['analytics']))
  await p.tick()
  const hits = p.hits()
  assert.deepEqual(
    hits.map((h) => h.type + ':' + (h.name || '')),
    ['pageview:', 'event:early'],
  )
  assert.ok(hits.every((h) => h.vid == 'v_visitor123' && h.sid && h.consent == 'tok-analytics'))
})

test('require-consent then refusal sends the held hits anonymously', async () => {
  const p = page()
  init({ site, endpoint, requireConsent: true })
  await p.tick()
  p.consent(decision([], { method: 'reject_all' }))
  await p.tick()
  const [pv] = p.hits()
  assert.equal(pv.type, 'pageview')
  assert.equal(pv.vid, undefined)
  assert.equal(pv.sid, undefined)
})

test('withdrawal deletes the session ID and queued identifiers at once', async () => {
  storage[KEY] = JSON.stringify(decision(['analytics']))
  let down = true
  const p = page(undefined, { respond: () => (down ? 'fail' : 202) })
  init({ site, endpoint })
  await p.tick()
  assert.ok(storage[SID_KEY])
  const queued = JSON.parse(storage[QUEUE_KEY])
  assert.equal(queued[0][1].vid, 'v_visitor123')
  p.consent(decision([], { method: 'withdraw' }))
  assert.equal(storage[SID_KEY], undefined)
  // The decision flushes the queue at once: its event goes again, without
  // the identifiers, fails again and is back in the queue.
  const resent = p.hits().at(-1)
  assert.deepEqual([resent.eid, resent.vid, resent.sid, resent.consent], [queued[0][1].eid, undefined, undefined, undefined])
  await p.tick()
  const stripped = JSON.parse(storage[QUEUE_KEY])
  assert.equal(stripped.length, 1)
  assert.deepEqual([stripped[0][1].vid, stripped[0][1].sid, stripped[0][1].consent], [undefined, undefined, undefined])
  down = false
})

test('identify is sent only with personalization consent', async () => {
  const warn = mock.method(console, 'warn', () => {})
  try {
    const p = page()
    const a = init({ site, endpoint })
    assert.equal(a.identify('user-1', { tier: 'gold' }), false)
    p.consent(decision(['analytics']))
    assert.equal(a.identify('user-1'), false)
    assert.equal(warn.mock.callCount(), 2)
    await p.tick()
    assert.ok(!p.sent.some((s) => s.url.endsWith('/api/identify')))
    p.consent(decision(['analytics', 'personalization']))
    assert.equal(a.identify('user-1', { tier: 'gold' }), true)
    const id = p.sent.find((s) => s.url.endsWith('/api/identify'))
    assert.deepEqual(id.body, { site, user_id: 'user-1', traits: { tier: 'gold' }, consent: 'tok-analytics-personalization' })
  } finally {
    warn.mock.restore()
  }
})

test('identify honours a configured purpose', () => {
  const p = page()
  storage[KEY] = JSON.stringify(decision(['analytics']))
  const a = init({ site, endpoint, identifyPurpose: 'analytics' })
  assert.equal(a.identify('u'), true)
  assert.ok(p)
})

test('network failures and 429/5xx go to the retry queue; other answers do not', async () => {
  for (const [answer, queued] of [
    ['fail', true],
    [429, true],
    [503, true],
    [500, true],
    [400, false],
    [403, false],
    [413, false],
    [202, false],
  ]) {
    clearStorage()
    const p = page(undefined, { respond: () => answer })
    init({ site, endpoint })
    await p.tick()
    assert.equal(!!storage[QUEUE_KEY], queued, String(answer))
  }
})

test('the retry queue is delivered with the same eid on the next page', async () => {
  let p = page(undefined, { respond: () => 'fail' })
  init({ site, endpoint }).track('buy', { revenue: 10 })
  await p.tick()
  const first = p.hits()
  assert.equal(first.length, 2)
  assert.equal(JSON.parse(storage[QUEUE_KEY]).length, 2)

  p = page('https://shop.example.com/b')
  init({ site, endpoint })
  await p.tick(20)
  const eids = p.hits().map((h) => h.eid)
  for (const h of first) assert.ok(eids.includes(h.eid), 'queued eid ' + h.eid + ' resent')
  assert.equal(eids.length, 3, 'two retried + the new pageview')
  assert.equal(storage[QUEUE_KEY], undefined)
})

test('SPA navigation counts each new URL once', async () => {
  const p = page('https://shop.example.com/')
  init({ site, endpoint })
  history.pushState({}, '', '/products')
  history.pushState({}, '', '/products') // same URL: not counted
  history.replaceState({}, '', '/products?sort=price')
  p.go('/products?sort=price#reviews') // fragment change, hash routing off: not counted
  globalThis.dispatch('popstate')
  p.go('/')
  globalThis.dispatch('popstate')
  await p.tick()
  const pvs = p.hits().filter((h) => h.type == 'pageview')
  assert.deepEqual(
    pvs.map((h) => h.url),
    ['https://shop.example.com/', 'https://shop.example.com/products', 'https://shop.example.com/products?sort=price', 'https://shop.example.com/'],
  )
  assert.equal(pvs[1].referrer, 'https://shop.example.com/', 'SPA pageviews name the previous page as referrer')
})

test('hash routing counts fragment navigations', async () => {
  const p = page('https://shop.example.com/#/home')
  init({ site, endpoint, hash: true })
  p.go('#/cart')
  globalThis.dispatch('popstate')
  await p.tick()
  assert.deepEqual(
    p.hits().filter((h) => h.type == 'pageview').map((h) => h.url),
    ['https://shop.example.com/#/home', 'https://shop.example.com/#/cart'],
  )
})

test('manual mode sends no automatic pageview', async () => {
  const p = page()
  const a = init({ site, endpoint, manual: '' })
  await p.tick()
  assert.equal(p.sent.length, 0)
  a.pageview({ url: 'https://shop.example.com/virtual', props: { author: 'ann' } })
  await p.tick()
  assert.deepEqual(
    p.hits().map((h) => [h.type, h.url, h.props]),
    [['pageview', 'https://shop.example.com/virtual', { author: 'ann' }]],
  )
})

test('excluded paths send nothing', async () => {
  const p = page('https://shop.example.com/admin/users')
  const a = init({ site, endpoint, exclude: '/admin/*,/preview' })
  a.track('x')
  await p.tick()
  assert.equal(p.sent.length, 0)
  history.pushState({}, '', '/shop')
  await p.tick()
  assert.deepEqual(p.hits().map((h) => h.url), ['https://shop.example.com/shop'])
})

test('localhost and webdriver are skipped unless allowed', async () => {
  const warn = mock.method(console, 'warn', () => {})
  try {
    let p = page('http://localhost:3000/')
    init({ site, endpoint }).track('x')
    await p.tick()
    assert.equal(p.sent.length, 0)
    p = page('http://localhost:3000/')
    init({ site, endpoint, allowLocalhost: '' })
    await p.tick()
    assert.equal(p.hits().length, 1)

    p = page(undefined, { webdriver: true })
    init({ site, endpoint })
    await p.tick()
    assert.equal(p.sent.length, 0)
    p = page(undefined, { webdriver: true, gpc: true })
    init({ site, endpoint, allowWebdriver: true })
    await p.tick()
    assert.equal(p.hits()[0].wd, true)
  } finally {
    warn.mock.restore()
  }
})

test('hiding the page sends engagement once, with keepalive', async () => {
  const p = page()
  init({ site, endpoint })
  await p.tick()
  globalThis.scrollY = 1000 // viewport bottom at 2000 of 2000 px
  globalThis.dispatch('scroll')
  await p.tick(30)
  globalThis.dispatch('pagehide') // Chromium, on navigation: pagehide first, still visible
  p.hide()
  const hidden = p.sent.slice(1)
  assert.equal(hidden.length, 1)
  assert.equal(hidden[0].init.keepalive, true)
  const [e] = hidden[0].body
  assert.equal(e.type, 'engagement')
  assert.equal(e.url, 'https://shop.example.com/a?x=1')
  assert.equal(e.scroll, 100)
  assert.ok(e.engaged_ms >= 25 && e.engaged_ms < 5000, String(e.engaged_ms))
})

test('the queue stub replays calls made before the script loaded', async () => {
  // The IIFE entry reads document.currentScript; emulate it.
  const p = page()
  globalThis.ashiato = { q: [['track', ['early', { a: 1 }]]] }
  document.currentScript = { src: 'https://stats.example.com/s.js', dataset: { site, props: '{"author":"ann"}' } }
  await import('../../src/snippet.js?' + Date.now())
  await p.tick()
  const hits = p.hits()
  assert.equal(p.sent[0].url, 'https://stats.example.com/api/event')
  assert.deepEqual(hits.map((h) => [h.type, h.name, h.props]), [
    ['pageview', undefined, { author: 'ann' }],
    ['event', 'early', { a: 1 }],
  ])
  assert.equal(typeof globalThis.ashiato.track, 'function')
  delete globalThis.ashiato
})

test('every hit carries only contract fields with contract types', async () => {
  const p = page()
  const a = init({ site, endpoint })
  a.track('signup')
  await p.tick(10)
  p.hide()
  const types = { site: 'string', type: 'string', name: 'string', url: 'string', referrer: 'string', title: 'string', props: 'object', screen: 'string', lang: 'string', eid: 'string', vid: 'string', sid: 'string', consent: 'string', wd: 'boolean', engaged_ms: 'number', scroll: 'number', gpc: 'boolean' }
  const hits = p.sent.flatMap((s) => s.body)
  assert.deepEqual(hits.map((h) => h.type), ['pageview', 'event', 'engagement'])
  for (const h of hits) for (const [k, v] of Object.entries(h)) assert.equal(typeof v, types[k], `${h.type}.${k} = ${JSON.stringify(v)}`)
})

test('hash routing: an in-page anchor is not a navigation', async () => {
  const p = page('https://shop.example.com/#/home')
  init({ site, endpoint, hash: true })
  for (const h of ['#top', '#/cart?step=2', '#/cart', '#faq']) {
    p.go(h)
    globalThis.dispatch('popstate')
  }
  await p.tick()
  assert.deepEqual(
    p.hits().filter((h) => h.type == 'pageview').map((h) => h.url),
    ['https://shop.example.com/#/home', 'https://shop.example.com/#/cart?step=2', 'https://shop.example.com/#/cart'],
  )
})

test('bad events are dropped alone with a warning; the API never throws', async () => {
  const warn = mock.method(console, 'warn', () => {})
  try {
    const p = page()
    const a = init({ site, endpoint })
    const circular = {}
    circular.self = circular
    a.track('ok1')
    a.track('circular', circular)
    a.track('bigint', { n: 1n })
    a.track('nested', { o: {} })
    a.track('long', { v: 'x'.repeat(257) })
    a.track('huge', { v: 'x'.repeat(256), ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => ['k' + i, 'y'.repeat(256)])) })
    a.pageview(null)
    a.pageview({ url: 'not a URL' })
    a.track('ok2', { v: 'x'.repeat(256) })
    await p.tick()
    assert.deepEqual(p.hits().filter((h) => h.type != 'engagement').map((h) => h.name || h.type), ['pageview', 'ok1', 'pageview', 'ok2'])
    const said = warn.mock.calls.map((c) => c.arguments[0])
    for (const n of ['circular', 'bigint', 'nested', 'long', 'huge']) assert.ok(said.includes('ashiato: invalid event ' + n), n)
  } finally {
    warn.mock.restore()
  }
})

test('a request carries at most 50 events and MAX characters; long bodies go without keepalive', async () => {
  const p = page()
  const a = init({ site, endpoint })
  for (let i = 0; i < 120; i++) a.track('e' + i)
  for (let i = 0; i < 10; i++) a.track('big' + i, Object.fromEntries(Array.from({ length: 30 }, (_, k) => ['k' + k, String(i).repeat(250)])))
  await p.tick()
  const names = p.hits().map((h) => h.name || h.type)
  assert.equal(names.length, 131, 'every event sent once')
  assert.equal(new Set(names).size, 131)
  for (const s of p.sent) {
    assert.ok(s.body.length <= 50, 'at most 50 events')
    assert.ok(s.init.body.length <= MAX, 'at most MAX characters: ' + s.init.body.length)
    assert.equal(s.init.keepalive, s.init.body.length < KEEP)
  }
  assert.ok(p.sent.some((s) => !s.init.keepalive))
})
