import { test, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { clearStorage, storage } from './fakes.js'
import { QUEUE_KEY, SID_KEY, SESSION_MS, dequeue, enqueue, forget, sid, uuid } from '../../src/store.js'

beforeEach(clearStorage)

test('uuid returns distinct version 4 UUIDs', () => {
  const seen = new Set()
  for (let i = 0; i < 200; i++) {
    const u = uuid()
    assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    seen.add(u)
  }
  assert.equal(seen.size, 200)
})

test('sid keeps a session while active and starts a new one after 30 minutes', () => {
  const t0 = 1_700_000_000_000
  const a = sid(t0)
  assert.match(a, /^[A-Za-z0-9_-]{1,64}$/)
  assert.equal(sid(t0 + SESSION_MS - 1), a, 'within 30 min of the last hit')
  assert.equal(sid(t0 + 2 * SESSION_MS - 2), a, 'activity extends the session')
  const b = sid(t0 + 3 * SESSION_MS)
  assert.notEqual(b, a, 'a new session after inactivity')
  assert.equal(storage[SID_KEY], b + '.' + (t0 + 3 * SESSION_MS))
})

test('the retry queue keeps the newest 100 events for 24 hours', () => {
  const t0 = 1_700_000_000_000
  enqueue([{ eid: 'old' }], t0 - 864e5 - 1)
  enqueue(
    Array.from({ length: 120 }, (_, i) => ({ eid: 'e' + i })),
    t0,
  )
  const q = JSON.parse(storage[QUEUE_KEY])
  assert.equal(q.length, 100)
  assert.equal(q[0][1].eid, 'e20')
  assert.equal(q[99][1].eid, 'e119')
})

test('dequeue drops entries older than 24 hours and empties the queue', () => {
  const now = Date.now()
  enqueue([{ eid: 'stale' }], now - 864e5 - 10)
  const fresh = { eid: 'fresh', vid: 'v1' }
  enqueue([fresh], now - 1000)
  // Queued events come back marked as retries (the collector then looks
  // their eid up); the caller's object is not changed.
  assert.deepEqual(dequeue(), [{ eid: 'fresh', vid: 'v1', retry: true }])
  assert.deepEqual(fresh, { eid: 'fresh', vid: 'v1' })
  assert.equal(storage[QUEUE_KEY], undefined)
  assert.deepEqual(dequeue(), [])
})

test('a corrupt queue is treated as empty', () => {
  storage[QUEUE_KEY] = '{not json'
  assert.deepEqual(dequeue(), [])
  enqueue([{ eid: 'a' }])
  assert.deepEqual(dequeue(), [{ eid: 'a', retry: true }])
})

test('forget deletes the session ID and strips identifiers from the queue', () => {
  sid()
  enqueue([{ eid: 'a', vid: 'v', sid: 's', consent: 'tok', url: 'https://x.example/' }])
  forget()
  assert.equal(storage[SID_KEY], undefined)
  assert.deepEqual(dequeue(), [{ eid: 'a', url: 'https://x.example/', retry: true }])
})
