// The dashboard against the real collector: login, every KPI and table
// value equal to the admin API's answer for the same state, filters by
// row click, comparison, funnel and retention, the URL round trip.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, useSuite, newPage, login, ready, api, dayIn, startCollector } from './harness.mjs';

const skip = skipReason();
const KPIS = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration', 'conversions', 'revenue'];

// kpis reads every KPI card's metric and raw value.
function kpis(p) {
  return p.locator('[data-kpi]').evaluateAll((es) => Object.fromEntries(es.map((e) => [e.dataset.kpi, e.dataset.value])));
}

// tableRows reads a table's rows: the dimension's value and the metrics.
function tableRows(p, report) {
  return p.locator(`[data-report="${report}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => ({
    dim: tr.dataset.dimValue,
    ...Object.fromEntries([...tr.querySelectorAll('[data-metric]')].map((td) => [td.dataset.metric, td.dataset.value])),
  })));
}

const raw = (v) => (typeof v === 'object' ? JSON.stringify(v) : String(v));

// checkKPIs compares the cards with the admin API's overview for the
// question (site, days, filters, comparison) built here, apart from the page.
async function checkKPIs(p, s, { from, to, filters = [], compare = '' }) {
  const q = new URLSearchParams({ site: 'demo', from, to, metrics: KPIS.join(',') });
  if (compare) q.set('compare', compare);
  for (const f of filters) q.append('filter', f);
  const want = await api(s.collector.origin, s.token, 'overview', q);
  const got = await kpis(p);
  for (const m of KPIS) {
    if (m === 'revenue' && !Object.keys(want.totals.revenue || {}).length) continue;
    assert.equal(got[m], raw(want.totals[m]), `KPI ${m} for ${q}`);
  }
  if (compare) {
    const changes = await p.locator('[data-kpi] [data-change]').evaluateAll((es) => es.map((e) => [e.closest('[data-kpi]').dataset.kpi, Number(e.dataset.change)]));
    // Each card shows the change the API gives (none when the earlier total is 0).
    const wantChanges = KPIS.filter((m) => got[m] !== undefined && want.comparison.change[m] != null).map((m) => [m, want.comparison.change[m]]);
    assert.deepEqual(changes, wantChanges, `changes for ${q}`);
    return want;
  }
  return want;
}

// checkTables compares every table with the admin API for the question
// the table names; pages also with a question built here.
async function checkTables(p, s, { from, to, filters = [] }) {
  const tables = await p.locator('section[data-report][data-query]').evaluateAll((es) => es.map((e) => [e.dataset.report, e.dataset.query]));
  assert.ok(tables.length >= 11, `${tables.length} tables`);
  for (const [report, query] of tables) {
    const q = new URLSearchParams(query);
    assert.equal(q.get('from'), from, `${report} from`);
    assert.equal(q.get('to'), to, `${report} to`);
    assert.deepEqual(q.getAll('filter'), filters, `${report} filters`);
    const want = await api(s.collector.origin, s.token, report, q);
    const metrics = (q.get('metrics') || '').split(',');
    const dim = want.columns[0];
    const got = await tableRows(p, report);
    assert.deepEqual(got, want.results.map((r) => ({ dim: String(r[dim]), ...Object.fromEntries(metrics.map((m) => [m, raw(r[m])])) })), `table ${report}`);
  }
  const pq = new URLSearchParams({ site: 'demo', from, to, metrics: 'visitors,pageviews', limit: '10' });
  for (const f of filters) pq.append('filter', f);
  const pages = await api(s.collector.origin, s.token, 'pages', pq);
  assert.deepEqual((await tableRows(p, 'pages')).map((r) => [r.dim, Number(r.visitors), Number(r.pageviews)]),
    pages.results.map((r) => [r.page, r.visitors, r.pageviews]));
}

describe('dashboard', { skip: skip || false }, () => {
  const s = useSuite();

  it('refuses a bad token with a clear message, in English and Japanese', async () => {
    for (const [locale, text] of [['en-US', 'not accepted'], ['ja-JP', '受け付けられませんでした']]) {
      const p = await newPage(s.browser, { locale });
      await p.goto(`${s.collector.origin}/dashboard/`);
      await p.locator('input[name=token]').fill('ash_0123456789ab_wrong');
      await p.locator('#login button[type=submit]').click();
      await p.locator('#login-error').filter({ hasText: text }).waitFor();
      assert.equal(await p.locator('[data-kpi]').count(), 0);
      assert.deepEqual(p.errors, []);
      await p.context().close();
    }
  });

  it('shows the API\'s numbers; range, row filter, chip removal, comparison; the URL round-trips', async () => {
    const p = await newPage(s.browser);
    await login(p, s.collector.origin, s.token);
    const tz = await p.evaluate(async () => (await (await fetch('/dashboard/api/sites')).json()).sites.find((x) => x.id === 'demo').time_zone);
    const d30 = { from: dayIn(tz, -29), to: dayIn(tz) };
    const all = await checkKPIs(p, s, d30);
    assert.ok(all.totals.visitors > 100, 'the seeded site has traffic');
    await checkTables(p, s, d30);

    // Range: last 7 days.
    await p.selectOption('#range', '7d');
    await ready(p);
    assert.match(p.url(), /range=7d/);
    const d7 = { from: dayIn(tz, -6), to: dayIn(tz) };
    await checkKPIs(p, s, d7);

    // Today: the chart is by hour.
    await p.selectOption('#range', 'today');
    await ready(p);
    await checkKPIs(p, s, { from: dayIn(tz), to: dayIn(tz) });
    assert.equal(await p.locator('svg.chart').count(), 1);
    // A custom range.
    await p.selectOption('#range', 'custom');
    await ready(p);
    await p.locator('#from').fill(dayIn(tz, -20));
    await p.locator('#to').fill(dayIn(tz, -10));
    await p.locator('#to').press('Enter');
    await ready(p);
    const cu = new URL(p.url()).searchParams;
    assert.deepEqual([cu.get('range'), cu.get('from'), cu.get('to')], ['custom', dayIn(tz, -20), dayIn(tz, -10)]);
    await checkKPIs(p, s, { from: dayIn(tz, -20), to: dayIn(tz, -10) });
    await p.selectOption('#range', '7d');
    await ready(p);

    // A click on a row of the pages table filters by it.
    const row = p.locator('[data-report="pages"] tbody tr').nth(1);
    const page = await row.getAttribute('data-dim-value');
    const before = await kpis(p);
    await row.locator('button').click();
    await ready(p);
    const filter = `page is ${page}`;
    await p.locator(`.chip[data-filter="${filter}"]`).waitFor();
    assert.ok(new URL(p.url()).searchParams.getAll('filter').includes(filter), p.url());
    const filtered = await checkKPIs(p, s, { ...d7, filters: [filter] });
    assert.notEqual((await kpis(p)).pageviews, before.pageviews, 'the filter changes the KPIs');
    assert.ok(filtered.totals.pageviews < Number(before.pageviews));
    await checkTables(p, s, { ...d7, filters: [filter] });

    // Reload: the same view; back: no filter; forward: the filter again.
    const url = p.url();
    await p.reload();
    await ready(p);
    assert.equal(p.url(), url);
    await checkKPIs(p, s, { ...d7, filters: [filter] });
    await p.goBack();
    await ready(p);
    assert.equal(await p.locator('.chip').count(), 0);
    await checkKPIs(p, s, d7);
    await p.goForward();
    await ready(p);
    await p.locator(`.chip[data-filter="${filter}"]`).waitFor();
    await checkKPIs(p, s, { ...d7, filters: [filter] });

    // Remove the chip.
    await p.locator(`.chip[data-filter="${filter}"] button`).click();
    await ready(p);
    assert.equal(await p.locator('.chip').count(), 0);
    assert.deepEqual(await kpis(p), before);

    // Comparison with the previous period, then the previous year.
    await p.selectOption('#compare', 'previous');
    await ready(p);
    assert.match(p.url(), /compare=previous/);
    const prev = await checkKPIs(p, s, { ...d7, compare: 'previous' });
    assert.ok(Object.keys(prev.comparison.change).length > 0, 'the previous 7 days have traffic');
    await p.selectOption('#compare', 'year');
    await ready(p);
    await checkKPIs(p, s, { ...d7, compare: 'year' });
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('funnel and retention views show the API\'s numbers and keep their state in the URL', async () => {
    const p = await newPage(s.browser);
    await login(p, s.collector.origin, s.token);
    const tz = await p.evaluate(async () => (await (await fetch('/dashboard/api/sites')).json()).sites[0].time_zone);
    const from = dayIn(tz, -29);
    const to = dayIn(tz);
    await p.locator('a[data-view=funnel]').click();
    await ready(p);
    await p.locator('#step1').fill('/products');
    await p.getByRole('button', { name: 'Add step' }).click();
    await p.locator('#step2').fill('/cart');
    await p.locator('#window').fill('60');
    await p.locator('form.builder button[type=submit]').click();
    await ready(p);
    const u = new URL(p.url());
    assert.equal(u.searchParams.get('steps'), '/,/products,/cart');
    assert.equal(u.searchParams.get('window'), '3600');
    const fq = new URLSearchParams({ site: 'demo', from, to, steps: '/,/products,/cart', window: '3600' });
    const funnel = await api(s.collector.origin, s.token, 'funnel', fq);
    const got = await p.locator('[data-report=funnel] tbody tr').evaluateAll((trs) => trs.map((tr) =>
      [...tr.querySelectorAll('[data-metric]')].map((td) => Number(td.dataset.value))));
    assert.deepEqual(got, funnel.results.map((r) => [r.visitors, r.conversion_rate, r.drop_off]));
    assert.ok(funnel.results[0].visitors > 0);
    await p.reload();
    await ready(p);
    assert.equal(await p.locator('#step2').inputValue(), '/cart', 'the funnel survives a reload');

    await p.locator('a[data-view=retention]').click();
    await ready(p);
    const ret = await api(s.collector.origin, s.token, 'retention', new URLSearchParams({ site: 'demo', from, to }));
    const grid = await p.locator('[data-report=retention] tbody tr').evaluateAll((trs) => trs.map((tr) =>
      [tr.querySelector('th').textContent, ...[...tr.querySelectorAll('td')].map((td) => Number(td.dataset.value))]));
    assert.deepEqual(grid, ret.results.map((r) => [r.cohort, r.visitors, ...r.retention]));
    assert.ok(grid.length >= 4, 'weekly cohorts');
    await p.goBack();
    await ready(p);
    assert.equal(new URL(p.url()).searchParams.get('view'), 'funnel');
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('is usable from the keyboard: a row filters with Enter, the chip goes with Enter; a table downloads as CSV', async () => {
    const p = await newPage(s.browser);
    await login(p, s.collector.origin, s.token, '?range=7d');
    const first = p.locator('[data-report="countries"] tbody tr').first();
    const country = await first.getAttribute('data-dim-value');
    // Tab from the country table's CSV button to its first row's button.
    await p.locator('[data-report="countries"] .cardhead button').focus();
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement.textContent), country);
    const outline = await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focus is visible');
    await p.keyboard.press('Enter');
    await ready(p);
    const chip = p.locator(`.chip[data-filter="country is ${country}"] button`);
    await chip.focus();
    await p.keyboard.press('Enter');
    await ready(p);
    assert.equal(await p.locator('.chip').count(), 0);

    const rows = await tableRows(p, 'pages');
    const [download] = await Promise.all([p.waitForEvent('download'), p.locator('[data-report="pages"] .cardhead button').click()]);
    assert.equal(download.suggestedFilename(), 'pages.csv');
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\r\n');
    assert.equal(lines[0], 'page,visitors,pageviews');
    assert.deepEqual(lines.slice(1), rows.map((r) => [/^[=+\-@]/.test(r.dim) ? "'" + r.dim : r.dim, r.visitors, r.pageviews].join(',')));
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('event properties: a key shows its values, as the props report answers; a row filters', async () => {
    const p = await newPage(s.browser);
    await login(p, s.collector.origin, s.token);
    await p.locator('#propkey').fill('plan');
    await p.locator('#propkey').press('Enter');
    await ready(p);
    assert.equal(new URL(p.url()).searchParams.get('prop'), 'plan');
    const tz = await p.evaluate(async () => (await (await fetch('/dashboard/api/sites')).json()).sites[0].time_zone);
    const want = await api(s.collector.origin, s.token, 'props', new URLSearchParams({ site: 'demo', from: dayIn(tz, -29), to: dayIn(tz), by: 'prop:plan', metrics: 'visitors,events', limit: '10' }));
    const got = await tableRows(p, 'props');
    assert.ok(want.results.length > 0, 'the seeded events have a plan');
    assert.deepEqual(got, want.results.map((r) => ({ dim: r['prop:plan'], visitors: String(r.visitors), events: String(r.events) })));
    await p.locator('[data-report="props"] tbody .rowbtn').first().click();
    await ready(p);
    assert.deepEqual(new URL(p.url()).searchParams.getAll('filter'), [`prop:plan is ${got[0].dim}`]);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('journeys: a page of the journeys opens its own', async () => {
    const p = await newPage(s.browser);
    await login(p, s.collector.origin, s.token, '?view=journeys&page=%2Fproducts');
    const next = p.locator('[data-report="journeys-next"] tbody .rowbtn').first();
    const page = await next.textContent();
    await next.click();
    await ready(p);
    assert.equal(new URL(p.url()).searchParams.get('page'), page);
    assert.equal(await p.locator('#jpage').inputValue(), page);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('the other views render: goals, journeys, realtime, consent', async () => {
    const p = await newPage(s.browser, { locale: 'ja-JP' });
    await login(p, s.collector.origin, s.token);
    for (const v of ['goals', 'journeys', 'realtime', 'consent']) {
      await p.locator(`a[data-view=${v}]`).click();
      await ready(p);
      assert.ok(await p.locator('[data-report]').count() > 0, v);
      assert.equal(await p.locator('#view [role=alert]').count(), 0, `${v} failed`);
    }
    assert.ok(Number(await p.locator('[data-kpi=policy_revision]').getAttribute('data-value')) >= 1);
    const tz = await p.evaluate(async () => (await (await fetch('/dashboard/api/sites')).json()).sites[0].time_zone);
    const byMethod = await api(s.collector.origin, s.token, 'consent', new URLSearchParams({ site: 'demo', from: dayIn(tz, -29), to: dayIn(tz), by: 'method' }));
    const one = byMethod.results.filter((r) => r.purpose === 'analytics');
    const gpc = one.filter((r) => r.method === 'gpc').reduce((a, r) => a + r.decisions, 0) / one.reduce((a, r) => a + r.decisions, 0);
    assert.equal(Number(await p.locator('[data-kpi=gpc_share]').getAttribute('data-value')), gpc);
    await p.locator('a[data-view=realtime]').click();
    await ready(p);
    assert.ok(Number(await p.locator('[data-kpi=realtime_visitors]').getAttribute('data-value')) > 0, 'the events just ingested are live');
    await p.getByRole('button', { name: 'ログアウト' }).click();
    await p.locator('input[name=token]').waitFor();
    const st = await p.evaluate(async () => (await fetch('/dashboard/api/sites')).status);
    assert.equal(st, 401, 'logged out');
    assert.deepEqual(p.errors, []);
    await p.context().close();
  });

  it('the first render of the default view comes from the archive of default views, the same numbers as live', async () => {
    // A collector that computes the default views at start (every site
    // with one visit or more is kept): every question of the overview's
    // first render must be one of stats.DefaultView's, or it goes live.
    const c = await startCollector(['--stats-archive-every', '1h', '--stats-archive-min-visits', '1']);
    try {
      for (let i = 0; i < 240 && !c.log.some((l) => l.includes('default view computed')); i++) await new Promise((r) => setTimeout(r, 250));
      assert.ok(c.log.some((l) => l.includes('default view computed')), `no view computed:\n${c.log.join('\n')}`);
      const p = await newPage(s.browser);
      const answers = [];
      p.on('response', (r) => { if (r.url().includes('/dashboard/api/stats/')) answers.push(r.json().then((j) => [new URL(r.url()).pathname, j])); });
      await login(p, c.origin, s.token);
      const first = await Promise.all(answers);
      assert.ok(first.length >= 13, `${first.length} questions`);
      for (const [path, a] of first) assert.ok(a.as_of, `${path} was computed live, not taken from the archive`);
      assert.equal(await p.locator('[data-as-of]').count(), 1, 'the page says when the numbers were computed');
      // The same numbers as the live collector of the suite.
      const tz = await p.evaluate(async () => (await (await fetch('/dashboard/api/sites')).json()).sites.find((x) => x.id === 'demo').time_zone);
      const q = new URLSearchParams({ site: 'demo', from: dayIn(tz, -29), to: dayIn(tz), metrics: KPIS.join(',') });
      const live = await api(s.collector.origin, s.token, 'overview', q);
      assert.equal(live.as_of, undefined, 'the suite\'s collector answers live');
      for (const m of KPIS) {
        if (m === 'revenue' && !Object.keys(live.totals.revenue || {}).length) continue;
        assert.equal((await kpis(p))[m], raw(live.totals[m]), `KPI ${m}`);
      }
      // A filter is computed now.
      answers.length = 0;
      await p.locator('[data-report="countries"] tbody .rowbtn').first().click();
      await ready(p);
      const filtered = await Promise.all(answers);
      assert.ok(filtered.length >= 13 && filtered.every(([, a]) => !a.as_of), 'a filtered view is live');
      assert.equal(await p.locator('[data-as-of]').count(), 0);
      assert.deepEqual(p.errors, []);
      await p.context().close();
    } finally {
      await c.stop();
    }
  });
});
