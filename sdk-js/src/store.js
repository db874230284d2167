// Storage: the session ID and the retry queue, both in localStorage (a
// page-lifetime object when the browser blocks storage); random IDs.

/** Key of the session ID: "<id>.<last activity in ms>". */
export const SID_KEY = 'ashiato_sid'
/** Key of the retry queue: JSON [[queued at ms, event], ...]. */
export const QUEUE_KEY = 'ashiato_q'
/** A session ends after 30 minutes without a hit. */
export const SESSION_MS = 18e5
/** The retry queue keeps at most this many events ... */
export const QUEUE_MAX = 100
/** ... for at most 24 hours. */
export const QUEUE_MS = 864e5

/**
 * ls is localStorage, or a plain object for this page when the browser
 * blocks storage (reading window.localStorage then throws).
 */
const ls = (() => {
  try {
    return localStorage
  } catch {}
})() || {}

/** get returns the stored value of k, or undefined. */
export const get = (k) => ls[k]

/** set stores v under k, or removes k when v is empty or undefined. */
export const set = (k, v) => (v ? (ls[k] = v) : delete ls[k])

/**
 * uuid returns a random (version 4) UUID. The path of a blob: URL is one
 * (File API: "generate a random UUID"), and unlike crypto.randomUUID it
 * exists outside secure contexts too; the URL is revoked at once. It is
 * also the smallest code that does the job, which the size budget needs.
 */
export const uuid = (u = URL.createObjectURL(new Blob())) => (URL.revokeObjectURL(u), u.slice(-36))

/**
 * sid returns the current session ID (a random UUID), starting a new
 * session after SESSION_MS of inactivity, and records now as the last
 * activity. Only called with analytics consent.
 */
export const sid = (now = Date.now()) => {
  const [id, t] = (get(SID_KEY) || '').split('.')
  const s = now - t < SESSION_MS ? id : uuid()
  set(SID_KEY, s + '.' + now)
  return s
}

/** load returns the retry queue without entries older than QUEUE_MS. */
const load = (now = Date.now()) => {
  try {
    return JSON.parse(get(QUEUE_KEY)).filter((x) => now - x[0] < QUEUE_MS)
  } catch {
    return []
  }
}

/** save writes the retry queue, keeping its newest QUEUE_MAX entries. */
const save = (q) => set(QUEUE_KEY, q[0] && JSON.stringify(q.slice(-QUEUE_MAX)))

/**
 * enqueue adds events that could not be delivered to the retry queue,
 * marked as retries: an earlier copy may have reached the collector, which
 * then looks the eid up instead of storing the event twice.
 */
export const enqueue = (events, now = Date.now()) => save(load(now).concat(events.map((e) => [now, { ...e, retry: true }])))

/** dequeue empties the retry queue and returns its events. */
export const dequeue = () => load().map((x) => x[1], save([])) // load, then save

/**
 * forget deletes the session ID and strips visitor, session and consent
 * fields from the retry queue: what withdrawing analytics consent does.
 */
export const forget = () => {
  set(SID_KEY)
  save(load().map(([t, { vid, sid, consent, ...e }]) => [t, e]))
}
