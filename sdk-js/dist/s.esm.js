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
var dequeue = () => load().map((x) => x[1], save([]));
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
    return valid(JSON.parse(get(KEY)));
  } catch {
  }
};
var grants = (d, p) => !!d?.granted.includes(p);

// src/url.js
var pageURL = (href, hash) => href.replace(hash ? /#(?!!?\/).*/ : /#.*/, "");
var glob = (p) => RegExp("^" + p.replace(/\./g, "\\.").replace(/\*/g, ".*") + "$");
var isLocal = (host) => /^(127\.|\[::1\])|localhost$/.test(host);
var DOWNLOADS = "pdf|csv|xlsx?|docx?|pptx?|zip|gz|dmg|exe|msi|apk|mp[34]";
var on = (v) => /^(|true)$/.test(v);

// src/tracker.js
var MAX = 2e4;
var KEEP = 8e3;
var warn = (m) => !!console.warn("ashiato: " + m);
var init = (o) => {
  const doc = document;
  const nav = navigator;
  const loc = location;
  const now = Date.now;
  const listen = (t, f) => addEventListener(t, f, true);
  const site = o.site;
  const hash = on(o.hash);
  const endpoint = o.endpoint || loc.origin;
  const exclude = ((o.exclude || "") + "").split(",").map(glob);
  const dl = RegExp("\\.(" + ((o.downloads ?? DOWNLOADS) + "").replace(/,/g, "|") + ")$", "i");
  const idPurpose = o.identifyPurpose || "personalization";
  const off = !on(o.allowLocalhost) && isLocal(loc.hostname) && "localhost" || !on(o.allowWebdriver) && nav.webdriver && "webdriver";
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
    wd: nav.webdriver
  });
  const stamp = (e) => {
    if (decision) {
      e.consent = decision.token;
      if (has("analytics")) e.vid = decision.vid, e.sid = sid();
    }
    return e;
  };
  const post = (path, body) => fetch(endpoint + path, { method: "POST", body, credentials: "include", keepalive: body.length < KEEP });
  const send = (events, body = JSON.stringify(events)) => {
    const fail = (after) => {
      enqueue(events);
      setTimeout(flush, (after || 30) * 1e3);
    };
    if (events[50] || body.length > MAX && events[1]) send(events.splice(0, events.length / 2)), send(events);
    else
      post("/api/event", body).then(
        (r) => /^(429|5)/.test(r.status) ? fail(+r.headers.get("Retry-After")) : flush(),
        () => fail()
      );
  };
  const flush = (e) => {
    timer = 0;
    if ((decision || !on(o.requireConsent)) && (e = buf.splice(0).map(stamp).concat(dequeue()))[0]) send(e);
  };
  const queue = (e, now2) => {
    try {
      if (off || exclude.some((r) => r.test(new URL(e.url).pathname))) return;
      const p = e.props;
      if (JSON.stringify(e).length > MAX) throw 0;
      for (const k in p) if (Object(p[k]) === p[k] || (p[k] + "")[256]) throw 0;
      buf.push(e);
      if (now2) flush();
      else timer || (timer = setTimeout(flush));
    } catch {
      warn("invalid event " + (e.name || e.type));
    }
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
  const pageview = (p) => {
    if (lastURL) engagement(), referrer = lastURL;
    lastURL = p?.url || here();
    depth = 0;
    scrolled();
    queue(hit("pageview", lastURL, p?.props || o.props));
  };
  const page = () => here() != lastURL && !(loc.hash[1] && here() == lastURL.split("#")[0]) && pageview();
  const click = (ev) => {
    const u = ev.target.closest("a[href]");
    if (!u || ev.button > 1) return;
    const name = dl.test(u.pathname) ? "download" : u.host != loc.host && /^http/.test(u.protocol) && "outbound";
    if (name) queue(hit("event", 0, { url: (u.origin + u.pathname).slice(0, 256) }, name), 1);
  };
  const hide = () => {
    engagement(1);
    flush();
  };
  const api = {
    track: (name, props) => queue(hit("event", 0, props, name)),
    pageview,
    // identify warns and returns false, never throws, when it cannot send.
    identify: (user_id, traits) => {
      try {
        if (has(idPurpose)) return !!post("/api/identify", JSON.stringify({ site, user_id, traits, consent: decision.token }));
      } catch {
      }
      return warn("identify needs " + idPurpose);
    }
  };
  if (off) return warn(`off (${off}): add data-allow-${off}`), api;
  consent(read());
  listen(EVENT, (ev) => consent(ev.detail));
  listen("click", click);
  listen("auxclick", click);
  listen("visibilitychange", () => shown ? hide() : engagement());
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
  return api;
};
export {
  init
};
