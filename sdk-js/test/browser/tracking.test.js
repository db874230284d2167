// Tracking in headless Chromium against the real collector and ClickHouse:
// pageviews, SPA navigation, clicks, custom events, the skip rules.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { eventRequests, html, rows, run, settle, skip, useSuite } from './harness.js'

describe('tracking', { skip }, () => {
  const s = useSuite()
  const { newPage } = s

  test('a pageview lands with the right fields', async (t) => {
    const m = run()
    s.pages.set(`/${m}/landing`, html(s.c.url, { title: 'Landing' }))
    const page = await newPage(t)
    assert.equal(await page.evaluate(() => navigator.webdriver), false, 'the harness hides automation')
    await page.goto(`${s.pages.origin}/${m}/landing?utm_source=newsletter&utm_medium=email&token=secret`, { referer: 'http://news.example.org/article/7' })
    const [r] = await rows(m, (r) => r.length == 1, 'site_id, type, name, url_host, url_path, url_query, title, referrer_host, utm_source, utm_medium, visitor_id, toString(visitor_hash) AS vh, session_id, consent_id, is_bot, screen, lang')
    assert.deepEqual(
      { ...r, vh: undefined, url_query: undefined },
      {
        site_id: 'demo',
        type: 'pageview',
        name: '',
        url_host: `127.0.0.1:${s.pages.port}`,
        url_path: `/${m}/landing`,
        title: 'Landing',
        referrer_host: 'news.example.org',
        utm_source: 'newsletter',
        utm_medium: 'email',
        visitor_id: '',
        session_id: '',
        consent_id: '',
        is_bot: 0,
        screen: r.screen,
        lang: r.lang,
        vh: undefined,
        url_query: undefined,
      },
    )
    assert.match(r.screen, /^\d+x\d+$/)
    assert.notEqual(r.lang, '')
    assert.notEqual(r.vh, '0', 'anonymous mode counts by the daily hash')
    assert.ok(!r.url_query.includes('secret'), 'query stripped in anonymous mode: ' + r.url_query)
  })

  test('skips localhost by default; data-allow-localhost overrides', async (t) => {
    const m = run()
    s.pages.set(`/${m}/default`, html(s.c.url, { attrs: '' }))
    const page = await newPage(t)
    const sent = eventRequests(page, s.c.url)
    const said = []
    page.on('console', (msg) => said.push(msg.text()))
    await page.goto(`${s.pages.origin}/${m}/default`)
    await page.waitForFunction(() => window.ashiato?.track)
    // The console says why nothing is sent and how to change it.
    const why = said.filter((t) => t.startsWith('ashiato:'))
    assert.equal(why.length, 1, 'one message: ' + said)
    assert.match(why[0], /localhost/)
    assert.match(why[0], /data-allow-localhost/)
    await page.evaluate(() => window.ashiato.track('ignored'))
    await settle()
    assert.deepEqual(sent, [])
    assert.deepEqual(await rows(m, () => true), [])
  })

  test('skips automated browsers (navigator.webdriver) unless data-allow-webdriver; then flags a bot', async (t) => {
    const m = run()
    s.pages.set(`/${m}/skip`, html(s.c.url))
    s.pages.set(`/${m}/bot`, html(s.c.url, { attrs: 'data-allow-localhost data-allow-webdriver' }))
    const page = await newPage(t)
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => true }))
    const sent = eventRequests(page, s.c.url)
    await page.goto(`${s.pages.origin}/${m}/skip`)
    await settle(500)
    assert.deepEqual(sent, [])
    await page.goto(`${s.pages.origin}/${m}/bot`)
    const [r] = await rows(m, (r) => r.length == 1, 'url_path, is_bot')
    assert.deepEqual(r, { url_path: `/${m}/bot`, is_bot: 1 })
  })

  test('pushState, replaceState, back/forward each count once', async (t) => {
    const m = run()
    s.pages.set(`/${m}/spa`, html(s.c.url))
    const page = await newPage(t)
    const sent = eventRequests(page, s.c.url)
    await page.goto(`${s.pages.origin}/${m}/spa`)
    await page.waitForFunction(() => window.ashiato?.track)
    await page.evaluate((m) => {
      history.pushState({}, '', `/${m}/spa/a`)
      history.pushState({}, '', `/${m}/spa/a`) // the same URL: not a new page
      history.replaceState({}, '', `/${m}/spa/b`)
      location.hash = 'section' // a fragment without hash routing: not a new page
    }, m)
    // History: /spa, /spa/a, /spa/b (replaced the second /spa/a), /spa/b#section.
    await page.goBack() // -> /spa/b: the same page
    await page.goBack() // -> /spa/a
    await page.goForward() // -> /spa/b
    const want = ['/spa', '/spa/a', '/spa/b', '/spa/a', '/spa/b'].map((p) => `/${m}${p}`)
    const got = await rows(m, (r) => r.length >= want.length, 'url_path, referrer_host', { where: "AND type = 'pageview'" })
    await settle(800)
    const urls = sent.flatMap((s) => JSON.parse(s.body)).filter((e) => e.type == 'pageview').map((e) => new URL(e.url).pathname)
    assert.deepEqual(urls, want, 'in order, as sent')
    const all = await rows(m, () => true, 'url_path', { where: "AND type = 'pageview'" })
    assert.deepEqual(all.map((r) => r.url_path).sort(), want.sort(), 'each navigation once, in ClickHouse')
    assert.ok(got.slice(1).every((r) => r.referrer_host == '127.0.0.1'), 'SPA pageviews name the previous page')
  })

  test('hash routing (data-hash) counts fragment navigations once each', async (t) => {
    const m = run()
    s.pages.set(`/${m}/hash`, html(s.c.url, { attrs: 'data-allow-localhost data-hash' }))
    const page = await newPage(t)
    const sent = eventRequests(page, s.c.url)
    await page.goto(`${s.pages.origin}/${m}/hash#/one`)
    await page.waitForFunction(() => window.ashiato?.track)
    await page.evaluate(() => (location.hash = '#/two'))
    await page.waitForFunction(() => location.hash == '#/two')
    await page.goBack()
    await page.waitForFunction(() => location.hash == '#/one')
    await rows(m, (r) => r.length >= 3, 'url_path', { where: "AND type = 'pageview'" })
    await settle(800)
    const urls = sent.flatMap((s) => JSON.parse(s.body)).filter((e) => e.type == 'pageview').map((e) => new URL(e.url).hash)
    assert.deepEqual(urls, ['#/one', '#/two', '#/one'])
    const all = await rows(m, () => true, 'url_path', { where: "AND type = 'pageview'" })
    assert.equal(all.length, 3)
  })

  test('hash routing: in-page anchors are not pageviews; a route keeps its query as the site keeps queries', async (t) => {
    const m = run()
    s.pages.set(`/${m}/app`, html(s.c.url, { attrs: 'data-allow-localhost data-hash', body: '<a id="to-top" href="#top">top</a><div style="height:3000px"></div><h2 id="top">Top</h2>' }))
    const page = await newPage(t)
    const sent = eventRequests(page, s.c.url)
    await page.goto(`${s.pages.origin}/${m}/app#/r1`)
    await page.waitForFunction(() => window.ashiato?.track)
    await page.click('#to-top') // an anchor, not a route
    await page.waitForFunction(() => location.hash == '#top')
    await page.evaluate(() => (location.hash = '#/r2?ref=menu&tab=1'))
    await page.waitForFunction(() => location.hash == '#/r2?ref=menu&tab=1')
    await page.evaluate(() => (location.hash = '#/r2'))
    await page.waitForFunction(() => location.hash == '#/r2')
    await page.goBack() // -> #/r2?ref=menu&tab=1
    await page.goBack() // -> #top: an anchor again
    await rows(m, (r) => r.length >= 4, 'url_path', { where: "AND type = 'pageview'" })
    await settle(800)
    const urls = sent.flatMap((s) => JSON.parse(s.body)).filter((e) => e.type == 'pageview').map((e) => new URL(e.url).hash)
    assert.deepEqual(urls, ['#/r1', '#/r2?ref=menu&tab=1', '#/r2', '#/r2?ref=menu&tab=1'], 'routes only, each navigation once')
    const all = await rows(m, () => true, 'url_path, url_query', { where: "AND type = 'pageview'" })
    // Anonymous mode keeps campaign parameters only (ref), in a route's query as in the page's.
    assert.deepEqual(
      all.map((r) => r.url_path + '?' + r.url_query).sort(),
      [`/${m}/app#/r1?`, `/${m}/app#/r2?`, `/${m}/app#/r2?ref=menu`, `/${m}/app#/r2?ref=menu`].sort(),
    )
  })

  test('a bad track call throws nothing into the page and loses no other event', async (t) => {
    const m = run()
    s.pages.set(`/${m}/bad`, html(s.c.url))
    const page = await newPage(t)
    const errors = []
    page.on('pageerror', (e) => errors.push(String(e)))
    const warnings = []
    page.on('console', (msg) => msg.type() == 'warning' && warnings.push(msg.text()))
    await page.goto(`${s.pages.origin}/${m}/bad`)
    await page.waitForFunction(() => window.ashiato?.track)
    const thrown = await page.evaluate(() => {
      const circular = { a: 1 }
      circular.self = circular
      const thrown = []
      const call = (f) => {
        try {
          f()
        } catch (e) {
          thrown.push(String(e))
        }
      }
      call(() => ashiato.track('before', { ok: true }))
      call(() => ashiato.track('circular', circular))
      call(() => ashiato.track('bigint', { n: 10n }))
      call(() => ashiato.track('symbol', { s: Symbol('x') }))
      call(() => ashiato.track('not-an-object', 'props'))
      call(() => ashiato.pageview(null))
      call(() => ashiato.pageview({ url: 'not a URL' }))
      call(() => ashiato.identify('u1', circular))
      call(() => ashiato.track('after', { n: 2 }))
      return thrown
    })
    assert.deepEqual(thrown, [], 'the API throws nothing')
    const got = await rows(m, (r) => r.filter((x) => x.type == 'event').length >= 2, 'type, name')
    await settle()
    const events = (await rows(m, () => true, 'type, name', { where: "AND type = 'event'" })).map((r) => r.name)
    // not-an-object is rejected by the collector alone; the others never leave the page.
    assert.deepEqual(events.sort(), ['after', 'before'], 'the good events, and only them')
    assert.ok(got.some((r) => r.type == 'pageview'))
    assert.deepEqual(errors, [], 'no uncaught error from s.js')
    for (const name of ['circular', 'bigint', 'symbol']) assert.ok(warnings.some((w) => w.includes(name)), `warned about ${name}: ${warnings}`)
  })

  test('outbound and download clicks are recorded and navigation still happens', async (t) => {
    const m = run()
    const out = `http://localhost:${s.pages.port}/${m}/elsewhere?ref=1`
    s.pages.set(
      `/${m}/links`,
      html(s.c.url, {
        body: `<a id="out" href="${out}">out</a> <a id="blank" target="_blank" href="http://localhost:${s.pages.port}/${m}/blank">blank</a>
<a id="mid" href="http://localhost:${s.pages.port}/${m}/middle">middle</a> <a id="pdf" href="/${m}/files/report.pdf">pdf</a>
<a id="in" href="/${m}/inside">inside</a>`,
      }),
    )
    const page = await newPage(t)
    await page.goto(`${s.pages.origin}/${m}/links`)
    await page.waitForFunction(() => window.ashiato?.track)

    const download = page.waitForEvent('download')
    await page.click('#pdf')
    assert.equal((await download).suggestedFilename(), 'report.pdf')

    const popup = page.waitForEvent('popup')
    await page.click('#blank')
    await (await popup).waitForLoadState()

    const tab = page.context().waitForEvent('page')
    await page.click('#mid', { button: 'middle' })
    await tab

    const tab2 = page.context().waitForEvent('page')
    await page.click('#mid', { modifiers: [process.platform == 'darwin' ? 'Meta' : 'Control'] })
    await tab2

    await page.click('#out')
    await page.waitForURL(out)
    assert.equal(await page.textContent('#plain'), `/${m}/elsewhere`, 'same-tab outbound navigation happened')

    const got = await rows(m, (r) => r.length >= 5, 'name, prop_keys, prop_values', { where: "AND type = 'event' AND url_path = '/" + m + "/links'" })
    const byName = got.map((r) => [r.name, Object.fromEntries(r.prop_keys.map((k, i) => [k, r.prop_values[i]])).url])
    assert.deepEqual(byName.sort(), [
      ['download', `${s.pages.origin}/${m}/files/report.pdf`],
      ['outbound', `http://localhost:${s.pages.port}/${m}/blank`],
      ['outbound', `http://localhost:${s.pages.port}/${m}/elsewhere`],
      ['outbound', `http://localhost:${s.pages.port}/${m}/middle`],
      ['outbound', `http://localhost:${s.pages.port}/${m}/middle`],
    ].sort())
  })

  test('custom events with props, including calls queued before the script loaded', async (t) => {
    const m = run()
    const stub = `<script>window.ashiato=window.ashiato||{q:[],track:function(){this.q.push(["track",arguments])}};ashiato.track("early",{step:1})</script>`
    s.pages.set(`/${m}/shop`, html(s.c.url, { head: stub, attrs: 'data-allow-localhost data-props=\'{"author":"ann"}\'' }))
    const page = await newPage(t)
    await page.goto(`${s.pages.origin}/${m}/shop`)
    await page.waitForFunction(() => typeof window.ashiato?.identify == 'function')
    await page.evaluate(() => {
      ashiato.track('purchase', { revenue: 1200.5, currency: 'JPY', first: true })
      ashiato.track('404', { path: '/missing' })
    })
    const got = await rows(m, (r) => r.length >= 4, 'type, name, prop_keys, prop_values')
    const view = got.map((r) => [r.type, r.name, Object.fromEntries(r.prop_keys.map((k, i) => [k, r.prop_values[i]]))])
    const find = (name) => view.find((v) => v[1] == name)
    assert.deepEqual(find(''), ['pageview', '', { author: 'ann' }])
    assert.deepEqual(find('early'), ['event', 'early', { step: '1' }])
    assert.deepEqual(find('purchase'), ['event', 'purchase', { revenue: '1200.5', currency: 'JPY', first: 'true' }])
    assert.deepEqual(find('404'), ['event', '404', { path: '/missing' }])
    assert.equal(view.length, 4)
  })

  test('engagement (visible time and scroll depth) is sent once when the page is hidden', async (t) => {
    const m = run()
    s.pages.set(`/${m}/long`, html(s.c.url, { body: '<div style="height:4000px">long</div>' }))
    const page = await newPage(t, { viewport: { width: 800, height: 1000 } })
    await page.goto(`${s.pages.origin}/${m}/long`)
    await page.waitForFunction(() => window.ashiato?.track)
    await page.evaluate(() => window.scrollTo(0, 1000)) // bottom at 2000 of 4000 px: 50%
    await page.waitForTimeout(300)
    await page.goto(`${s.pages.origin}/${m}/next`) // pagehide
    const sent = []
    const [e] = await rows(m, (r) => r.length == 1, 'url_path, engaged_ms, scroll_depth, event_id', { where: "AND type = 'engagement'" })
    assert.equal(e.url_path, `/${m}/long`)
    assert.equal(e.scroll_depth, 50)
    assert.ok(e.engaged_ms >= 300 && e.engaged_ms < 60e3, 'engaged_ms ' + e.engaged_ms)
  })

  test('the ES module works for bundlers: init() with options', async (t) => {
    const m = run()
    s.pages.set('/sdk/s.esm.js', await readFile(fileURLToPath(new URL('../../dist/s.esm.js', import.meta.url)), 'utf8'))
    s.pages.set(
      `/${m}/esm`,
      `<!doctype html><title>esm</title><script type="module">
import { init } from '/sdk/s.esm.js'
window.tracker = init({ site: 'demo', endpoint: ${JSON.stringify(s.c.url)}, allowLocalhost: true, props: { build: 'esm' } })
window.tracker.track('from-module', { ok: true })
</script>`,
    )
    const page = await newPage(t)
    await page.goto(`${s.pages.origin}/${m}/esm`)
    await page.waitForFunction(() => window.tracker)
    await page.evaluate((m) => history.pushState({}, '', `/${m}/esm/next`), m)
    const got = await rows(m, (r) => r.length >= 3, 'type, name, url_path, prop_keys, prop_values', { where: "AND type != 'engagement'" })
    assert.deepEqual(
      got.map((r) => [r.type, r.name, r.url_path, r.prop_keys.join()]).sort(),
      [
        ['event', 'from-module', `/${m}/esm`, 'ok'],
        ['pageview', '', `/${m}/esm`, 'build'],
        ['pageview', '', `/${m}/esm/next`, 'build'],
      ],
    )
  })
})
