// The URL state round-trips, and ranges resolve to days in the site's zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, serialize, dates } from '../../src/state.js';
import { csvCell, toCSV } from '../../src/format.js';

test('state round-trips through the query string', () => {
  const q = 'site=demo&range=custom&from=2026-03-02&to=2026-03-15&compare=year&filter=page+is+%2Fpricing&filter=country+is+JP&view=funnel&steps=%2F%2C%2Fpricing&window=600';
  const s = parse(q);
  assert.deepEqual(s.filters, ['page is /pricing', 'country is JP']);
  assert.deepEqual(s.steps, ['/', '/pricing']);
  assert.equal(serialize(s), q);
  assert.equal(serialize(parse('')), '');
  assert.equal(parse('range=custom').range, '30d', 'custom without days falls back');
  assert.deepEqual(parse('filter=page+zz+x').filters, [], 'an unknown operator is dropped');
});

test('ranges in the site time zone', () => {
  const now = new Date('2026-03-31T16:30:00Z'); // 2026-04-01 01:30 in Tokyo
  const d = (range) => dates({ range }, 'Asia/Tokyo', now);
  assert.deepEqual(d('today'), ['2026-04-01', '2026-04-01']);
  assert.deepEqual(d('yesterday'), ['2026-03-31', '2026-03-31']);
  assert.deepEqual(d('7d'), ['2026-03-26', '2026-04-01']);
  assert.deepEqual(d('30d'), ['2026-03-03', '2026-04-01']);
  assert.deepEqual(d('month'), ['2026-04-01', '2026-04-01']);
  assert.deepEqual(d('lastmonth'), ['2026-03-01', '2026-03-31']);
  assert.deepEqual(dates({ range: 'today' }, 'UTC', now), ['2026-03-31', '2026-03-31']);
});

test('CSV cells that a spreadsheet would run are neutralised', () => {
  assert.equal(csvCell('=SUM(A1)'), "'=SUM(A1)");
  assert.equal(csvCell('-1+2'), "'-1+2");
  assert.equal(csvCell('@x'), "'@x");
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell(12), '12');
  assert.equal(toCSV(['page', 'visitors'], [{ page: '/', visitors: 3 }]), 'page,visitors\r\n/,3\r\n');
});
