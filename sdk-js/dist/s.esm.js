// src/store.js
var SID_KEY = "ashiato_sid";
var QUEUE_KEY = "ashiato_q";
var SESSION_MS = 18e5;
var QUEUE_MAX = 100;
var QUEUE_MS = 864e5;
var ls = (() => {
  try {
    return localStorage;
  } catch {
  }
})() || {};
var get = (k) => ls[k];
var set = (k, v) => v ? ls[k] = v : delete ls[k];
var uuid = (u = URL.createObjectURL(new Blob())) => (URL.revokeObjectURL(u), u.slice(-36));
var sid = (now = Date.now()) => {
  const [id, t] = (get(SID_KEY) || "").split(".");
  const s = now - t < SESSION_MS ? id : uuid();
  set(SID_KEY, s + "." + now);
  return s;
};
var load = (now = Date.now()) => {
  try {
    return JSON.parse(get(QUEUE_KEY)).filter((x) => now - x[0] < QUEUE_MS);
  } catch {
    return [];
  }
};
var save = (q) => set(QUEUE_KEY, q[0] && JSON.stringify(q.slice(-QUEUE_MAX)));
var enqueue = (events, now = Date.now()) => save(load(now).concat(events.map((e) => [now, { ...e, retry: true }])));
var dequeue = () => {
  const q = load();
  save([]);
  return q.map((x) => x[1]);
};
var forget = () => {
  set(SID_KEY);
  save(load().map(([t, { vid, sid: sid2, consent, ...e }]) => [t, e]));
};

// src/consent.js
var EVENT = "ashiato:consent";
var KEY = "ashiato_consent";
var valid = (d) => d?.granted && !(Date.parse(d.expires_at) <= Date.now()) ? d : null;
var read = () => {
  try {
    return valid(window.ashiatoConsent?.get() || JSON.parse(get(KEY)));
  } catch {
  }
};
var grants = (d, p) => !!d?.granted.includes(p);

// src/url.js
var pageURL = (href, hash) => hash ? href : href.replace(/#.*/, "");
var glob = (p) => RegExp("^" + p.replace(/\./g, "\\.").replace(/\*/g, ".*") + "$");
var isLocal = (host) => /^(127\.|\[::1\])|localhost$/.test(host);
var DOWNLOADS = "pdf|csv|xlsx?|docx?|pptx?|zip|gz|dmg|exe|msi|apk|mp[34]";
var on = (v) => /^(|true)$/.test(v);

// src/tracker.js
var init = (o) => {
  const doc = document;
  const nav = navigator;
  const loc = location;
  const now = Date.now;
  const listen = addEventListener;
  const site = o.site;
  const hash = on(o.hash);
  const endpoint = o.endpoint || loc.origin;
  const exclude = String(o.exclude || "").split(",").map(glob);
  const dl = RegExp("\\.(" + String(o.downloads ?? DOWNLOADS).replace(/,/g, "|") + ")$", "i");
  const idPurpose = o.identifyPurpose || "personalization";
  const off = !on(o.allowLocalhost) && isLocal(loc.hostname) || !on(o.allowWebdriver) && nav.webdriver;
  let decision;
  let buf = [];
  let timer;
  let lastURL;
  let referrer = doc.referrer;
  let shown;
  let depth;
  const has = (p) => grants(decision, p);
  const here = () => pageURL(loc.href, hash);
  const hit = (type, url, props, name) => ({
    site,
    type,
    name,
    url: url || here(),
    referrer,
    title: doc.title,
    props,
    screen: screen.width + "x" + screen.height,
    lang: nav.language,
    eid: uuid(),
    wd: nav.webdriver,
    gpc: nav.globalPrivacyControl
  });
  const stamp = (e) => {
    if (decision) {
      e.consent = decision.token;
      if (has("analytics")) e.vid = decision.vid, e.sid = sid();
    }
    return e;
  };
  const post = (path, body) => fetch(endpoint + path, { method: "POST", body, credentials: "include", keepalive: true });
  const send = (events, beacon) => {
    while (events[0]) {
      const batch = events.splice(0, 50);
      const body = JSON.stringify(batch);
      const fail = (after) => {
        enqueue(batch);
        setTimeout(retry, (after || 30) * 1e3);
      };
      if (!(beacon && nav.sendBeacon(endpoint + "/api/event", body)))
        post("/api/event", body).then(
          (r) => /^(429|5)/.test(r.status) ? fail(+r.headers.get("Retry-After")) : retry(),
          () => fail()
        );
    }
  };
  const retry = () => {
    const q = dequeue();
    if (q[0]) send(q);
  };
  const flush = (beacon) => {
    timer = 0;
    if (buf[0] && (decision || !on(o.requireConsent))) send(buf.splice(0).map(stamp), beacon);
  };
  const queue = (e, now2) => {
    if (off || exclude.some((r) => r.test(new URL(e.url).pathname))) return;
    buf.push(e);
    if (now2) flush();
    else timer || (timer = setTimeout(flush));
  };
  const consent = (d) => {
    decision = valid(d);
    if (!has("analytics")) forget();
    flush();
  };
  const engagement = (gone) => {
    if (shown && lastURL) queue({ ...hit("engagement", lastURL), engaged_ms: now() - shown, scroll: depth });
    shown = !gone && doc.visibilityState == "visible" && now();
  };
  const scrolled = () => {
    depth = Math.max(depth, Math.min(100, (scrollY + innerHeight) * 100 / doc.documentElement.scrollHeight | 0));
  };
  const pageview = (p = {}) => {
    if (lastURL) engagement(), referrer = lastURL;
    lastURL = p.url || here();
    depth = 0;
    scrolled();
    queue(hit("pageview", lastURL, p.props || o.props));
  };
  const page = () => here() != lastURL && pageview();
  const click = (ev) => {
    const a = ev.target.closest("a[href]");
    if (!a || ev.button > 1) return;
    const u = new URL(a.href);
    const name = dl.test(u.pathname) ? "download" : u.host != loc.host && /^http/.test(u.protocol) && "outbound";
    if (name) queue(hit("event", 0, { url: (u.origin + u.pathname).slice(0, 256) }, name), 1);
  };
  const hide = () => {
    engagement(1);
    flush(1);
  };
  const api = {
    track: (name, props) => queue(hit("event", 0, props, name)),
    pageview,
    identify: (user_id, traits) => {
      if (!has(idPurpose)) return console.warn("ashiato: identify needs " + idPurpose), false;
      post("/api/identify", JSON.stringify({ site, user_id, traits, consent: decision.token }));
      return true;
    }
  };
  if (off) return console.warn("ashiato: off"), api;
  consent(read());
  const docListen = (t, f) => doc.addEventListener(t, f, true);
  docListen(EVENT, (ev) => consent(ev.detail));
  docListen("click", click);
  docListen("auxclick", click);
  docListen("visibilitychange", () => shown ? hide() : engagement());
  listen("pagehide", hide);
  listen("scroll", scrolled);
  engagement();
  if (!on(o.manual)) {
    for (const m of ["pushState", "replaceState"]) {
      const f = history[m];
      history[m] = (...a) => {
        f.apply(history, a);
        page();
      };
    }
    listen("popstate", page);
    pageview();
  }
  retry();
  return api;
};
export {
  init
};
