// bench measures the dashboard's first render in Chromium: a logged-in
// browser opens /dashboard/ on the 30 most recent days of a seeded site
// and the time until every card, the chart and the tables are drawn
// (body[data-ready]) is taken, the median of 5 loads. Twice: with the
// archive of default views as serve runs by default (once it has computed
// the site's view: the log says so), and live (--stats-archive-every 0),
// every number computed for the request. `make bench` runs it
// on the report bench's 10 M-event database (deploy/local/bench-reports.sh);
// it skips with a message when that database is absent. Not a timed test:
// it prints the figure for docs/BENCHMARKS.md (target ≤ 1500 ms).
//
// Environment: ASHIATO_BIN (the collector), ASHIATO_BENCH_DASHBOARD_DSN
// (default clickhouse://127.0.0.1:19000/bench_reports_10m), ..._SITE
// (bench), ..._TZ (Asia/Tokyo), ASHIATO_CH_HTTP (http://127.0.0.1:18123).
// It adds a query token named dashboard-bench to that database.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const env = process.env;
const BIN = env.ASHIATO_BIN || '';
const DSN = env.ASHIATO_BENCH_DASHBOARD_DSN || 'clickhouse://127.0.0.1:19000/bench_reports_10m';
const SITE = env.ASHIATO_BENCH_DASHBOARD_SITE || 'bench';
const TZ = env.ASHIATO_BENCH_DASHBOARD_TZ || 'Asia/Tokyo';
const CH = (env.ASHIATO_CH_HTTP || 'http://127.0.0.1:18123').replace(/\/+$/, '');
const DB = new URL(DSN.replace(/^clickhouse:/, 'http:')).pathname.slice(1);
const RUNS = 5;

if (!BIN) {
  console.error('bench: set ASHIATO_BIN to a built collector');
  process.exit(2);
}
const exists = await fetch(`${CH}/?query=${encodeURIComponent(`EXISTS TABLE ${DB}.events`)}`).then((r) => r.text()).catch(() => '0');
if (exists.trim() !== '1') {
  console.log(`dashboard first render: skipped, no database ${DB} (run make bench-reports to seed it)`);
  process.exit(0);
}
process.env.ASHIATO_CLICKHOUSE_DSN = DSN; // the harness's collector reads it
const { startCollector, launch } = await import('../test/browser/harness.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'dash-bench-'));
const cfg = path.join(dir, 'config.yaml');
writeFileSync(cfg, `sites:\n  - id: ${SITE}\n    hosts: [${SITE}.example]\n    origins: ["https://${SITE}.example"]\n    time_zone: ${TZ}\n`);
execFileSync(BIN, ['migrate', '--clickhouse-dsn', DSN], { stdio: ['ignore', 'ignore', 'inherit'] });
const out = execFileSync(BIN, ['token', 'create', '--scope', 'query', '--name', 'dashboard-bench', '--clickhouse-dsn', DSN], { encoding: 'utf8' });
const token = out.match(/ash_[\w-]+/)[0];
// run measures RUNS loads of a collector started with args; ready is a
// log line to wait for before the first load.
async function run(args, ready) {
  const collector = await startCollector(['--config', cfg, ...args]);
  if (ready) {
    for (let i = 0; i < 1200 && !collector.log.some((l) => l.includes(ready)); i++) await new Promise((r) => setTimeout(r, 250));
    if (!collector.log.some((l) => l.includes(ready))) throw new Error(`bench: no "${ready}" in the collector's log`);
  }
  const browser = await launch();
  const times = [];
  const answered = []; // per stats answer: from the archive?
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    p.on('response', (r) => {
      if (r.url().includes('/dashboard/api/stats/')) answered.push(r.json().then((j) => Boolean(j.as_of), () => false));
    });
    await p.goto(`${collector.origin}/dashboard/`);
    await p.locator('input[name=token]').fill(token);
    await p.locator('#login button[type=submit]').click();
    await p.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 120000 });
    for (let i = 0; i < RUNS; i++) {
      await p.goto(`${collector.origin}/dashboard/?site=${SITE}`);
      await p.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 120000 });
      times.push(await p.evaluate(() => Math.round(performance.now())));
    }
  } finally {
    await browser.close();
    await collector.stop();
  }
  times.sort((a, b) => a - b);
  const archived = (await Promise.all(answered)).filter(Boolean).length;
  return { times, from: `${archived} of ${answered.length} answers from the archive` };
}

for (const [mode, args, ready] of [
  ['archived', [], 'default view computed'],
  ['live', ['--stats-archive-every', '0'], ''],
]) {
  const { times, from } = await run(args, ready);
  const median = times[Math.floor(times.length / 2)];
  console.log(`dashboard first render (${mode}), 30 days of ${DB} (site ${SITE}): median ${median} ms of ${RUNS} loads (${times.join(', ')} ms; ${from}), target 1500 ms: ${median <= 1500 ? 'ok' : 'over'}`);
}
