// The deeper views: goals, the funnel builder, the retention grid, the
// journeys of a page and realtime.
import { h } from './dom.js';
import { t } from './i18n.js';
import { fmt } from './format.js';
import { stats } from './api.js';
import { question } from './state.js';
import { table } from './table.js';
import { coverageMarker } from './overview.js';

export async function goals(s, from, to, ctx) {
  const q = question(s, from, to, { metrics: 'visitors,events,conversion_rate,revenue' });
  const ans = await stats('goals', q);
  return [table({ report: 'goals', title: t('goals'), dim: '', metrics: ['visitors', 'events', 'conversion_rate', 'revenue'],
    answer: ans, query: q, onFilter: ctx.addFilter })];
}

function bar(pct, cls) {
  const b = h('span', { class: 'bar ' + cls, 'aria-hidden': 'true' });
  b.style.width = Math.max(0, Math.min(100, pct)) + '%';
  return h('span', { class: 'bartrack' }, b);
}

export async function funnel(s, from, to, ctx) {
  const steps = s.steps.length >= 2 ? s.steps : ['/', '/pricing'];
  const list = h('ol', { class: 'steps' });
  const addRow = (v, i) => {
    const id = 'step' + i;
    const input = h('input', { id, name: 'step', value: v, required: true, 'aria-describedby': 'stephelp' });
    const rm = h('button', { type: 'button', class: 'small', 'aria-label': t('removeStep', { n: i + 1 }),
      onclick: () => { if (list.children.length > 2) li.remove(); } }, '×');
    const li = h('li', null, h('label', { for: id }, t('step', { n: i + 1 })), input, rm);
    list.append(li);
  };
  steps.forEach(addRow);
  const win = h('input', { id: 'window', name: 'window', type: 'number', min: 1, max: 1440, value: Math.round(s.window / 60) });
  const form = h('form', { class: 'card builder', onsubmit: (e) => {
    e.preventDefault();
    const vals = [...list.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean).slice(0, 8);
    if (vals.length >= 2) ctx.set({ steps: vals, window: Math.max(60, Number(win.value) * 60 || 1800) });
  } },
  h('h2', null, t('steps')), list, h('p', { id: 'stephelp', class: 'muted small' }, t('stepHelp')),
  h('p', null, h('button', { type: 'button', class: 'small', onclick: () => { if (list.children.length < 8) addRow('', list.children.length); } }, t('addStep')),
    ' ', h('label', { for: 'window' }, t('window')), ' ', win, ' ', h('button', { type: 'submit' }, t('run'))));
  const q = question(s, from, to, { steps: steps.join(','), window: s.window });
  const ans = await stats('funnel', q);
  const rows = ans.results || [];
  const result = h('section', { class: 'card', 'data-report': 'funnel', 'data-query': String(q), 'aria-label': t('funnel') },
    h('h2', null, t('funnel')),
    h('table', null, h('thead', null, h('tr', null, ...['stepCol', 'visitors', 'conversion_rate', 'drop_off'].map((c) => h('th', { scope: 'col' }, t(c))))),
      h('tbody', null, ...rows.map((r) => h('tr', null,
        h('th', { scope: 'row' }, `${r.step}. ${r.name}`),
        h('td', { class: 'num', 'data-metric': 'visitors', 'data-value': r.visitors }, fmt('visitors', r.visitors), bar(r.conversion_rate, 'conv')),
        h('td', { class: 'num', 'data-metric': 'conversion_rate', 'data-value': r.conversion_rate }, fmt('conversion_rate', r.conversion_rate)),
        h('td', { class: 'num', 'data-metric': 'drop_off', 'data-value': r.drop_off }, fmt('drop_off', r.drop_off), bar(r.drop_off, 'drop')))))),
    coverageMarker(ans.coverage || {}, false));
  return [form, result];
}

export async function retention(s, from, to) {
  const q = question(s, from, to);
  const ans = await stats('retention', q);
  const rows = ans.results || [];
  const n = Math.max(0, ...rows.map((r) => (r.retention || []).length));
  const cell = (v, k) => {
    const td = h('td', { class: 'num heat', 'data-value': v }, fmt('retention', v));
    td.style.setProperty('--a', String(k === 0 ? 0.15 : Math.min(1, v / 100) * 0.4 + 0.05));
    return td;
  };
  return [h('section', { class: 'card', 'data-report': 'retention', 'data-query': String(q), 'aria-label': t('retention') },
    h('h2', null, t('retention')),
    h('div', { class: 'scroll' }, h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('cohort')), h('th', { scope: 'col', class: 'num' }, t('visitors')),
        ...Array.from({ length: n }, (_, k) => h('th', { scope: 'col', class: 'num' }, t('week', { n: k }))))),
      h('tbody', null, ...rows.map((r) => h('tr', null, h('th', { scope: 'row' }, r.cohort),
        h('td', { class: 'num', 'data-value': r.visitors }, fmt('visitors', r.visitors)),
        ...(r.retention || []).map(cell)))))),
    coverageMarker(ans.coverage || {}, false))];
}

export async function journeys(s, from, to, ctx) {
  const input = h('input', { id: 'jpage', name: 'page', value: s.page || '/', required: true });
  const form = h('form', { class: 'card inline', onsubmit: (e) => { e.preventDefault(); ctx.set({ page: input.value.trim() }); } },
    h('label', { for: 'jpage' }, t('page')), input, h('button', { type: 'submit' }, t('run')));
  const q = question(s, from, to, { page: s.page || '/', limit: 10 });
  const ans = await stats('journeys', q);
  // A page of the journeys opens its own journeys.
  const part = (dir, title) => table({ report: 'journeys-' + dir, title, dim: '', metrics: ['transitions', 'visits'], onRow: (page) => ctx.set({ page }),
    answer: { columns: ['page'], results: (ans.results || []).filter((r) => r.direction === dir) } });
  const out = h('div', { class: 'tables', 'data-report': 'journeys', 'data-query': String(q) },
    part('previous', t('previousPages')), part('next', t('nextPages')));
  return [form, out];
}

export async function realtime(s) {
  const q = new URLSearchParams({ site: s.site });
  for (const f of s.filters) q.append('filter', f);
  const ans = await stats('realtime', q);
  const v = (ans.totals || {}).visitors || 0;
  return [h('div', { class: 'card kpi big', 'data-kpi': 'realtime_visitors', 'data-value': v, 'aria-live': 'polite' },
    h('h2', null, t('last30')), h('p', { class: 'value' }, fmt('visitors', v)), h('p', { class: 'muted small' }, t('refreshing'))),
  table({ report: 'realtime', title: t('pages'), dim: 'page', metrics: ['visitors', 'pageviews'], answer: ans, query: q })];
}
