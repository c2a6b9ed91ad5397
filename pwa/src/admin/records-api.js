// Staff reads and edits of circuits and points of interest over `/api/v1/admin`: the
// lists, one record with its version tag, a merge patch guarded by `If-Match`, the audit log,
// a revert, and a photo added to a record. Addressed from the server's root, like `auth.js`.
import { StaffApiError as RecordError, sendForObject as call } from './http.js';

const ADMIN = '/api/v1/admin';

/** @typedef {'circuits'|'pois'} RecordKind */

/**
 * A circuit in the staff list.
 * @typedef {Object} CircuitRow
 * @property {string} id
 * @property {string} name
 * @property {boolean} published
 * @property {string[]} communes   names
 */

/**
 * A point of interest a circuit's file brought.
 * @typedef {Object} PoiRow
 * @property {string} id
 * @property {string} name
 * @property {string} kind
 */

/**
 * A point of interest in the staff search, whatever circuit it belongs to (or none).
 * @typedef {Object} PoiSearchRow
 * @property {string} id
 * @property {string} name
 * @property {string} kind
 * @property {string | null} [commune]   name
 */

/**
 * A photo, video or sound of a record; `url` is a small JPEG of a photo, else the link.
 * @typedef {Object} MediaItem
 * @property {string} id
 * @property {'photo'|'video'|'audio'} kind
 * @property {string | null} [title]
 * @property {string | null} [alt]
 * @property {string | null} [author]
 * @property {string | null} [license]
 * @property {string} url
 */

/**
 * One editable record as the server keeps it: the current values (`fields`), those set by
 * a person (`edited`), and the tag to send back with a change.
 * @typedef {Object} StaffRecord
 * @property {string} id
 * @property {string} kind
 * @property {string} source
 * @property {Record<string, any>} fields
 * @property {Record<string, any>} edited
 * @property {number} version
 * @property {string} etag
 * @property {string[]} communes
 * @property {MediaItem[]} [media]
 */

/**
 * @typedef {Object} HistoryEntry
 * @property {number} version
 * @property {number} at        unix seconds
 * @property {string} by
 * @property {'edit'|'revert'|'import'} origin
 * @property {{ field: string, before: any, after: any }[]} changes
 */

export { RecordError };

const path = (/** @type {RecordKind} */ kind, /** @type {string} */ id) => `${ADMIN}/${kind}/${encodeURIComponent(id)}`;

/** Every circuit, published or not, matching `q`. @param {string} q @returns {Promise<CircuitRow[]>} */
export async function listCircuits(q) {
  const body = await call(`${ADMIN}/circuits?q=${encodeURIComponent(q)}`);
  return Array.isArray(body.circuits) ? body.circuits : [];
}

/**
 * Every point of interest whose name has the words of `q`, of `kind` when given: one page
 * of them, and how many there are in all.
 * @param {{ q: string, kind: string, limit: number, offset: number }} query
 * @returns {Promise<{ total: number, pois: PoiSearchRow[] }>}
 */
export async function searchPois({ q, kind, limit, offset }) {
  const params = new URLSearchParams({ q, kind, limit: String(limit), offset: String(offset) });
  const body = await call(`${ADMIN}/pois?${params}`);
  const pois = Array.isArray(body.pois) ? body.pois : [];
  return { total: Number.isFinite(body.total) ? body.total : pois.length, pois };
}

/** The points of interest of a circuit. @param {string} id @returns {Promise<PoiRow[]>} */
export async function listCircuitPois(id) {
  const body = await call(`${path('circuits', id)}/pois`);
  return Array.isArray(body.pois) ? body.pois : [];
}

/** @param {RecordKind} kind @param {string} id @returns {Promise<StaffRecord>} */
export function getRecord(kind, id) {
  return call(path(kind, id));
}

/**
 * Sends the changed fields as a JSON merge patch, valid only on the version `etag` names.
 * @param {RecordKind} kind
 * @param {string} id
 * @param {string} etag
 * @param {Record<string, any>} patch
 * @returns {Promise<StaffRecord>}
 */
export function patchRecord(kind, id, etag, patch) {
  return call(path(kind, id), {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': etag },
    body: JSON.stringify(patch),
  });
}

/** @param {RecordKind} kind @param {string} id @returns {Promise<HistoryEntry[]>} */
export async function getHistory(kind, id) {
  const body = await call(`${path(kind, id)}/history`);
  return Array.isArray(body.entries) ? body.entries : [];
}

/**
 * Puts the record back to `version` (0: the source's values).
 * @param {RecordKind} kind @param {string} id @param {number} version
 * @returns {Promise<StaffRecord>}
 */
export function revertRecord(kind, id, version) {
  return call(`${path(kind, id)}/revert`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ version }),
  });
}

/**
 * Adds a photo to the record: `form` holds `photo` (the file), `alt`, and optionally
 * `author`, `license` and `title`. Resolves to the server's answer: the record with its
 * media, or the new media item alone.
 * @param {RecordKind} kind @param {string} id @param {FormData} form
 * @returns {Promise<StaffRecord | MediaItem>}
 */
export function addPhoto(kind, id, form) {
  // No Content-Type here: the browser writes the multipart boundary itself.
  return call(`${path(kind, id)}/media`, { method: 'POST', body: form });
}
