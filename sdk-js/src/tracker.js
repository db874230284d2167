// The tracker: builds hits, stamps them with what the consent decision
// allows, batches and sends them; pageviews, SPA navigation, clicks and
// engagement. Options are read with the same names from an object (ESM)
// or from the script's dataset (IIFE), so values may be strings.
// Written for size: /s.js must stay within 2,048 bytes gzipped.
import { EVENT, grants, read, valid } from './consent.js'
import { DOWNLOADS, glob, isLocal, on, pageURL } from './url.js'
import { dequeue, enqueue, forget, sid, uuid } from './store.js'

/**
 * MAX is the most characters (UTF-16 code units) of one request body. A
 * code unit takes at most 3 bytes in UTF-8, so a body stays under 60,000
 * bytes: below the 64 KiB that the collector reads and that Chromium lets
 * keepalive requests carry (all of a page's in flight together). Every
 * valid event fits: 32 props of 64 + 256 characters, a URL and a referrer
 * of 2 KiB and a title of 512 characters come to about 15,000. An event
 * that alone is longer is never sent.
 */
export const MAX = 2e4

/**
 * KEEP: bodies shorter than this many characters (at most 24,000 bytes) go
 * with keepalive.
 */
export const KEEP = 8e3

/** warn says m in the console, prefixed, and returns false. */
const warn = (m) => !!console.warn('ashiato: ' + m)

/**
 * init starts tracking with options o and returns the tracker API.
 * @param {import('./index').Options} o
 * @returns {import('./index').Tracker}
 */
export const init = (o) => {
  const doc = document
  const nav = navigator
  const loc = location
  const now = Date.now
  const listen = (t, f) => addEventListener(t, f, true)
  const site = o.site
  const hash = on(o.hash)
  const endpoint = o.endpoint || loc.origin
  const exclude = ((o.exclude || '') + '').split(',').map(glob)
  const dl = RegExp('\\.(' + ((o.downloads ?? DOWNLOADS) + '').replace(/,/g, '|') + ')$', 'i')
  const idPurpose = o.identifyPurpose || 'personalization'
  // off names why nothing is tracked: 'localhost' or 'webdriver', each with
  // its data-allow- attribute.
  const off = (!on(o.allowLocalhost) && isLocal(loc.hostname) && 'localhost') || (!on(o.allowWebdriver) && nav.webdriver && 'webdriver')
  let decision
  let buf = []
  let timer
  let lastURL
  let referrer = doc.referrer
  let shown
  let depth

  const has = (p) => grants(decision, p)
  const here = () => pageURL(loc.href, hash)

  // hit builds an event of url (default: the current page); consent
  // fields come at send time. Absent arguments stay undefined, which
  // JSON.stringify leaves out.
  const hit = (type, url, props, name) => ({
    site,
    type,
    name,
    url: url || here(),
    referrer,
    title: doc.title,
    props,
    screen: screen.width + 'x' + screen.height,
    lang: nav.language,
    eid: uuid(),
    wd: nav.webdriver,
  })

  // stamp adds the consent token, and the visitor and session IDs when
  // analytics is granted: nothing identifies a visitor before that.
  const stamp = (e) => {
    if (decision) {
      e.consent = decision.token
      if (has('analytics')) (e.vid = decision.vid), (e.sid = sid())
    }
    return e
  }

  // post sends body as text/plain (a string body), which needs no CORS
  // preflight. A body of fewer than KEEP characters goes with keepalive, so
  // that it outlives the page (sendBeacon is not used: it is a keepalive
  // fetch with less control); a longer one as a plain fetch, since Chromium
  // refuses a keepalive request when the page's keepalive bodies in flight
  // would pass 64 KiB (a small one refused so fails like a network error
  // and is retried).
  const post = (path, body) => fetch(endpoint + path, { method: 'POST', body, credentials: 'include', keepalive: body.length < KEEP })

  // send posts events (at least one) in one request, or halves them until
  // each request carries at most 50 events and MAX characters (an event
  // longer than MAX never gets here: queue() drops it). 429, 5xx and
  // network failures go to the retry queue with their eid. Other answers
  // are final: the collector has stored the valid events and rejected the
  // invalid ones (202, or 400 when none was valid), which would fail
  // again; the 413 of a body over 64 KiB cannot come.
  const send = (events, body = JSON.stringify(events)) => {
    const fail = (after) => {
      enqueue(events)
      setTimeout(flush, (after || 30) * 1e3)
    }
    if (events[50] || (body.length > MAX && events[1])) send(events.splice(0, events.length / 2)), send(events)
    else
      post('/api/event', body).then(
        (r) => (/^(429|5)/.test(r.status) ? fail(+r.headers.get('Retry-After')) : flush()),
        () => fail(),
      )
  }

  // flush sends the buffered hits, unless require-consent holds them, and
  // the events of the retry queue with them. It runs when a page starts
  // (with the first decision), after every successful request and when a
  // retry is due.
  const flush = (e) => {
    timer = 0
    if ((decision || !on(o.requireConsent)) && (e = buf.splice(0).map(stamp).concat(dequeue()))[0]) send(e)
  }

  // queue buffers e; hits that happen together share a request. An event
  // that cannot be sent, or that the collector would refuse as a whole, is
  // dropped here with a warning, alone: what JSON.stringify throws on (a
  // circular object, a BigInt), a prop value that is an object (props are
  // flat: strings, numbers, booleans; JSON leaves out a symbol) or longer
  // than 256 characters, a URL that does not parse, more than MAX characters. The
  // collector checks the rest (at most 32 props, keys of at most 64
  // characters, ...) and rejects a bad event alone, keeping the others of
  // its request. Nothing is thrown into the page.
  const queue = (e, now) => {
    try {
      if (off || exclude.some((r) => r.test(new URL(e.url).pathname))) return
      const p = e.props
      if (JSON.stringify(e).length > MAX) throw 0
      for (const k in p) if (Object(p[k]) === p[k] || (p[k] + '')[256]) throw 0 // an object
      buf.push(e)
      if (now) flush()
      else timer ||= setTimeout(flush)
    } catch {
      warn('invalid event ' + (e.name || e.type))
    }
  }

  // consent applies a decision; without analytics, stored IDs go at once.
  const consent = (d) => {
    decision = valid(d)
    if (!has('analytics')) forget()
    flush()
  }

  // engagement queues the visible time since shown, with the scroll depth,
  // and starts a new measure unless the page is going away (gone): on
  // navigation Chromium fires pagehide while the page is still visible.
  const engagement = (gone) => {
    if (shown && lastURL) queue({ ...hit('engagement', lastURL), engaged_ms: now() - shown, scroll: depth })
    shown = !gone && doc.visibilityState == 'visible' && now()
  }
  const scrolled = () => {
    depth = Math.max(depth, Math.min(100, (((scrollY + innerHeight) * 100) / doc.documentElement.scrollHeight) | 0))
  }

  const pageview = (p) => {
    if (lastURL) engagement(), (referrer = lastURL)
    lastURL = p?.url || here()
    depth = 0
    scrolled()
    queue(hit('pageview', lastURL, p?.props || o.props))
  }

  // page counts a navigation once: only when the reported URL changed, and
  // not when it only left a hash route for an in-page anchor of the same
  // page (the anchor is not reported: here() is the page without it).
  const page = () => here() != lastURL && !(loc.hash[1] && here() == lastURL.split('#')[0]) && pageview()

  // click reads the link's URL parts from the <a> element itself (an SVG
  // link has none and is not counted).
  const click = (ev) => {
    const u = ev.target.closest('a[href]')
    if (!u || ev.button > 1) return
    const name = dl.test(u.pathname) ? 'download' : u.host != loc.host && /^http/.test(u.protocol) && 'outbound'
    if (name) queue(hit('event', 0, { url: (u.origin + u.pathname).slice(0, 256) }, name), 1)
  }

  const hide = () => {
    engagement(1)
    flush()
  }

  const api = {
    track: (name, props) => queue(hit('event', 0, props, name)),
    pageview,
    // identify warns and returns false, never throws, when it cannot send.
    identify: (user_id, traits) => {
      try {
        if (has(idPurpose)) return !!post('/api/identify', JSON.stringify({ site, user_id, traits, consent: decision.token }))
      } catch {}
      return warn('identify needs ' + idPurpose)
    },
  }

  if (off) return warn(`off (${off}): add data-allow-${off}`), api
  // consent() flushes: the retry queue left by earlier pages goes now.
  consent(read())
  // Every listener is a capturing one on window: it also hears what is
  // dispatched on document (the banner's event, visibilitychange), even
  // when it does not bubble.
  listen(EVENT, (ev) => consent(ev.detail))
  listen('click', click)
  listen('auxclick', click)
  listen('visibilitychange', () => (shown ? hide() : engagement()))
  listen('pagehide', hide)
  listen('scroll', scrolled)
  engagement()
  if (!on(o.manual)) {
    for (const m of ['pushState', 'replaceState']) {
      const f = history[m]
      history[m] = (...a) => {
        f.apply(history, a)
        page()
      }
    }
    listen('popstate', page)
    pageview()
  }
  return api
}
