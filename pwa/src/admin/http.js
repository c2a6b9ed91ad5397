// How the back-office talks to the staff API, in one place: JSON answers, the session
// cookie of this site, nothing cached; a failure is a `StaffApiError` with the HTTP
// status (0 when the server could not be reached), the server's reason and, when an
// edit came too late (412), the record as it is now.

/** A call to the staff API that failed. */
export class StaffApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message the server's reason, when it gave one
   * @param {any} [current] the record as it is now (412)
   */
  constructor(status, message, current = null) {
    super(message);
    this.name = 'StaffApiError';
    this.status = status;
    this.current = current;
  }
}

/**
 * `fetch` then the JSON body (null when there is none, as for a 204).
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
export async function send(url, init = {}) {
  let response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      cache: 'no-store',
      ...init,
      headers: { Accept: 'application/json', ...(init.headers ?? {}) },
    });
  } catch (err) {
    throw new StaffApiError(0, err instanceof Error ? err.message : String(err));
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // No body (204) or not JSON (a proxy's page): the status says enough.
  }
  if (!response.ok) {
    const reason = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    const current = response.status === 412 && body && typeof body.current === 'object' ? body.current : null;
    throw new StaffApiError(response.status, reason, current);
  }
  return body;
}

/**
 * [`send`], for calls whose answer is a JSON object.
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
export async function sendForObject(url, init = {}) {
  const body = await send(url, init);
  if (!body || typeof body !== 'object') throw new StaffApiError(200, 'unexpected answer');
  return body;
}
