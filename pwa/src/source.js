// Where a view's data comes from: the network or the copy downloaded for offline use. One
// policy for every view that can show a downloaded circuit (sheet, guidance):
// - offline (network.js says so) with a copy: the copy, without waiting for the network;
// - otherwise the network, and the copy instead when the request fails, takes longer than
//   NETWORK_WAIT_MS (a bar of signal and no data, on the trail), or is answered by the
//   service worker from its API cache (an old visit's page, when the copy is the walker's
//   own choice);
// - a 404 is the server saying the circuit is gone: a copy does not hide it, nor does it
//   hide the walker leaving the page (AbortError);
// - without a copy, the network's answer or error, however long it takes.
import { lastResponseFromCache } from './api.js';
import { isOffline } from './network.js';

/** How long the network is given when a downloaded copy could be shown instead. */
export const NETWORK_WAIT_MS = 6000;

/**
 * How the network did: an answer (`fromCache`: made by the service worker from its cache),
 * an error, or nothing yet after the wait.
 * @template T
 * @typedef {{ value: T, fromCache: boolean } | { error: unknown } | { slow: true }} NetworkOutcome
 */

/**
 * What a view shows: the network's answer, or the downloaded copy.
 * @template N, C
 * @typedef {{ from: 'network', value: N, fromCache: boolean } | { from: 'copy', value: C }} Sourced
 */

/**
 * The decision, given how the network did and whether there is a copy to fall back on:
 * show the network's answer, the copy, or the network's error.
 * @param {NetworkOutcome<unknown>} outcome
 * @param {boolean} hasCopy
 * @returns {'network'|'copy'|'error'}
 */
export function choose(outcome, hasCopy) {
  if ('value' in outcome) return hasCopy && outcome.fromCache ? 'copy' : 'network';
  if ('slow' in outcome) return hasCopy ? 'copy' : 'network';
  if (!hasCopy) return 'error';
  const err = /** @type {{ name?: string, status?: number } | null | undefined} */ (outcome.error);
  if (err?.name === 'AbortError' || err?.status === 404) return 'error';
  return 'copy';
}

/**
 * Runs one API call and tells whether the service worker answered it from its cache. The
 * flag is read as soon as the call resolves, before another response can change it.
 * @template T
 * @param {() => Promise<T>} call  one function of api.js
 * @returns {Promise<{ value: T, fromCache: boolean }>}
 */
export async function fromApi(call) {
  const value = await call();
  return { value, fromCache: lastResponseFromCache() };
}

/**
 * The network's answer or the downloaded copy, by the policy above.
 * @template N, C
 * @param {Object} how
 * @param {(signal?: AbortSignal) => Promise<{ value: N, fromCache: boolean }>} how.network
 *   the request(s), usually through fromApi()
 * @param {() => Promise<C|null|undefined>} how.copy  the copy's data; null when there is none
 * @param {AbortSignal} [how.signal]  the view's: leaving it cancels the request
 * @param {number} [how.waitMs]
 * @returns {Promise<Sourced<N, C>>} rejects with the network's error when that is the decision
 */
export async function networkOrCopy({ network, copy, signal, waitMs = NETWORK_WAIT_MS }) {
  const copyPromise = copy().then(
    (c) => c ?? null,
    () => null,
  );
  if (isOffline()) {
    const c = await copyPromise;
    if (c !== null) return { from: 'copy', value: c };
  }
  /** @type {Promise<{ value: N, fromCache: boolean } | { error: unknown }>} */
  const answer = network(signal).then(
    ({ value, fromCache }) => ({ value, fromCache }),
    (error) => ({ error }),
  );
  const c = await copyPromise;
  if (c === null) {
    const outcome = await answer;
    if ('error' in outcome) throw outcome.error;
    return { from: 'network', value: outcome.value, fromCache: outcome.fromCache };
  }
  const outcome = await within(answer, waitMs);
  // A slow network always means the copy; the test keeps the types narrow.
  if (choose(outcome, true) === 'copy' || 'slow' in outcome) return { from: 'copy', value: c };
  if ('error' in outcome) throw outcome.error;
  return { from: 'network', value: outcome.value, fromCache: outcome.fromCache };
}

/**
 * `promise`'s value, or `{ slow: true }` after `ms` (the promise goes on, unheeded).
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T | { slow: true }>}
 */
async function within(promise, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<{ slow: true }>} */
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ slow: true }), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
