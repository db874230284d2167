// Number formatting and the CSV download.
import { currentLang } from './i18n.js';

// fmt shows a metric's value for people.
export function fmt(metric, v) {
  const l = currentLang() === 'ja' ? 'ja-JP' : 'en-US';
  if (v == null) return '–';
  if (metric === 'revenue' && typeof v === 'object') {
    const parts = Object.entries(v).map(([cur, n]) => {
      try {
        return new Intl.NumberFormat(l, { style: 'currency', currency: cur }).format(n);
      } catch (e) {
        return n + ' ' + cur;
      }
    });
    return parts.length ? parts.join(' / ') : '–';
  }
  if (typeof v !== 'number') return String(v);
  if (metric === 'visit_duration') {
    const m = Math.floor(v / 60);
    if (currentLang() === 'ja') return m ? `${m}分${v % 60}秒` : `${v}秒`;
    return m ? `${m}m ${v % 60}s` : `${v}s`;
  }
  const n = new Intl.NumberFormat(l, { maximumFractionDigits: 2 }).format(v);
  return /rate|drop_off|retention/.test(metric) ? n + '%' : n;
}

// csvCell neutralises a cell that a spreadsheet would run as a formula
// (as collector/privacy.CSVCell does) and quotes it.
export function csvCell(v) {
  let s = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v !== 'number' && s !== '' && '=+-@\t\r'.includes(s[0])) s = "'" + s;
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// toCSV renders rows (objects) with columns as CSV.
export function toCSV(columns, rows) {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

// download offers text as a file.
export function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
