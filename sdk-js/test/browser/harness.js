// Harness of the browser tests: the real collector binary ($ASHIATO_BIN)
// against the real ClickHouse, headless Chromium (Debian's) driven by
// playwright-core, and a node HTTP server for the test pages.
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, after } from 'node:test'
import { chromium } from 'playwright-core'

export const BIN = process.env.ASHIATO_BIN
export const DSN = process.env.ASHIATO_CLICKHOUSE_DSN || 'clickhouse://127.0.0.1:19000/ashiato_sdk_test'
export const CH_HTTP = (process.env.ASHIATO_CH_HTTP || 'http://127.0.0.1:18123').replace(/\/+$/, '')
export const DB = new URL(DSN).pathname.slice(1) || 'ashiato'
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'

/**
 * skip is the reason to skip the browser tests, or false. They skip only
 * when ASHIATO_BIN is unset outside CI; under CI=true a missing binary is
 * a failure.
 */
export const skip = (() => {
  if (BIN) return false
  if (process.env.CI === 'true') throw new Error('ASHIATO_BIN is not set (CI=true): build the collector and set ASHIATO_BIN')
  const msg = 'browser tests skipped: set ASHIATO_BIN to the collector binary (cd /work/main && go build -o bin/ashiato ./cmd/ashiato)'
  console.warn(msg)
  return msg
})()

let migrated = false

/** migrate runs `ashiato migrate` once per process. */
export function migrate() {
  if (migrated) return
  const r = spawnSync(BIN, ['migrate', '--clickhouse-dsn', DSN], { encoding: 'utf8', timeout: 120e3 })
  if (r.status !== 0) throw new Error(`ashiato migrate failed (status ${r.status}): ${r.stderr || r.error}`)
  migrated = true
}

/**
 * startCollector starts `ashiato serve` on listen (default a free port)
 * and resolves once its log says "listening". stop() ends it with SIGTERM.
 */
export async function startCollector({ listen = '127.0.0.1:0', dataDir, args = [] } = {}) {
  const proc = spawn(BIN, ['serve', '--listen', listen, '--clickhouse-dsn', DSN, '--data-dir', dataDir, '--batch-interval', '100ms', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const log = []
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('collector did not log "listening" within 30s:\n' + log.join('\n'))), 30e3)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`collector exited with ${code}:\n` + log.join('\n')))
    })
    createInterface({ input: proc.stderr }).on('line', (line) => {
      log.push(line)
      try {
        const j = JSON.parse(line)
        if (j.msg == 'listening') clearTimeout(timer), resolve(j.addr)
      } catch {}
    })
  })
  const exited = new Promise((r) => proc.on('exit', r))
  return {
    url: 'http://' + addr,
    addr,
    log,
    stop: async () => {
      if (proc.exitCode == null) proc.kill('SIGTERM')
      await exited
    },
  }
}

/**
 * startPages serves test pages on 127.0.0.1:<random>: set(path, html)
 * registers one; any other path under /files/ answers a small file, and
 * anything else a plain page. Requests are recorded.
 */
export async function startPages() {
  const pages = new Map()
  const requests = []
  const server = createServer((req, res) => {
    requests.push(req.url)
    const path = req.url.split('?')[0]
    if (pages.has(path)) {
      res.writeHead(200, { 'content-type': (path.endsWith('.js') ? 'text/javascript' : 'text/html') + '; charset=utf-8' })
      return res.end(pages.get(path))
    }
    if (path.includes('/files/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' })
      return res.end('file')
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><title>plain</title><h1 id="plain">${path}</h1>`)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const port = server.address().port
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    set: (path, html) => pages.set(path, html),
    close: () => new Promise((r) => server.close(r)),
  }
}

/**
 * html returns a test page that loads the snippet from collector with
 * data- attributes attrs (defaults: data-site="demo" data-allow-localhost).
 */
export function html(collector, { attrs = 'data-allow-localhost', head = '', body = '', title = 'Test page' } = {}) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}
<script defer src="${collector}/s.js" data-site="demo" ${attrs}></script></head>
<body style="margin:0">${body}</body></html>`
}

/**
 * launch starts headless Chromium; navigator.webdriver is false in its
 * pages, and browser.newContext() gives contexts the User-Agent of a
 * normal Chrome (the collector rightly flags "HeadlessChrome" as a bot).
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-blink-features=AutomationControlled',
    ],
  })
  const probe = await browser.newPage()
  const userAgent = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome')
  await probe.close()
  const newContext = browser.newContext.bind(browser)
  browser.newContext = (opts) => newContext({ userAgent, ...opts })
  return browser
}

/**
 * useSuite starts, for the describe block that calls it, a collector on a
 * fresh data folder, the page server and Chromium before its tests and
 * stops them after; tests read them from the returned object (c, pages,
 * browser). s.newPage(t, opts) opens a page in a browser context of its
 * own that closes when test t ends.
 */
export function useSuite() {
  const s = {}
  let dataDir
  before(async () => {
    migrate()
    dataDir = await mkdtemp(join(tmpdir(), 'ashiato-sdk-browser-'))
    s.c = await startCollector({ dataDir })
    s.pages = await startPages()
    s.browser = await launch()
  })
  after(async () => {
    await s.browser?.close()
    await s.pages?.close()
    await s.c?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })
  s.newPage = async (t, opts) => {
    const ctx = await s.browser.newContext(opts)
    t.after(() => ctx.close())
    return ctx.newPage()
  }
  return s
}

/** run returns a random marker that keeps one test's rows apart. */
export const run = () => 'r' + randomBytes(6).toString('hex')

/** ch runs a query on ClickHouse over HTTP and returns its rows (JSONEachRow). */
export async function ch(sql) {
  const r = await fetch(`${CH_HTTP}/?database=${encodeURIComponent(DB)}`, { method: 'POST', body: sql + ' FORMAT JSONEachRow' })
  const text = await r.text()
  if (!r.ok) throw new Error(`ClickHouse ${r.status}: ${text}\n${sql}`)
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
}

/**
 * rows polls ClickHouse for the events whose url_path starts with
 * /<marker>/ until done(rows) holds, or fails after 15 s with the last rows.
 */
export async function rows(marker, done = (r) => r.length > 0, cols = '*', { final = true, where = '' } = {}) {
  const sql = `SELECT ${cols} FROM events ${final ? 'FINAL' : ''} WHERE url_path LIKE '/${marker}/%' ${where} ORDER BY ts, url_path`
  const deadline = Date.now() + 15e3
  let last = []
  while (Date.now() < deadline) {
    last = await ch(sql)
    if (done(last)) return last
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`rows for ${marker} not as expected within 15s; last:\n${JSON.stringify(last, null, 1)}`)
}

/** settle waits so that hits that should not arrive would have landed (flush is 100 ms). */
export const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms))

/** eventRequests records the POSTs a page makes to the collector's /api/ endpoints. */
export function eventRequests(page, collector) {
  const seen = []
  page.on('request', (req) => {
    if (req.url().startsWith(collector + '/api/')) seen.push({ url: req.url(), body: req.postData() })
  })
  return seen
}
