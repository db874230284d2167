// Test harness for the browser tests: the real collector (ASHIATO_BIN) on a
// real ClickHouse, a small page server for test pages, and headless Chromium
// driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.ASHIATO_BIN || '';
export const DSN = process.env.ASHIATO_CLICKHOUSE_DSN || 'clickhouse://127.0.0.1:19000/ashiato_banner_test';
export const CH = (process.env.ASHIATO_CH_HTTP || 'http://127.0.0.1:18123').replace(/\/+$/, '');
export const DB = new URL(DSN.replace(/^clickhouse:/, 'http:')).pathname.slice(1) || 'ashiato';

// skipReason is why the browser tests cannot run, or '' when they can. Under
// CI=true a missing collector is a failure, not a skip.
export function skipReason() {
  if (BIN) return '';
  const msg = 'ASHIATO_BIN is not set: build the collector (go build -o bin/ashiato ./cmd/ashiato) and set ASHIATO_BIN, ASHIATO_CLICKHOUSE_DSN and ASHIATO_CH_HTTP';
  if (process.env.CI === 'true') throw new Error(msg);
  return msg;
}

const recipient = {
  name: 'Example Analytics Inc.',
  data: { ja: '閲覧したページのURL、訪問者ID', en: 'URLs of pages viewed, visitor ID' },
  purpose: { ja: 'サイト利用状況の分析', en: 'Analysis of site usage' },
  policy: 'https://analytics.example.com/privacy',
  country: 'JP',
};

// PURPOSES is the purpose set of the "shop" test site: with recipients and
// cookies to delete on withdrawal.
export const PURPOSES = [
  { id: 'necessary', required: true, title: { ja: '必須', en: 'Strictly necessary' },
    description: { ja: 'セキュリティと安定運用のために必要です。', en: 'Security and stable operation.' } },
  { id: 'analytics', title: { ja: '利用状況の分析', en: 'Usage analysis' },
    description: { ja: '品質改善のため利用状況を分析します。', en: 'We analyse usage to improve quality.' },
    capabilities: ['persistent_id'], recipients: [recipient], cookies: ['_t_an', '_t_an_*'] },
  { id: 'personalization', title: { ja: 'パーソナライズ', en: 'Personalisation' },
    description: { ja: 'お知らせを選んでお届けします。', en: 'We choose notices for you.' },
    capabilities: ['user_id_join', 'interest_profile'], cookies: ['_t_pe'] },
  { id: 'advertising', title: { ja: '広告', en: 'Advertising' },
    description: { ja: '広告事業者にデータを提供します。', en: 'We share data with ad platforms.' },
    capabilities: ['audience_export', 'third_party', 'click_ids'],
    recipients: [{ ...recipient, name: 'Example Ads LLC', country: 'US' }], cookies: ['_t_ad'] },
];

// configYAML writes the collector configuration. JSON is valid YAML, so the
// sites are written as JSON.
export function configYAML(revision) {
  const base = {
    hosts: ['127.0.0.1', 'localhost'],
    origins: ['http://127.0.0.1:*', 'http://localhost:*'],
    policy_revision: revision,
    policy_url: 'https://www.example.com/privacy',
  };
  const sites = [
    { ...base, id: 'shop', purposes: PURPOSES,
      banner: { layout: 'bar', lang: '', floating_button: true, google_consent_mode: true } },
    { ...base, id: 'boxed', banner: { layout: 'box', lang: '', floating_button: true, google_consent_mode: false } },
    // rel: a policy URL that is a path, as the built-in demo site has.
    { ...base, id: 'rel', policy_url: '/privacy/rel/external', banner: { layout: 'bar', lang: '', floating_button: true } },
  ];
  return JSON.stringify({ sites }, null, 1);
}

let migrated = false;

// startCollector runs `ashiato migrate` once and `ashiato serve` on a free
// port with policy revision rev; it resolves when the log says "listening".
export async function startCollector(rev = 1, dataDir) {
  const dir = dataDir || mkdtempSync(path.join(tmpdir(), 'acb-collector-'));
  const cfg = path.join(dir, `config-${rev}.yaml`);
  writeFileSync(cfg, configYAML(rev));
  if (!migrated) {
    execFileSync(BIN, ['migrate', '--clickhouse-dsn', DSN], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120000 });
    migrated = true;
  }
  const p = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--clickhouse-dsn', DSN, '--data-dir', dir,
    '--config', cfg, '--batch-interval', '100ms'], { stdio: ['ignore', 'ignore', 'pipe'] });
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
    origin,
    dir,
    log,
    async stop() {
      if (p.exitCode !== null) return;
      const done = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await done;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// page renders a test page. Blocked scripts: inline (analytics), external
// (advertising), and one that needs two purposes. The page records every
// ashiato:consent event in window.events.
function page(q, collector) {
  const lang = q.get('lang') || 'en';
  const site = q.get('site') || 'shop';
  const fromCollector = q.get('src') === 'collector';
  const gcm = q.get('gcm') === '1';
  const snippet = q.get('snippet') === '1' ? `<script defer src="${collector}/s.js" data-site="${site}" data-allow-localhost="true" data-allow-webdriver="true"></script>` : '';
  const src = fromCollector ? `${collector}/consent` : '/consent';
  const endpoint = fromCollector ? '' : ` data-endpoint="${collector}"`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Test shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.6 system-ui,sans-serif;margin:0;color:#222;background:#fff}main{max-width:60em;margin:auto;padding:16px}
@media (prefers-color-scheme: dark){body{color:#eee;background:#111}a{color:#9cf}}</style>
<script>window.events=[];document.addEventListener('ashiato:consent',function(e){window.events.push(e.detail)});
${gcm ? 'window.dataLayer=[];' : ''}</script>
<link rel="stylesheet" href="${src}.css">
<script src="${src}.js" data-site="${site}"${endpoint}${gcm ? ' data-google-consent-mode' : ''}></script>
${snippet}
<script type="text/plain" data-consent="analytics">window.ranAnalytics=(window.ranAnalytics||0)+1;document.cookie='_t_an=v1; Path=/';document.cookie='_t_an_x=v2; Path=/'</script>
<script type="text/plain" data-consent="advertising" src="/ad.js"></script>
<script type="text/plain" data-consent="analytics advertising">window.ranBoth=1</script>
</head><body><main><h1>${lang === 'ja' ? 'テストショップ' : 'Test shop'}</h1>
<p>${(lang === 'ja' ? '商品の説明文です。' : 'A product description. ').repeat(40)}</p>
<p><a href="/other">${lang === 'ja' ? '次のページ' : 'Next page'}</a> <button type="button" id="before">${lang === 'ja' ? 'ボタン' : 'A button'}</button></p>
</main></body></html>`;
}

// startPages serves test pages and the built banner from dist/.
export async function startPages(getCollector) {
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const send = (type, body) => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (u.pathname === '/consent.js') return send('text/javascript; charset=utf-8', readFileSync(path.join(root, 'dist/consent.js')));
    if (u.pathname === '/consent.css') return send('text/css; charset=utf-8', readFileSync(path.join(root, 'dist/consent.css')));
    if (u.pathname === '/ad.js') return send('text/javascript', "window.ranAds=(window.ranAds||0)+1;document.cookie='_t_ad=1; Path=/'");
    if (u.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    return send('text/html; charset=utf-8', page(u.searchParams, getCollector().origin));
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// useSuite starts, for the describe block that calls it, the collector
// (policy revision 1), the test pages and Chromium before its tests and
// stops them after. Tests read them from the returned object; a test that
// restarts the collector puts the new one in s.collector, which is what
// the pages and the clean-up use.
export function useSuite() {
  const s = {};
  before(async () => {
    s.collector = await startCollector(1);
    s.pages = await startPages(() => s.collector);
    s.browser = await launch();
  });
  after(async () => {
    await s.browser?.close();
    await s.pages?.close();
    await s.collector?.stop();
    s.collector?.cleanup();
  });
  return s;
}

// newPage opens a fresh context (no cookies, no storage). gpc: true makes
// the browser send Global Privacy Control (header and navigator property).
export async function newPage(browser, { colorScheme = 'light', gpc = false, locale = 'en-US', reducedMotion = 'no-preference', storageState } = {}) {
  const ctx = await browser.newContext({
    colorScheme, locale, reducedMotion, viewport: { width: 1024, height: 720 }, storageState,
    extraHTTPHeaders: gpc ? { 'Sec-GPC': '1' } : {},
  });
  if (gpc) await ctx.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const p = await ctx.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  return p;
}

// ch runs a ClickHouse query over HTTP and returns JSONEachRow rows.
export async function ch(sql) {
  const r = await fetch(`${CH}/?query=${encodeURIComponent(sql + ' FORMAT JSONEachRow')}`);
  const t = await r.text();
  if (!r.ok) throw new Error(`clickhouse: ${r.status} ${t}`);
  return t.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ledger waits for the ledger rows of a consent ID (the collector writes
// them in batches) and returns them oldest first.
export async function ledger(consentID, want = 1) {
  if (!/^[\w-]+$/.test(consentID || '')) throw new Error(`bad consent ID ${consentID}`);
  let rows = [];
  for (let i = 0; i < 100; i++) {
    rows = await ch(`SELECT consent_id, site_id, method, granted, denied, revision, texts_hash, lang, gpc,
      visitor_id, toString(ts) AS ts FROM ${DB}.consent_log WHERE consent_id = '${consentID}' ORDER BY ts`);
    if (rows.length >= want) return rows;
    await sleep(100);
  }
  throw new Error(`ledger: ${rows.length} rows for ${consentID}, want ${want}`);
}

// poll runs a query until it returns at least one row (the collector writes
// in batches), and returns the rows.
export async function poll(sql) {
  for (let i = 0; i < 100; i++) {
    const rows = await ch(sql);
    if (rows.length) return rows;
    await sleep(100);
  }
  throw new Error(`no rows for: ${sql}`);
}

// ruleTags is the WCAG 2.2 AA rule set for axe-core.
export const ruleTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const axeSource = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// axe runs axe-core in the page and returns its violations.
export async function axe(p, include) {
  await p.evaluate(axeSource);
  return p.evaluate(async ([tags, inc]) => {
    const r = await window.axe.run(inc ? { include: [inc] } : document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
  }, [ruleTags, include]);
}
