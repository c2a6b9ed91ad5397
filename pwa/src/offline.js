// Circuits downloaded for offline use.
// - JSON parts (sheet, profile, guide, POIs…): one IndexedDB record per circuit in the
//   `circuits` store (offline-store.js), written in one transaction once every part was
//   fetched and checked.
// - Tiles and media: Cache Storage, cache `balade-offline-<id>` (served by the service worker).
// The pure helpers (diffParts, sizeMatches, …) run under Node too (tests/offline-unit.test.mjs).

import { API_BASE } from './api.js';
import { getLang, t } from './i18n.js';
import { fromNetwork, trackedFetch } from './network.js';
import { isQuotaError, OfflineError, quotaMessage } from './offline-error.js';
import { deleteRecord, readAllRecords, readRecord, writeRecord } from './offline-store.js';

export { isQuotaError, OfflineError, quotaMessage };

/** Parts stored in Cache Storage rather than in the IndexedDB record. */
const BINARY_KINDS = new Set(['tile', 'media']);
/** Parallel downloads. */
const CONCURRENCY = 4;
/** Allowed difference between the manifest's byte size and the decoded body. */
export const SIZE_TOLERANCE_BYTES = 16;
/** A part's hash as the manifest gives it: a SHA-256 in 64 lowercase hexadecimal digits. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * @typedef {Object} ManifestPart
 * @property {string} kind      sheet, profile, guide, poi, tile, media…
 * @property {string} url       absolute path on the same origin
 * @property {number} bytes     size of the uncompressed body
 * @property {string} hash      SHA-256 of the body (64 lowercase hex digits), checked on arrival
 * @property {string} [id]
 *
 * @typedef {Object} OfflineManifest
 * @property {string} circuit
 * @property {string} name
 * @property {string} version
 * @property {string} [lang]
 * @property {number} total_bytes
 * @property {ManifestPart[]} parts
 * @property {unknown} [basemap]
 *
 * @typedef {Object} OfflineRecord
 * @property {string} id
 * @property {string} name
 * @property {string} version
 * @property {number} bytes                total size (JSON + tiles + media)
 * @property {string} savedAt              ISO date
 * @property {Record<string, unknown>} parts   JSON parts by URL
 * @property {ManifestPart[]} manifest     the parts list the record was made from
 * @property {unknown} [basemap]           the manifest's basemap description (null: none)
 *
 * @typedef {Object} PartTypes   the JSON of the parts the views read, by kind
 * @property {import('./api.js').CircuitDetail} sheet
 * @property {import('./api.js').Profile} profile
 * @property {import('./api.js').GuideData} guide
 * @property {import('./api.js').PoiDetail} poi
 */

// ---------------------------------------------------------------------------------------
// Pure helpers

export const cacheName = (id) => `balade-offline-${id}`;
export const isBinaryPart = (part) => BINARY_KINDS.has(part?.kind);

/** True when the decoded body length matches the manifest's size (a few bytes of slack). */
export function sizeMatches(expected, actual, tolerance = SIZE_TOLERANCE_BYTES) {
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return false;
  return Math.abs(expected - actual) <= tolerance;
}

/** The SHA-256 of `buf` in 64 lowercase hexadecimal digits (Web Crypto, as in Node 20). */
export async function sha256Hex(buf) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Refuses a fetched body that is not the part the manifest announced: OfflineError
 * 'incomplete' when its size differs (a cut transfer), 'corrupt' when its size is right
 * and its SHA-256 is not (altered on the way, or a server answering other content).
 * @param {ManifestPart} part
 * @param {ArrayBuffer} buf  the body as received, decoded
 */
export async function checkPart(part, buf) {
  if (!sizeMatches(part.bytes, buf.byteLength)) {
    throw new OfflineError(t('offlineErr.incomplete', { url: part.url, got: buf.byteLength, want: part.bytes }), 'incomplete');
  }
  if ((await sha256Hex(buf)) !== part.hash) {
    throw new OfflineError(t('offlineErr.corrupt', { url: part.url }), 'corrupt');
  }
}

/**
 * Which parts of a new manifest must be fetched, given the parts already stored.
 * A part is kept when a stored part has the same URL and the same hash.
 * @param {ManifestPart[]} stored
 * @param {ManifestPart[]} fresh
 * @returns {{ fetch: ManifestPart[], keep: ManifestPart[], remove: ManifestPart[] }}
 */
export function diffParts(stored, fresh) {
  const old = new Map((stored || []).map((p) => [p.url, p]));
  const fetch = [];
  const keep = [];
  const seen = new Set();
  for (const part of fresh || []) {
    seen.add(part.url);
    const prev = old.get(part.url);
    if (prev && prev.hash && prev.hash === part.hash && prev.kind === part.kind) keep.push(part);
    else fetch.push(part);
  }
  const remove = (stored || []).filter((p) => !seen.has(p.url));
  return { fetch, keep, remove };
}

/** Checks the shape of a manifest; throws OfflineError('invalid'). */
export function checkManifest(m, id) {
  const ok =
    m &&
    typeof m === 'object' &&
    typeof m.version === 'string' &&
    Array.isArray(m.parts) &&
    m.parts.every(
      (p) =>
        p &&
        typeof p.url === 'string' &&
        p.url.startsWith('/') &&
        typeof p.kind === 'string' &&
        Number.isFinite(p.bytes) &&
        // A part that cannot be checked is not taken.
        typeof p.hash === 'string' &&
        SHA256_HEX.test(p.hash),
    );
  if (!ok) throw new OfflineError(t('offlineErr.invalid'), 'invalid');
  if (m.circuit && id && m.circuit !== id) throw new OfflineError(t('offlineErr.mismatch'), 'invalid');
  const urls = new Set(m.parts.map((p) => p.url));
  if (urls.size !== m.parts.length) throw new OfflineError(t('offlineErr.duplicates'), 'invalid');
  return m;
}

/**
 * The JSON of the first part of a given kind (and id) in a record, or undefined.
 * @template {keyof PartTypes} K
 * @param {Pick<OfflineRecord, 'manifest'|'parts'> | undefined} record
 * @param {K} kind
 * @param {string} [id]
 * @returns {PartTypes[K] | undefined}
 */
export function recordPart(record, kind, id) {
  if (!record) return undefined;
  const part = (record.manifest || []).find((p) => p.kind === kind && (id === undefined || p.id === id));
  // Stored as the server's endpoint answered it, checked against its SHA-256.
  return part ? /** @type {PartTypes[K] | undefined} */ (record.parts?.[part.url]) : undefined;
}

/** Short form of a version for display. */
export const shortVersion = (v) => String(v || '').slice(0, 8);

// ---------------------------------------------------------------------------------------
// Stored copies

/** @param {string} id @returns {Promise<OfflineRecord|undefined>} */
export async function getOffline(id) {
  try {
    return await readRecord(id);
  } catch {
    // No readable copy is no copy: the caller goes to the network.
    return undefined;
  }
}

/** @returns {Promise<OfflineRecord[]>} newest first */
export async function listOffline() {
  const all = await readAllRecords();
  return all.sort((a, b) => String(b.savedAt).localeCompare(String(a.savedAt)));
}

/** Removes a downloaded circuit: its record and its cache. @param {string} id */
export async function deleteOffline(id) {
  await deleteRecord(id);
  if (typeof caches !== 'undefined') await caches.delete(cacheName(id));
}

// ---------------------------------------------------------------------------------------
// Download

/**
 * @param {string} url
 * @param {AbortSignal} [signal]
 * @param {string} [lang]  language the body must be in, for URLs without `lang`
 */
async function fetchOk(url, signal, lang) {
  let res;
  try {
    res = await trackedFetch(url, { signal, cache: 'no-store', headers: lang ? { 'Accept-Language': lang } : {} });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new OfflineError(t('offlineErr.unreachable'), 'network');
  }
  // A copy from the service worker's API cache is not a download.
  if (!fromNetwork(res)) {
    throw new OfflineError(t('offlineErr.offline'), 'network');
  }
  if (!res.ok) throw new OfflineError(t('offlineErr.status', { url, status: res.status }), 'network');
  return res;
}

/**
 * Fetches the manifest of a circuit.
 * @param {string} id
 * @param {{ signal?: AbortSignal }} [opts]
 * @returns {Promise<OfflineManifest>}
 */
export async function fetchManifest(id, { signal } = {}) {
  const res = await fetchOk(`${API_BASE}/circuits/${encodeURIComponent(id)}/offline?lang=${getLang()}`, signal);
  let body;
  try {
    body = await res.json();
  } catch {
    throw new OfflineError(t('offlineErr.invalid'), 'invalid');
  }
  return checkManifest(body, id);
}

/** Refuses a download of `bytes` the device has no room for (when it tells its room). @param {number} bytes */
async function checkSpace(bytes) {
  try {
    const est = await navigator.storage?.estimate?.();
    if (est?.quota !== undefined && est.usage !== undefined && est.quota - est.usage < bytes) {
      throw new OfflineError(quotaMessage(), 'quota');
    }
  } catch (err) {
    if (err instanceof OfflineError) throw err;
  }
}

/**
 * Downloads a circuit (or updates a stored copy: only the parts whose hash changed are
 * fetched). Nothing is stored unless every part arrived with the size and the SHA-256 of
 * the manifest.
 * @param {string} id
 * @param {{ signal?: AbortSignal, onProgress?: (p: {done: number, total: number, bytes: number, totalBytes: number}) => void }} [opts]
 * @returns {Promise<{ record: OfflineRecord, fetched: number, kept: number }>}
 */
export async function downloadCircuit(id, { signal, onProgress } = {}) {
  // Asked, not awaited: the answer may wait for the walker to answer a prompt (Firefox),
  // and the download does not depend on it.
  navigator.storage?.persist?.()?.catch(() => {});
  // Web Crypto exists only in secure contexts (https, localhost): without it no part can be checked.
  if (!globalThis.crypto?.subtle) throw new OfflineError(t('offlineErr.noCrypto'), 'invalid');
  const manifest = await fetchManifest(id, { signal });
  const previous = await getOffline(id);
  const { fetch: toFetch, keep } = diffParts(previous?.version ? previous.manifest : [], manifest.parts);
  const previousParts = previous?.parts ?? {};
  const keptJson = keep.filter((p) => !isBinaryPart(p) && Object.hasOwn(previousParts, p.url));
  // A kept JSON part missing from the old record is fetched again.
  for (const p of keep) if (!isBinaryPart(p) && !keptJson.includes(p)) toFetch.push(p);

  const totalBytes = toFetch.reduce((a, p) => a + p.bytes, 0);
  const progress = { done: 0, total: toFetch.length, bytes: 0, totalBytes };
  onProgress?.({ ...progress });
  await checkSpace(totalBytes);

  const hadCache = typeof caches !== 'undefined' && (await caches.has(cacheName(id)));
  /** @type {Record<string, unknown>} JSON parts fetched, by URL */
  const json = {};
  const addedToCache = [];
  let cache = null;
  try {
    if (toFetch.some(isBinaryPart)) {
      if (typeof caches === 'undefined') throw new OfflineError(t('offlineErr.noCaches'), 'invalid');
      cache = await caches.open(cacheName(id));
    }
    // The first failure stops the other workers before anything is cleaned up.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort);
    let failure = null;
    let next = 0;
    const fetchPart = async (part) => {
      // The parts' URLs carry no `lang`: the server then follows Accept-Language, which is
      // the browser's language, not necessarily the app's (the one the manifest was made in).
      const res = await fetchOk(part.url, stop.signal, manifest.lang || getLang());
      const buf = await res.arrayBuffer();
      await checkPart(part, buf);
      if (failure) return;
      if (isBinaryPart(part)) {
        const headers = { 'content-type': res.headers.get('content-type') || 'application/octet-stream' };
        await cache.put(part.url, new Response(buf, { status: 200, headers }));
        addedToCache.push(part.url);
      } else {
        try {
          json[part.url] = JSON.parse(new TextDecoder().decode(buf));
        } catch {
          throw new OfflineError(t('offlineErr.unreadable', { url: part.url }), 'invalid');
        }
      }
      progress.done += 1;
      progress.bytes += buf.byteLength;
      onProgress?.({ ...progress });
    };
    const worker = async () => {
      while (!failure && next < toFetch.length) {
        const part = toFetch[next];
        next += 1;
        try {
          await fetchPart(part);
        } catch (err) {
          failure ??= err;
          stop.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, toFetch.length) }, worker));
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) throw new DOMException(t('offlineErr.cancelled'), 'AbortError');
    if (failure) throw failure;

    /** @type {Record<string, unknown>} */
    const parts = {};
    for (const p of keptJson) parts[p.url] = previousParts[p.url];
    Object.assign(parts, json);
    /** @type {OfflineRecord} */
    const record = {
      id,
      name: manifest.name || recordPart({ manifest: manifest.parts, parts }, 'sheet')?.properties?.name || id,
      version: manifest.version,
      bytes: Number.isFinite(manifest.total_bytes) ? manifest.total_bytes : manifest.parts.reduce((a, p) => a + p.bytes, 0),
      savedAt: new Date().toISOString(),
      parts,
      basemap: manifest.basemap ?? null,
      manifest: manifest.parts.map(({ kind, url, bytes, hash, id: partId }) => ({ kind, url, bytes, hash, ...(partId ? { id: partId } : {}) })),
    };
    await writeRecord(record);

    // Tiles and media no longer in the manifest.
    if (previous && typeof caches !== 'undefined') {
      const wanted = new Set(manifest.parts.filter(isBinaryPart).map((p) => p.url));
      const c = await caches.open(cacheName(id));
      for (const req of await c.keys()) {
        if (!wanted.has(new URL(req.url).pathname + new URL(req.url).search)) await c.delete(req);
      }
    }
    return { record, fetched: toFetch.length, kept: keep.length };
  } catch (err) {
    // Leave nothing partial: a new download loses its cache, an update the tiles it added.
    if (typeof caches !== 'undefined') {
      try {
        if (!previous || !hadCache) await caches.delete(cacheName(id));
        else if (cache) {
          const keepUrls = new Set((previous.manifest || []).map((p) => p.url));
          for (const url of addedToCache) if (!keepUrls.has(url)) await cache.delete(url);
        }
      } catch {
        // Nothing more can be done.
      }
    }
    if (isQuotaError(err)) throw new OfflineError(quotaMessage(), 'quota');
    throw err;
  }
}
