// Calls to the collector: the dashboard's cookie-authenticated routes.

// ApiError carries the HTTP status and the API's error code.
export class ApiError extends Error {
  constructor(status, code) {
    super(`${status} ${code}`);
    this.status = status;
    this.code = code;
  }
}

async function json(r) {
  let body = {};
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) throw new ApiError(r.status, body.error || '');
  return body;
}

// stats answers report for the query parameters q (URLSearchParams).
export function stats(report, q, signal) {
  return fetch(`/dashboard/api/stats/${report}?${q}`, { credentials: 'same-origin', signal }).then(json);
}

export function sites() {
  return fetch('/dashboard/api/sites', { credentials: 'same-origin' }).then(json);
}

export function login(token) {
  return fetch('/dashboard/login', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  }).then(json);
}

export function logout() {
  return fetch('/dashboard/logout', { method: 'POST', credentials: 'same-origin' }).then(json);
}
