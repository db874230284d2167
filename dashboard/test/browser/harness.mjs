// Test harness for the dashboard's browser tests: a fresh database filled
// by `ashiato seed` (deterministic traffic of the demo site over 40 days
// up to now, inserted), the real collector (ASHIATO_BIN) serving the
// dashboard, a few hundred more events sent through its ingestion, a
// query token, and headless Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.ASHIATO_BIN || '';
export const DSN = process.env.ASHIATO_CLICKHOUSE_DSN || 'clickhouse://127.0.0.1:19000/ashiato_dashboard_test';
export const CH = (process.env.ASHIATO_CH_HTTP || 'http://127.0.0.1:18123').replace(/\/+$/, '');
export const DB = new URL(DSN.replace(/^clickhouse:/, 'http:')).pathname.slice(1) || 'ashiato';

// skipReason is why the browser tests cannot run, or '' when they can.
// Under CI=true a missing collector is a failure, not a skip.
export function skipReason() {
  if (BIN) return '';
  const msg = 'ASHIATO_BIN is not set: build the collector (go build -o bin/ashiato ./cmd/ashiato) and set ASHIATO_BIN, ASHIATO_CLICKHOUSE_DSN and ASHIATO_CH_HTTP';
  if (process.env.CI === 'true') throw new Error(msg);
  return msg;
}

async function ch(sql) {
  const r = await fetch(`${CH}/`, { method: 'POST', body: sql });
  if (!r.ok) throw new Error(`clickhouse: ${r.status} ${await r.text()}`);
}

// seed recreates the test database and fills it: the dashboard tests own
// it (its name comes from ASHIATO_CLICKHOUSE_DSN), so a rerun starts clean.
export async function seed(events = 20000) {
  if (!/^ashiato_\w+$/.test(DB)) throw new Error(`refusing to recreate database ${DB}: want ashiato_<name>`);
  await ch(`DROP DATABASE IF EXISTS ${DB}`);
  const run = (args) => execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000 });
  run(['migrate', '--clickhouse-dsn', DSN]);
  run(['seed', '--site', 'demo', '--events', String(events), '--days', '40', '--seed', '20', '--clickhouse-dsn', DSN]);
  const out = run(['token', 'create', '--scope', 'query', '--name', 'dashboard-test', '--clickhouse-dsn', DSN]);
  const token = (out.match(/ash_[\w-]+/) || [])[0];
  if (!token) throw new Error(`no token in: ${out}`);
  return token;
}

async function count() {
  const r = await fetch(`${CH}/?query=${encodeURIComponent(`SELECT count() FROM ${DB}.events`)}`);
  return Number(await r.text());
}

// ingest sends a few hundred more events through the running collector's
// POST /api/event (ashiato seed --via-http: they land now, for realtime)
// and waits until ClickHouse holds them, so that no number moves while
// the tests compare.
export async function ingest(origin, events = 300) {
  const before = await count();
  execFileSync(BIN, ['seed', '--site', 'demo', '--events', String(events), '--days', '1', '--seed', '21', '--via-http', origin],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
  let last = -1;
  for (let i = 0, same = 0; i < 200 && same < 4; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const n = await count();
    same = n === last && n > before ? same + 1 : 0;
    last = n;
  }
  if (last <= before) throw new Error(`ingest: no event of ${events} reached ClickHouse`);
}

// startCollector runs `ashiato serve` (built-in demo site) on a free port
// and resolves when the log says "listening".
export async function startCollector(extra = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dash-collector-'));
  const p = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--clickhouse-dsn', DSN, '--data-dir', dir, ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const origin = await new Promise((resolve, reject) => {
    let buf = '';
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (s) => {
      buf += s;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        log.push(line);
        if (log.length > 200) log.shift();
        try {
          const j = JSON.parse(line);
          if (j.msg === 'listening' && /^127\.0\.0\.1:\d+$/.test(j.addr)) resolve('http://' + j.addr);
        } catch (e) { /* not JSON */ }
      }
    });
    p.on('exit', (code) => reject(new Error(`collector exited with ${code}:\n${log.join('\n')}`)));
  });
  return {
    origin, log,
    async stop() {
      if (p.exitCode === null) {
        const done = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// useSuite seeds, starts the collector and Chromium before the tests of
// the describe block that calls it and stops them after.
export function useSuite() {
  const s = {};
  before(async () => {
    s.token = await seed();
    s.collector = await startCollector();
    await ingest(s.collector.origin);
    s.browser = await launch();
  }, { timeout: 300000 });
  after(async () => {
    await s.browser?.close();
    await s.collector?.stop();
  });
  return s;
}

// newPage opens a fresh context (no cookie) in a language and colour scheme.
export async function newPage(browser, { colorScheme = 'light', locale = 'en-US', width = 1280, height = 900 } = {}) {
  const ctx = await browser.newContext({ colorScheme, locale, viewport: { width, height } });
  const p = await ctx.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  // A refusal by the page's Content-Security-Policy is an error too.
  p.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) p.errors.push(m.text()); });
  return p;
}

// login opens the dashboard, logs in with token and waits for the view.
export async function login(p, origin, token, search = '') {
  await p.goto(`${origin}/dashboard/${search}`);
  await p.locator('input[name=token]').fill(token);
  await p.locator('#login button[type=submit]').click();
  await ready(p);
}

// ready waits until the view of the current URL has rendered.
export async function ready(p) {
  await p.waitForFunction(() => document.body.dataset.ready !== undefined && document.getElementById('view')?.getAttribute('aria-busy') === 'false', null, { timeout: 60000 });
}

// api asks the admin API (bearer token) the same question.
export async function api(origin, token, report, params) {
  const r = await fetch(`${origin}/admin/api/stats/${report}?${params}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`admin API ${report}?${params}: ${r.status} ${await r.text()}`);
  return r.json();
}

// ruleTags is the WCAG 2.2 AA rule set for axe-core.
export const ruleTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const axeSource = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// axe runs axe-core in the page and returns its serious and critical violations.
export async function axe(p) {
  await p.evaluate(axeSource);
  return p.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
  }, ruleTags);
}

// today returns the date in time zone tz, computed apart from the page's code.
export function dayIn(tz, offsetDays = 0) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(new Date());
  const get = (t) => Number(parts.find((x) => x.type === t).value);
  const d = new Date(Date.UTC(get('year'), get('month') - 1, get('day') + offsetDays));
  return d.toISOString().slice(0, 10);
}
