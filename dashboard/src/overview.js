// The overview: KPI cards with their change and coverage, the chart, and
// the top tables, each row of which filters the page.
import { h } from './dom.js';
import { t } from './i18n.js';
import { fmt } from './format.js';
import { stats } from './api.js';
import { question } from './state.js';
import { chart } from './chart.js';
import { table } from './table.js';

export const KPIS = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration', 'conversions', 'revenue'];

// TABLES are the top tables: report, dimension (for filters), metrics.
export const TABLES = [
  ['pages', 'page', ['visitors', 'pageviews']],
  ['entry_pages', 'entry_page', ['visitors', 'visits']],
  ['exit_pages', 'exit_page', ['visitors', 'visits']],
  ['sources', 'referrer_source', ['visitors', 'visits']],
  ['utm', 'utm_campaign', ['visitors', 'visits']],
  ['devices', 'device', ['visitors', 'visits']],
  ['browsers', 'browser', ['visitors', 'visits']],
  ['os', 'os', ['visitors', 'visits']],
  ['countries', 'country', ['visitors', 'visits']],
  ['languages', 'language', ['visitors', 'visits']],
  ['events', 'event', ['visitors', 'events']],
];

// tableQuery is the question of a top table.
export function tableQuery(s, from, to, report, dim, metrics) {
  return question(s, from, to, { metrics: metrics.join(','), by: report === 'utm' ? dim : '', limit: 10 });
}

// coverageLine shows how much of the traffic a number rests on.
export function coverageMarker(cov, estimate) {
  const c = Math.round((cov.consented_share || 0) * 100);
  const a = Math.round((cov.anonymous_share || 0) * 100);
  const bar = h('span', { class: 'covbar', 'aria-hidden': 'true' }, h('span', { class: 'cov-c' }));
  bar.firstChild.style.width = c + '%';
  return h('p', { class: 'coverage', title: t('coverageHelp') }, bar,
    h('span', null, t('coverage', { c: c + '%', a: a + '%' }) + (estimate ? ` (${t('estimate')})` : '')));
}

function kpi(m, ans) {
  const v = ans.totals ? ans.totals[m] : undefined;
  const change = ans.comparison && ans.comparison.change ? ans.comparison.change[m] : undefined;
  const cov = ans.coverage || {};
  const raw = typeof v === 'object' ? JSON.stringify(v) : v;
  return h('div', { class: 'card kpi', 'data-kpi': m, 'data-value': raw },
    h('h3', null, t(m)),
    h('p', { class: 'value' }, fmt(m, v)),
    // Green is better: a higher bounce rate is worse.
    change != null ? h('p', { class: 'change ' + ((change >= 0) !== (m === 'bounce_rate') ? 'up' : 'down'), 'data-change': change },
      `${change >= 0 ? '▲' : '▼'} ${fmt('', Math.abs(change))}% ${t('vsPrev')}`) : null,
    coverageMarker(cov, m === 'visitors' && cov.visitors_estimate));
}

export async function overview(s, from, to, ctx) {
  const compare = s.compare ? { compare: s.compare } : {};
  const dim = from === to ? 'hour' : 'day';
  const [ov, ts, ...tables] = await Promise.all([
    stats('overview', question(s, from, to, { metrics: KPIS.join(','), ...compare })),
    stats('timeseries', question(s, from, to, { metrics: 'visitors,pageviews', by: dim })),
    ...TABLES.map(([r, d, ms]) => stats(r, tableQuery(s, from, to, r, d, ms))),
    // A property key the engine refuses empties its table, not the page.
    s.prop ? stats('props', question(s, from, to, { by: 'prop:' + s.prop, metrics: 'visitors,events', limit: 10 }))
      .catch((e) => { if (e.status === 400) return null; throw e; }) : null,
  ]);
  const rev = ov.totals && ov.totals.revenue;
  const kpis = KPIS.filter((m) => m !== 'revenue' || (rev && Object.keys(rev).length));
  const propsTable = tables.pop();
  const keyInput = h('input', { id: 'propkey', name: 'prop', value: s.prop, size: 10 });
  const propForm = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); ctx.set({ prop: keyInput.value.trim() }); } },
    h('label', { for: 'propkey' }, t('propKey')), keyInput, h('button', { type: 'submit', class: 'small' }, t('run')));
  return [
    h('div', { class: 'kpis' }, ...kpis.map((m) => kpi(m, ov))),
    h('p', { class: 'muted small' }, t('coverageHelp')),
    // An answer of the archive of default views says when it was computed.
    ov.as_of ? h('p', { class: 'muted small', 'data-as-of': ov.as_of }, t('asOf', { time: new Date(ov.as_of).toLocaleTimeString() })) : null,
    chart(ts.results || [], dim),
    h('div', { class: 'tables' },
      ...TABLES.map(([r, d, ms], i) => table({ report: r, title: t(r), dim: d, metrics: ms, answer: tables[i],
        query: tableQuery(s, from, to, r, d, ms), onFilter: ctx.addFilter })),
      table({ report: 'props', title: t('props'), dim: s.prop ? 'prop:' + s.prop : '', metrics: ['visitors', 'events'],
        answer: propsTable || { results: [] }, onFilter: s.prop ? ctx.addFilter : null, extra: propForm })),
  ];
}
