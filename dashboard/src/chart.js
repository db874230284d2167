// chart draws series (metrics of rows) as an SVG line chart with an
// accessible name: by default visitors and pageviews, with their totals.
import { h } from './dom.js';
import { t } from './i18n.js';
import { fmt } from './format.js';

const W = 720;
const H = 220;
const PAD = { l: 44, r: 8, t: 10, b: 24 };

export function chart(rows, dim, { series = ['visitors', 'pageviews'], title = t('chart'), unit = '', names = t } = {}) {
  const max = Math.max(1, ...rows.flatMap((r) => series.map((m) => r[m] || 0)));
  const x = (i) => PAD.l + (rows.length < 2 ? 0 : (i * (W - PAD.l - PAD.r)) / (rows.length - 1));
  const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
  const label = (r) => (dim === 'hour' ? String(r[dim]).slice(11, 16) : String(r[dim]).slice(5, 10));
  const total = (m) => rows.reduce((a, r) => a + (r[m] || 0), 0);
  const summary = unit ? series.map((m) => names(m)).join(', ') : series.map((m) => `${names(m)} ${fmt(m, total(m))}`).join(', ');
  const g = h('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${summary}` });
  for (const f of [0, 0.5, 1]) {
    g.append(h('line', { x1: PAD.l, x2: W - PAD.r, y1: y(max * f), y2: y(max * f), class: 'grid' }),
      h('text', { x: PAD.l - 6, y: y(max * f) + 4, 'text-anchor': 'end', class: 'axis' }, fmt('', Math.round(max * f)) + unit));
  }
  const every = Math.max(1, Math.ceil(rows.length / 8));
  rows.forEach((r, i) => {
    if (i % every === 0) g.append(h('text', { x: x(i), y: H - 6, 'text-anchor': 'middle', class: 'axis' }, label(r)));
  });
  series.forEach((m, i) => {
    g.append(h('polyline', { class: `line s${i}`, fill: 'none', points: rows.map((r, j) => `${x(j)},${y(r[m] || 0)}`).join(' ') }));
  });
  const legend = h('p', { class: 'legend' }, ...series.map((m, i) => h('span', { class: `key s${i}` }, names(m))));
  return h('figure', { class: 'card chartcard' }, h('figcaption', null, title), g, legend);
}
