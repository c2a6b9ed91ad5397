// The staff session over `/api/v1/auth`: log in, who is logged in, log out. The session
// itself is the server's HttpOnly cookie; this page never sees it.
//
// The back-office is served at the server's root (`/admin`, `/admin/…`), so the API is
// addressed from the root too: a document-relative URL would break under `/admin/…`.

const AUTH = '/api/v1/auth';

/** @typedef {'admin'|'editor'|'moderator'} Role */
export const ROLES = /** @type {const} */ (['admin', 'editor', 'moderator']);

/**
 * Who is logged in, as `GET /api/v1/auth/me` says.
 * @typedef {Object} Staff
 * @property {string} email
 * @property {Role} role
 * @property {string[]} territory   INSEE commune and SIREN intercommunality codes
 */

/**
 * Why a call failed:
 * - `credentials`: wrong e-mail or password (401 on login);
 * - `throttled`: too many failed logins, `retryAfterS` seconds to wait (429);
 * - `network`: the server could not be reached;
 * - `server`: any other answer, `message` being the server's reason.
 * @typedef {'credentials'|'throttled'|'network'|'server'} AuthFailure
 */

export class AuthError extends Error {
  /**
   * @param {AuthFailure} kind
   * @param {string} message      the server's reason, when it gave one
   * @param {number|null} [retryAfterS]
   */
  constructor(kind, message, retryAfterS = null) {
    super(message);
    this.name = 'AuthError';
    this.kind = kind;
    this.retryAfterS = retryAfterS;
  }
}

/**
 * `fetch` that turns a network failure into an `AuthError` of kind `network`.
 * @param {string} url
 * @param {RequestInit} init
 */
async function send(url, init) {
  try {
    return await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch (err) {
    throw new AuthError('network', err instanceof Error ? err.message : String(err));
  }
}

/** The `error` of a JSON error body, else the HTTP status. @param {Response} response */
async function reason(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: the status says enough.
  }
  return `HTTP ${response.status}`;
}

/** Seconds of a `Retry-After` header (a number of seconds; a date is not sent here). @param {Response} response */
function retryAfter(response) {
  const s = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  return Number.isFinite(s) && s >= 0 ? s : null;
}

/**
 * A `me` body checked: an object with a string `email`, a known `role` and a list of codes.
 * @param {unknown} raw
 * @returns {Staff}
 */
export function toStaff(raw) {
  const body = /** @type {Record<string, unknown>} */ (raw && typeof raw === 'object' ? raw : {});
  const { email, role, territory } = body;
  if (typeof email !== 'string' || !ROLES.includes(/** @type {Role} */ (role))) {
    throw new AuthError('server', 'unexpected answer of /api/v1/auth/me');
  }
  const codes = Array.isArray(territory) ? territory.filter((c) => typeof c === 'string') : [];
  return { email, role: /** @type {Role} */ (role), territory: codes };
}

/**
 * Who is logged in: the staff member, or null without an open session.
 * @returns {Promise<Staff|null>}
 */
export async function whoAmI() {
  const response = await send(`${AUTH}/me`, { headers: { Accept: 'application/json' } });
  if (response.status === 401) return null;
  if (!response.ok) throw new AuthError('server', await reason(response));
  let body;
  try {
    body = await response.json();
  } catch {
    throw new AuthError('server', 'unexpected answer of /api/v1/auth/me');
  }
  return toStaff(body);
}

/**
 * Opens a session (the server sets its cookie).
 * @param {string} email
 * @param {string} password
 */
export async function logIn(email, password) {
  const response = await send(`${AUTH}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.ok) return;
  const message = await reason(response);
  if (response.status === 401) throw new AuthError('credentials', message);
  if (response.status === 429) throw new AuthError('throttled', message, retryAfter(response));
  throw new AuthError('server', message);
}

/** Ends the session (the server clears its cookie). */
export async function logOut() {
  const response = await send(`${AUTH}/logout`, { method: 'POST', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new AuthError('server', await reason(response));
}
