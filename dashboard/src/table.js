// table renders one report's rows: the dimension's value as a button that
// adds the filter "dim is value" (or calls onRow with the value), each metric with its raw value in
// data-value, and a CSV download of the rows.
import { h } from './dom.js';
import { t } from './i18n.js';
import { fmt, toCSV, download } from './format.js';

export function table({ report, title, dim, metrics, answer, query, onFilter, onRow, extra }) {
  const rows = answer.results || [];
  const col = answer.columns && answer.columns[0] && !metrics.includes(answer.columns[0]) ? answer.columns[0] : dim;
  const csv = h('button', { type: 'button', class: 'small', 'aria-label': `${t('csv')}: ${title}`,
    onclick: () => download(`${report}.csv`, toCSV([col, ...metrics], rows)) }, t('csv'));
  const head = ['page', 'os', 'method', 'day'].includes(col) ? t(col + '_dim') : t(col);
  const label = (v) => (v === '' || v == null ? t('none_value') : String(v));
  const body = rows.length
    ? h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, head),
        ...metrics.map((m) => h('th', { scope: 'col', class: 'num' }, t(m))))),
      h('tbody', null, ...rows.map((r) => h('tr', { 'data-dim-value': r[col] },
        h('th', { scope: 'row' }, onRow && !/^\(/.test(r[col])
          ? h('button', { type: 'button', class: 'rowbtn', onclick: () => onRow(r[col]) }, label(r[col]))
          : onFilter && dim && r[col] !== ''
            ? h('button', { type: 'button', class: 'rowbtn', onclick: () => onFilter(`${dim} is ${r[col]}`) }, label(r[col]))
            : label(r[col])),
        ...metrics.map((m) => h('td', { class: 'num', 'data-metric': m,
          'data-value': typeof r[m] === 'object' ? JSON.stringify(r[m]) : r[m] }, fmt(m, r[m])))))))
    : h('p', { class: 'muted' }, t('empty'));
  return h('section', { class: 'card table', 'data-report': report, 'data-query': query ? String(query) : null,
    'aria-label': title },
  h('div', { class: 'cardhead' }, h('h2', null, title), extra, csv), body);
}
