// The tracker: builds hits, stamps them with what the consent decision
// allows, batches and sends them; pageviews, SPA navigation, clicks and
// engagement. Options are read with the same names from an object (ESM)
// or from the script's dataset (IIFE), so values may be strings.
// Written for size: /s.js must stay within 2,048 bytes gzipped.
import { EVENT, grants, read, valid } from './consent.js'
import { DOWNLOADS, glob, isLocal, on, pageURL } from './url.js'
import { dequeue, enqueue, forget, sid, uuid } from './store.js'

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
  const listen = addEventListener
  const site = o.site
  const hash = on(o.hash)
  const endpoint = o.endpoint || loc.origin
  const exclude = String(o.exclude || '').split(',').map(glob)
  const dl = RegExp('\\.(' + String(o.downloads ?? DOWNLOADS).replace(/,/g, '|') + ')$', 'i')
  const idPurpose = o.identifyPurpose || 'personalization'
  const off = (!on(o.allowLocalhost) && isLocal(loc.hostname)) || (!on(o.allowWebdriver) && nav.webdriver)
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
    gpc: nav.globalPrivacyControl,
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

  // post sends body as text/plain (a string body), which needs no CORS preflight.
  const post = (path, body) => fetch(endpoint + path, { method: 'POST', body, credentials: 'include', keepalive: true })

  // send posts events, at most 50 a request: with sendBeacon when the page
  // is hidden, else (or when the beacon is refused) with fetch. 429, 5xx
  // and network failures go to the retry queue with their eid; other
  // answers are final.
  const send = (events, beacon) => {
    while (events[0]) {
      const batch = events.splice(0, 50)
      const body = JSON.stringify(batch)
      const fail = (after) => {
        enqueue(batch)
        setTimeout(retry, (after || 30) * 1e3)
      }
      if (!(beacon && nav.sendBeacon(endpoint + '/api/event', body)))
        post('/api/event', body).then(
          (r) => (/^(429|5)/.test(r.status) ? fail(+r.headers.get('Retry-After')) : retry()),
          () => fail(),
        )
    }
  }

  const retry = () => {
    const q = dequeue()
    if (q[0]) send(q)
  }

  // flush sends the buffered hits, unless require-consent holds them.
  const flush = (beacon) => {
    timer = 0
    if (buf[0] && (decision || !on(o.requireConsent))) send(buf.splice(0).map(stamp), beacon)
  }

  // queue buffers e; hits that happen together share a request.
  const queue = (e, now) => {
    if (off || exclude.some((r) => r.test(new URL(e.url).pathname))) return
    buf.push(e)
    if (now) flush()
    else timer ||= setTimeout(flush)
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

  const pageview = (p = {}) => {
    if (lastURL) engagement(), (referrer = lastURL)
    lastURL = p.url || here()
    depth = 0
    scrolled()
    queue(hit('pageview', lastURL, p.props || o.props))
  }

  // page counts a navigation once: only when the reported URL changed.
  const page = () => here() != lastURL && pageview()

  const click = (ev) => {
    const a = ev.target.closest('a[href]')
    if (!a || ev.button > 1) return
    const u = new URL(a.href)
    const name = dl.test(u.pathname) ? 'download' : u.host != loc.host && /^http/.test(u.protocol) && 'outbound'
    if (name) queue(hit('event', 0, { url: (u.origin + u.pathname).slice(0, 256) }, name), 1)
  }

  const hide = () => {
    engagement(1)
    flush(1)
  }

  const api = {
    track: (name, props) => queue(hit('event', 0, props, name)),
    pageview,
    identify: (user_id, traits) => {
      if (!has(idPurpose)) return console.warn('ashiato: identify needs ' + idPurpose), false
      post('/api/identify', JSON.stringify({ site, user_id, traits, consent: decision.token }))
      return true
    },
  }

  if (off) return console.warn('ashiato: off'), api
  consent(read())
  const docListen = (t, f) => doc.addEventListener(t, f, true)
  docListen(EVENT, (ev) => consent(ev.detail))
  docListen('click', click)
  docListen('auxclick', click)
  docListen('visibilitychange', () => (shown ? hide() : engagement()))
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
  retry()
  return api
}
