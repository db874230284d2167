// Small fakes of the browser globals the SDK touches, for unit tests in
// node. Import this module before any module of src/: store.js takes
// localStorage when it loads. Browser behaviour itself is tested in
// test/browser against headless Chromium.

/** storage is the fake localStorage: a plain object, as the SDK uses named properties. */
export const storage = {}
globalThis.localStorage = storage
globalThis.window = globalThis

/** clearStorage empties the fake localStorage. */
export const clearStorage = () => {
  for (const k of Object.keys(storage)) delete storage[k]
}

/**
 * page installs a fresh fake page at url and returns its handles: the
 * requests sent with fetch, and helpers to drive it.
 * respond(url, body) decides each fetch answer: a status number, or
 * 'fail' for a network failure.
 */
export function page(url = 'https://shop.example.com/a?x=1', { respond = () => 202, webdriver = false, gpc } = {}) {
  const win = new EventTarget()
  const doc = new EventTarget()
  const sent = []
  const loc = {}
  const go = (href) => {
    const u = new URL(href, loc.href)
    Object.assign(loc, { href: u.href, origin: u.origin, host: u.host, hostname: u.hostname, pathname: u.pathname, protocol: u.protocol, hash: u.hash })
  }
  go(url)
  Object.assign(doc, { title: 'Title', referrer: 'https://search.example/?q=x', visibilityState: 'visible', documentElement: { scrollHeight: 2000 } })
  const hist = {
    pushState: (s, t, u) => go(u),
    replaceState: (s, t, u) => go(u),
  }
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: {
      language: 'ja-JP',
      webdriver,
      globalPrivacyControl: gpc,
    },
  })
  Object.assign(globalThis, {
    document: doc,
    location: loc,
    history: hist,
    screen: { width: 1920, height: 1080 },
    scrollY: 0,
    innerHeight: 1000,
    addEventListener: win.addEventListener.bind(win),
    dispatch: (type) => win.dispatchEvent(new Event(type)),
    fetch: async (u, init) => {
      const body = JSON.parse(init.body)
      sent.push({ url: u, body, init })
      const r = respond(u, body)
      if (r === 'fail') throw new TypeError('Failed to fetch')
      return { status: r, headers: new Headers(r == 429 ? { 'Retry-After': '1' } : {}) }
    },
  })
  delete globalThis.ashiatoConsent
  return {
    sent,
    go,
    /** hits returns the events sent so far, flattened, in order. */
    hits: () => sent.filter((s) => s.url.endsWith('/api/event')).flatMap((s) => s.body),
    // The tracker listens on window (capturing), where a browser's events
    // dispatched on document arrive too: the fakes dispatch on window.
    /** consent dispatches the banner's CustomEvent with decision d. */
    consent: (d) => win.dispatchEvent(Object.assign(new Event('ashiato:consent'), { detail: d })),
    hide: () => {
      doc.visibilityState = 'hidden'
      win.dispatchEvent(new Event('visibilitychange'))
    },
    /** tick waits for timers and pending promises. */
    tick: (ms = 5) => new Promise((r) => setTimeout(r, ms)),
  }
}

/** decision returns a banner decision granting purposes. */
export const decision = (granted, extra = {}) => ({
  granted: ['necessary', ...granted],
  token: 'tok-' + granted.join('-'),
  consent_id: '0b7d1e1c-8f4e-4f8e-9a5e-4c3d2b1a0f9e',
  vid: granted.includes('analytics') ? 'v_visitor123' : undefined,
  revision: 1,
  method: 'custom',
  ...extra,
})
