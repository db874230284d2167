// Test harness for the preference center's browser tests: the real
// collector (ASHIATO_BIN) on a real ClickHouse, a small "account page"
// server that mints customer tokens the way a site's back end does (Node's
// crypto, HS256 with the site's identify key), and headless Chromium driven
// by playwright-core. The pattern follows consent-banner/test/browser.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.ASHIATO_BIN || '';
export const DSN = process.env.ASHIATO_CLICKHOUSE_DSN || 'clickhouse://127.0.0.1:19000/ashiato_preference_center_test';

// skipReason is why the browser tests cannot run, or '' when they can.
// Under CI=true a missing collector is a failure, not a skip.
export function skipReason() {
  if (BIN) return '';
  const msg = 'ASHIATO_BIN is not set: build the collector (go build -o bin/ashiato ./cmd/ashiato) and set ASHIATO_BIN and ASHIATO_CLICKHOUSE_DSN';
  if (process.env.CI === 'true') throw new Error(msg);
  return msg;
}

// KEY is the test site's identify key: the secret its back end shares
// with the collector.
export const KEY = 'browser-test-identify-key-0123456789';

const text = (ja, en) => ({ ja, en });

function configYAML() {
  const site = {
    id: 'shop', hosts: ['127.0.0.1', 'localhost'], origins: ['http://127.0.0.1:*', 'http://localhost:*'],
    identify_key: KEY,
    preferences: {
      request_deadline_days: 14,
      topics: [
        { id: 'campaigns', title: text('キャンペーンのお知らせ', 'Campaigns'), description: text('セールや新商品のご案内です。', 'Sales and new products.'), default: true },
        { id: 'news', title: text('サービスのお知らせ', 'Service news'), channels: ['email'] },
        { id: 'orders', title: text('ご注文に関するご連絡', 'Order messages'), transactional: true,
          reason: text('ご注文の確認など、ご契約の履行に必要です。', 'Order confirmations are needed to fulfil your contract.') },
      ],
    },
  };
  return JSON.stringify({ sites: [site] }, null, 1); // JSON is YAML
}

// mint is how a site's back end signs a customer token: a compact JWT,
// HS256 with the identify key, audience the site ID, scope "preferences",
// living at most 10 minutes.
export function mint(sub, { key = KEY, scope = 'preferences', iat = Math.floor(Date.now() / 1000), ttl = 300 } = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { sub, aud: 'shop', iat, exp: iat + ttl };
  if (scope) claims.scope = scope;
  const signing = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${signing}.${createHmac('sha256', key).update(signing).digest('base64url')}`;
}

// startCollector migrates the test database and runs `ashiato serve` on a
// free port; it resolves when the log says "listening". It also creates an
// admin token for the mailer and the operator.
export async function startCollector() {
  const dir = mkdtempSync(path.join(tmpdir(), 'apc-collector-'));
  const cfg = path.join(dir, 'config.yaml');
  writeFileSync(cfg, configYAML());
  const common = ['--clickhouse-dsn', DSN, '--data-dir', dir, '--config', cfg];
  execFileSync(BIN, ['migrate', '--clickhouse-dsn', DSN], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120000 });
  const adminToken = execFileSync(BIN, ['token', 'create', '--scope', 'preferences,privacy', '--name', 'browser-test', ...common],
    { encoding: 'utf8', timeout: 60000 }).trim();
  const p = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', ...common, '--public-url', 'http://127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
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
        try {
          const j = JSON.parse(line);
          if (j.msg === 'listening' && /^127\.0\.0\.1:\d+$/.test(j.addr)) resolve('http://' + j.addr);
        } catch (e) { /* not JSON */ }
      }
    });
    p.on('exit', (code) => reject(new Error(`collector exited with ${code}:\n${log.join('\n')}`)));
  });
  // adminAPI calls the admin API with the test's token.
  const adminAPI = async (method, p2, body) => {
    const r = await fetch(origin + '/admin/api' + p2, {
      method, headers: { Authorization: 'Bearer ' + adminToken, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.text() };
  };
  return {
    origin, log, adminAPI,
    async stop() {
      if (p.exitCode !== null) return;
      const done = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// startPages serves the site's account page (?user=…&token=ok|expired|forged
// |identify) with the component from the collector, and /token, the site's
// endpoint that mints the signed-in customer's token.
export async function startPages(collector) {
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const user = u.searchParams.get('user') || 'alice';
    const kind = u.searchParams.get('token') || 'ok';
    if (u.pathname === '/token') {
      const now = Math.floor(Date.now() / 1000);
      const tok = {
        ok: () => mint(user),
        expired: () => mint(user, { iat: now - 3600 }),
        forged: () => mint(user, { key: 'not-the-site-key-0123456789abcdef' }),
        identify: () => mint(user, { scope: '' }),
      }[kind]();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return res.end(JSON.stringify({ token: tok }));
    }
    if (u.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    const lang = u.searchParams.get('lang') || 'en';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>My account</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${collector.origin}/preferences.css">
<style>body{font:16px/1.6 system-ui,sans-serif;margin:0;color:#222;background:#fff}main{max-width:60em;margin:auto;padding:16px}
@media (prefers-color-scheme: dark){body{color:#eee;background:#111}}</style></head>
<body><main><h1>${lang === 'ja' ? 'マイページ' : 'My account'}</h1>
<div id="ashiato-preferences"></div>
<script src="${collector.origin}/preferences.js" data-site="shop" data-token-url="/token?user=${encodeURIComponent(user)}&token=${kind}"></script>
</main></body></html>`);
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

// useSuite starts the collector, the account pages and Chromium before the
// describe block's tests and stops them after.
export function useSuite() {
  const s = {};
  before(async () => {
    s.collector = await startCollector();
    s.pages = await startPages(s.collector);
    s.browser = await launch();
  });
  after(async () => {
    await s.browser?.close();
    await s.pages?.close();
    await s.collector?.stop();
  });
  return s;
}

// newPage opens a fresh context; p.errors collects uncaught page errors.
export async function newPage(browser, { colorScheme = 'light', locale = 'en-US' } = {}) {
  const ctx = await browser.newContext({ colorScheme, locale, acceptDownloads: true, viewport: { width: 1024, height: 720 } });
  const p = await ctx.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  return p;
}

const axeSource = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// axe runs axe-core (WCAG 2.2 AA rules) in the page and returns its violations.
export async function axe(p) {
  await p.evaluate(axeSource);
  return p.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
