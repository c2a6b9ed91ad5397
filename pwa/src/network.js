// Whether the Balade server can be reached. `navigator.onLine` only says that the device
// has a network interface up: on the trail the phone may have a bar of signal and no data,
// be behind a captive portal, or the server may be down. So the app also learns from its
// own requests: one that fails (or that the service worker answers from its cache) makes
// the app offline, one that gets an answer from the network makes it online again. While
// offline, the server is probed now and then so that the app notices the network's return
// even when nothing else asks.

/** How often the server is probed while it cannot be reached. */
export const PROBE_EVERY_MS = 15_000;

/** Header set by the service worker on answers it made without the network. */
export const OFFLINE_HEADER = 'x-balade-from-cache';

let reachable = true;
let probeTimer = null;
const listeners = new Set();

/** True when the app must work from what the phone holds. */
export function isOffline() {
  const onLine = typeof navigator === 'undefined' || navigator.onLine !== false;
  return !onLine || !reachable;
}

/** Calls `fn(offline)` whenever the offline state changes; returns the unsubscribe. */
export function onNetworkChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify() {
  const offline = isOffline();
  for (const fn of listeners) {
    try {
      fn(offline);
    } catch (err) {
      console.error(err);
    }
  }
}

/** What a request taught: `true` when the server answered, `false` when it could not be reached. */
export function reportReachable(ok) {
  if (ok === reachable) return;
  reachable = ok;
  if (ok) {
    clearTimeout(probeTimer);
    probeTimer = null;
  } else scheduleProbe();
  notify();
}

/** Whether a response came from the server (not from the service worker's fallback). */
export function fromNetwork(response) {
  return response.headers.get(OFFLINE_HEADER) !== '1';
}

/**
 * Fetches like `fetch` and records the outcome: a network failure or a service-worker
 * fallback makes the app offline, any answer of the server makes it online.
 */
export async function trackedFetch(input, init) {
  let response;
  try {
    response = await fetch(input, init);
  } catch (err) {
    if (err?.name !== 'AbortError') reportReachable(false);
    throw err;
  }
  reportReachable(fromNetwork(response));
  return response;
}

/** Asks the server whether it is there (any answer counts, even an error status). */
export async function probe() {
  try {
    await trackedFetch('healthz', { cache: 'no-store' });
  } catch {
    // Still unreachable: trackedFetch recorded it.
  }
}

function scheduleProbe() {
  if (probeTimer !== null || typeof setTimeout === 'undefined') return;
  probeTimer = setTimeout(async () => {
    probeTimer = null;
    await probe();
    if (!reachable) scheduleProbe();
  }, PROBE_EVERY_MS);
}

if (typeof window !== 'undefined') {
  // The device's own signal: going offline is believed at once; coming back is checked.
  window.addEventListener('offline', notify);
  window.addEventListener('online', () => {
    notify();
    probe();
  });
}
