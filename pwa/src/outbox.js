// The walker's contributions waiting to be sent (reviews, flags, trail reports, corrections),
// kept in IndexedDB until the server has them. Shared by the page and the service worker
// (bundled into sw.js by vite.config.js), so neither the DOM, localStorage nor i18n here:
// what the page alone knows (the device id, the base URL, its tracked fetch) is passed in.
//
// Database `balade-outbox`, version 1:
//  - `items`   (key: `key`, the idempotency key): what waits to be sent, photos as Blobs;
//  - `reports` (key: `id`): the trail reports the server took, with their private follow link;
//  - `notices` (key: `key`): items the server refused (a 4xx other than 429), with its
//    message, until the page has shown it to the walker.
import { openDB } from 'idb';

export const OUTBOX_DB = 'balade-outbox';
/** Background Sync tag and Web Locks name. */
export const SYNC_TAG = 'balade-outbox';

/**
 * @typedef {'review'|'flag'|'report'|'correction'} OutboxKind
 * @typedef {Object} OutboxItem
 * @property {string} key          Idempotency-Key: the same for every attempt
 * @property {OutboxKind} kind
 * @property {string} path         API path relative to the app's root ("api/v1/reports")
 * @property {Record<string, string|number>} fields   the JSON body (or the multipart fields)
 * @property {Blob[]} photos
 * @property {string} device       X-Balade-Device
 * @property {string|null} circuit
 * @property {string} label        what the walker sees (the circuit's or POI's name)
 * @property {string} createdAt    ISO date
 * @property {number} attempts
 * @property {number} [notBefore]  ms since epoch: not before this (after a 429's Retry-After)
 *
 * @typedef {{ id: string, follow: string, category: string, circuit: string|null, label: string, createdAt: string }} SavedReport
 * @typedef {{ key: string, kind: OutboxKind, label: string, message: string, at: string }} OutboxNotice
 * @typedef {{ items: { key: string, value: OutboxItem }, reports: { key: string, value: SavedReport }, notices: { key: string, value: OutboxNotice } }} OutboxSchema
 */

/** @type {Promise<import('idb').IDBPDatabase<OutboxSchema>>|null} */
let dbPromise = null;

function db() {
  if (!dbPromise) {
    dbPromise = /** @type {Promise<import('idb').IDBPDatabase<OutboxSchema>>} */ (
      openDB(OUTBOX_DB, 1, {
        upgrade(d) {
          d.createObjectStore('items', { keyPath: 'key' });
          d.createObjectStore('reports', { keyPath: 'id' });
          d.createObjectStore('notices', { keyPath: 'key' });
        },
        terminated: () => {
          dbPromise = null;
        },
      })
    );
    dbPromise.catch(() => {
      dbPromise = null;
    });
  }
  return dbPromise;
}

/** A random id: UUID where available (secure contexts), else 32 random hex digits. */
export function randomId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Stores a contribution; resolves once it is safely on the device.
 * @param {Omit<OutboxItem, 'key'|'createdAt'|'attempts'>} what
 * @returns {Promise<OutboxItem>}
 */
export async function enqueue(what) {
  /** @type {OutboxItem} */
  const item = { ...what, key: randomId(), createdAt: new Date().toISOString(), attempts: 0 };
  await (await db()).put('items', item);
  return item;
}

/** @returns {Promise<OutboxItem[]>} oldest first */
export async function queuedItems() {
  const items = await (await db()).getAll('items');
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** @returns {Promise<SavedReport[]>} newest first */
export async function savedReports() {
  const reports = await (await db()).getAll('reports');
  return reports.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** @returns {Promise<OutboxNotice[]>} */
export async function pendingNotices() {
  return (await db()).getAll('notices');
}

/** @param {string} key */
export async function dismissNotice(key) {
  await (await db()).delete('notices', key);
}

/** The request of an item: multipart when it has photos, JSON otherwise. @param {OutboxItem} item */
function requestInit(item) {
  const headers = { 'Idempotency-Key': item.key, 'X-Balade-Device': item.device, Accept: 'application/json' };
  if (item.photos.length === 0) {
    return { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(item.fields) };
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(item.fields)) form.append(name, String(value));
  item.photos.forEach((photo, i) => form.append('photo', photo, `photo-${i + 1}.${photo.type === 'image/png' ? 'png' : photo.type === 'image/webp' ? 'webp' : 'jpg'}`));
  // No Content-Type: the browser writes the multipart boundary.
  return { method: 'POST', headers, body: form };
}

/** @param {Response} response */
async function jsonBody(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * @typedef {Object} FlushResult
 * @property {Array<{ item: OutboxItem, body: any }>} sent
 * @property {Array<{ item: OutboxItem, message: string }>} rejected
 * @property {number} left        items still waiting
 * @property {boolean} unreachable the last attempt did not reach the server
 */

/**
 * Sends what waits, oldest first. 2xx: removed (a report's follow link kept); network
 * failure, 5xx, 429: kept for later (the round stops: the server is away or busy); any
 * other 4xx: removed, with the server's message kept as a notice. One flush at a time,
 * page and service worker together (Web Locks where available).
 * @param {{ base: string, fetchFn?: typeof fetch }} options  base: the app's root URL
 * @returns {Promise<FlushResult>}
 */
export function flushOutbox({ base, fetchFn = fetch }) {
  const run = () => flushNow(base, fetchFn);
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  // (Typed by hand: the lib's types wrap the callback's promise in another one.)
  if (locks?.request) return /** @type {Promise<FlushResult>} */ (/** @type {unknown} */ (locks.request(SYNC_TAG, run)));
  // Without Web Locks: one flush at a time in this context, the next one waits for it.
  const next = flushing.then(run, run);
  flushing = next.catch(() => {});
  return next;
}
/** @type {Promise<unknown>} */
let flushing = Promise.resolve();

/** @param {string} base @param {typeof fetch} fetchFn @returns {Promise<FlushResult>} */
async function flushNow(base, fetchFn) {
  /** @type {FlushResult} */
  const result = { sent: [], rejected: [], left: 0, unreachable: false };
  const items = await queuedItems();
  let stopped = false;
  for (const item of items) {
    if (stopped || (item.notBefore ?? 0) > Date.now()) {
      result.left += 1;
      continue;
    }
    let response;
    try {
      response = await fetchFn(new URL(item.path, base).href, requestInit(item));
    } catch {
      response = null;
    }
    const d = await db();
    if (!response) {
      result.unreachable = true;
      stopped = true;
      result.left += 1;
      await d.put('items', { ...item, attempts: item.attempts + 1 });
      continue;
    }
    const body = await jsonBody(response);
    if (response.ok) {
      if (item.kind === 'report' && body && typeof body.id === 'string' && typeof body.follow === 'string') {
        await d.put('reports', {
          id: body.id,
          follow: body.follow,
          category: String(item.fields.category ?? ''),
          circuit: item.circuit,
          label: item.label,
          createdAt: item.createdAt,
        });
      }
      await d.delete('items', item.key);
      result.sent.push({ item, body });
    } else if (response.status === 429 || response.status >= 500) {
      const wait = Number(response.headers.get('Retry-After'));
      await d.put('items', { ...item, attempts: item.attempts + 1, notBefore: Number.isFinite(wait) && wait > 0 ? Date.now() + wait * 1000 : 0 });
      stopped = true;
      result.left += 1;
    } else {
      const message = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      const tx = d.transaction(['items', 'notices'], 'readwrite');
      await Promise.all([
        tx.objectStore('items').delete(item.key),
        tx.objectStore('notices').put({ key: item.key, kind: item.kind, label: item.label, message, at: new Date().toISOString() }),
        tx.done,
      ]);
      result.rejected.push({ item, message });
    }
  }
  return result;
}
