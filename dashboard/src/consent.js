// The consent panel: opt-in rate by purpose, by method and over time, the
// share of decisions made by Global Privacy Control, and the policy
// revision in force.
import { h } from './dom.js';
import { t } from './i18n.js';
import { fmt } from './format.js';
import { stats } from './api.js';
import { table } from './table.js';
import { chart } from './chart.js';

export async function consent(s, from, to, ctx) {
  const q = (by) => {
    const p = new URLSearchParams({ site: s.site, from, to });
    if (by) p.set('by', by);
    return p;
  };
  const [byPurpose, byMethod, byDay] = await Promise.all([stats('consent', q('')), stats('consent', q('method')), stats('consent', q('day'))]);
  // Every purpose is decided in each decision: count decisions once, on
  // the purpose that is always there.
  const one = (byMethod.results || []).filter((r) => r.purpose === ((byMethod.results || [])[0] || {}).purpose);
  const all = one.reduce((a, r) => a + r.decisions, 0);
  const gpc = one.filter((r) => r.method === 'gpc').reduce((a, r) => a + r.decisions, 0);
  const share = all ? fmt('', Math.round((gpc / all) * 1000) / 10) + '%' : '–';
  const site = ctx.site();
  const metrics = ['decisions', 'granted_count', 'denied_count', 'opt_in_rate'];
  const rate = (r) => {
    const b = h('span', { class: 'bar conv', 'aria-hidden': 'true' });
    b.style.width = Math.min(100, r.opt_in_rate || 0) + '%';
    return h('span', { class: 'bartrack' }, b);
  };
  const purposeCard = table({ report: 'consent', title: t('optInByPurpose'), dim: '', metrics, answer: byPurpose, query: q('') });
  for (const tr of purposeCard.querySelectorAll('tbody tr')) {
    const r = byPurpose.results.find((x) => x.purpose === tr.dataset.dimValue);
    if (r) tr.lastChild.append(rate(r));
  }
  const day = (byDay.results || []).filter((r) => r.purpose === 'analytics');
  // The opt-in rate of each purpose that can be refused, by day.
  const purposes = [...new Set((byDay.results || []).map((r) => r.purpose))].filter((x) => x !== 'necessary').slice(0, 3);
  const days = new Map();
  for (const r of byDay.results || []) {
    if (!days.has(r.day)) days.set(r.day, { day: r.day });
    days.get(r.day)[r.purpose] = r.opt_in_rate;
  }
  const trend = chart([...days.values()], 'day', { series: purposes, title: t('optInByDay'), unit: '%', names: (x) => x });
  return [
    h('div', { class: 'kpis' },
      h('div', { class: 'card kpi', 'data-kpi': 'policy_revision', 'data-value': site ? site.policy_revision : '' },
        h('h3', null, t('policy')), h('p', { class: 'value' }, String(site ? site.policy_revision : '–')),
        h('p', { class: 'muted small' }, t('policyRevision', { r: site ? site.policy_revision : '–' }))),
      h('div', { class: 'card kpi', 'data-kpi': 'gpc_share', 'data-value': all ? gpc / all : 0 },
        h('h3', null, 'GPC'), h('p', { class: 'value' }, share), h('p', { class: 'muted small' }, t('gpcShare', { p: share })))),
    purposeCard,
    trend,
    table({ report: 'consent-method', title: t('optInByMethod'), dim: '', metrics, query: q('method'),
      answer: { columns: ['method'], results: (byMethod.results || []).map((r) => ({ ...r, method: `${r.method} · ${r.purpose}` })) } }),
    table({ report: 'consent-day', title: `${t('optInByDay')} (analytics)`, dim: '', metrics,
      answer: { columns: ['day'], results: day }, query: q('day') }),
  ];
}
