// The collector's preference-center API. Every call carries the customer
// token in the Authorization header (never in the URL, where logs and the
// Referer header would keep it). The token comes from the site's back end:
// data-token (rendered into the page) or data-token-url (fetched from the
// site, with its cookies, as text or {"token": …}); with a token URL a
// refused (401) call fetches a new token once and retries.
export class Expired extends Error {}

export function api(o) {
  let token = o.token || '';
  const fresh = async () => {
    const r = await fetch(o.tokenURL, { credentials: 'same-origin', cache: 'no-store' });
    if (!r.ok) throw new Expired('token URL: ' + r.status);
    const t = (await r.text()).trim();
    token = t.startsWith('{') ? JSON.parse(t).token : t;
  };
  async function call(method, path, body, retry = true) {
    if (!token && o.tokenURL) await fresh();
    const sep = path.includes('?') ? '&' : '?';
    const url = `${o.endpoint}/api/preferences${path}${method === 'GET' ? `${sep}site=${encodeURIComponent(o.site)}` : ''}`;
    const r = await fetch(url, {
      method,
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'text/plain' },
      body: body ? JSON.stringify({ site: o.site, ...body }) : undefined,
    });
    if (r.status === 401) {
      if (retry && o.tokenURL) {
        await fresh();
        return call(method, path, body, false);
      }
      throw new Expired('customer token refused');
    }
    if (!r.ok) {
      let reason = '';
      try {
        reason = (await r.json()).reason || '';
      } catch (e) { /* not JSON */ }
      const err = new Error(`ashiato preferences: ${r.status} ${reason}`);
      err.status = r.status;
      throw err;
    }
    return r;
  }
  return {
    json: async (method, path, body) => (await call(method, path, body)).json(),
    text: async (path) => (await call('GET', path)).text(),
  };
}
