// The dashboard's state lives in the URL's query string, so that a view
// can be bookmarked, shared, reloaded and walked with back and forward.

export const RANGES = ['today', 'yesterday', '7d', '30d', '90d', 'month', 'lastmonth', 'custom'];
export const COMPARES = ['', 'previous', 'year'];
export const VIEWS = ['overview', 'goals', 'funnel', 'retention', 'journeys', 'realtime', 'consent'];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

// parse reads the state from a query string.
export function parse(search) {
  const q = new URLSearchParams(search);
  const pick = (v, list, def) => (list.includes(v) ? v : def);
  const s = {
    site: q.get('site') || '',
    range: pick(q.get('range'), RANGES, '30d'),
    from: DAY.test(q.get('from') || '') ? q.get('from') : '',
    to: DAY.test(q.get('to') || '') ? q.get('to') : '',
    compare: pick(q.get('compare') || '', COMPARES, ''),
    filters: q.getAll('filter').filter((f) => /^\S+ (is|is_not|contains|prefix) ./.test(f)),
    view: pick(q.get('view'), VIEWS, 'overview'),
    steps: (q.get('steps') || '').split(',').filter(Boolean).slice(0, 8),
    window: Number(q.get('window')) > 0 ? Number(q.get('window')) : 1800,
    page: q.get('page') || '',
    prop: q.get('prop') || '',
  };
  if (s.range === 'custom' && (!s.from || !s.to)) s.range = '30d';
  return s;
}

// serialize writes the state as a query string, leaving out defaults.
export function serialize(s) {
  const q = new URLSearchParams();
  if (s.site) q.set('site', s.site);
  if (s.range !== '30d') q.set('range', s.range);
  if (s.range === 'custom') {
    q.set('from', s.from);
    q.set('to', s.to);
  }
  if (s.compare) q.set('compare', s.compare);
  for (const f of s.filters) q.append('filter', f);
  if (s.view !== 'overview') q.set('view', s.view);
  if (s.view === 'funnel' && s.steps.length) {
    q.set('steps', s.steps.join(','));
    if (s.window !== 1800) q.set('window', String(s.window));
  }
  if (s.view === 'journeys' && s.page) q.set('page', s.page);
  if (s.prop) q.set('prop', s.prop);
  return q.toString();
}

// today returns the date in time zone tz as YYYY-MM-DD.
export function today(tz, now = new Date()) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch (e) {
    return now.toISOString().slice(0, 10);
  }
}

function shift(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// dates turns a range into [from, to], both included, in time zone tz.
export function dates(s, tz, now) {
  const d = today(tz, now);
  switch (s.range) {
    case 'today': return [d, d];
    case 'yesterday': return [shift(d, -1), shift(d, -1)];
    case '7d': return [shift(d, -6), d];
    case '90d': return [shift(d, -89), d];
    case 'month': return [d.slice(0, 8) + '01', d];
    case 'lastmonth': {
      const last = shift(d.slice(0, 8) + '01', -1);
      return [last.slice(0, 8) + '01', last];
    }
    case 'custom': return [s.from, s.to];
    default: return [shift(d, -29), d];
  }
}

// question returns the stats API's query parameters for report in state
// s (dates already resolved), with extra parameters.
export function question(s, from, to, extra = {}) {
  const q = new URLSearchParams({ site: s.site, from, to });
  for (const [k, v] of Object.entries(extra)) if (v !== '' && v != null) q.set(k, String(v));
  for (const f of s.filters) q.append('filter', f);
  return q;
}
