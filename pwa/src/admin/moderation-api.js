// The walkers' contributions as the moderators see them, over `/api/v1/admin/moderation`:
// the queue (one page, with the counts by kind and status), one item with its log, a
// decision on one item or on several, and the address of the reports' export. Raw answers
// are checked here; the view (moderation.js) never reads a response itself.
import { StaffApiError as ModerationError, sendForObject as call } from './http.js';

const MODERATION = '/api/v1/admin/moderation';
const EXPORT = '/api/v1/admin/reports/export';

export { ModerationError };

export const KINDS = /** @type {const} */ (['review', 'report', 'correction']);

/** @typedef {'review'|'report'|'correction'} Kind */

/** The statuses of each kind, in the order of their life. @type {Record<Kind, string[]>} */
export const STATUSES = {
  review: ['pending', 'flagged', 'published', 'rejected'],
  report: ['new', 'in_progress', 'resolved', 'rejected'],
  correction: ['pending', 'accepted', 'rejected'],
};

/** The statuses of the open queue (the queue without `status`). @type {Record<Kind, string[]>} */
export const OPEN = { review: ['pending', 'flagged'], report: ['new', 'in_progress'], correction: ['pending'] };

export const CATEGORIES = ['fallen_tree', 'signage', 'path_damage', 'flooding', 'danger', 'litter', 'other'];

/** The decision that moves a report to a status. @type {Record<string, string>} */
export const REPORT_DECISION = { new: 'new', in_progress: 'in_progress', resolved: 'resolved', rejected: 'reject' };

/**
 * @typedef {Object} LogEntry
 * @property {string | number} at
 * @property {string | null} actor
 * @property {string} decision
 * @property {string | null} from
 * @property {string | null} to
 */

/**
 * A contribution in the queue; the fields of the other kinds are absent or null.
 * @typedef {Object} Item
 * @property {string} id
 * @property {Kind} kind
 * @property {string} status
 * @property {string} created_at
 * @property {string} updated_at
 * @property {string | null} circuit
 * @property {string | null} circuit_name
 * @property {string[]} photos
 * @property {boolean} contact       a report left an e-mail (never shown)
 * @property {number} [rating]
 * @property {string} [name]
 * @property {string} [text]
 * @property {number} [flags]
 * @property {string[]} [flag_reasons]
 * @property {string} [category]
 * @property {string} [message]
 * @property {number} [lon]
 * @property {number} [lat]
 * @property {string | null} [commune]
 * @property {string} [target]
 * @property {string | null} [target_name]
 * @property {string} [field]
 * @property {string | null} [current]
 * @property {LogEntry[]} [log]
 */

/** @typedef {Record<Kind, Record<string, number>>} Counts */

/**
 * The filters of the queue; empty ones are not sent.
 * @typedef {Object} Filters
 * @property {string} kind
 * @property {string} status     '' the open queue, 'all' every status
 * @property {string} category
 * @property {string} circuit
 * @property {string} commune
 */

const strings = (/** @type {unknown} */ v) => (Array.isArray(v) ? v.filter((s) => typeof s === 'string') : []);

/** An item checked: null when it is not one. @param {any} raw @returns {Item | null} */
export function toItem(raw) {
  if (!raw || typeof raw.id !== 'string' || !KINDS.includes(raw.kind) || typeof raw.status !== 'string') return null;
  return {
    ...raw,
    photos: strings(raw.photos),
    contact: raw.contact === true,
    flag_reasons: strings(raw.flag_reasons),
    log: Array.isArray(raw.log) ? raw.log.filter((/** @type {any} */ e) => e && typeof e === 'object') : undefined,
  };
}

/** `params` without its empty values. @param {Record<string, string | number>} params */
const query = (params) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)])).toString();

/**
 * One page of the queue, how many items match, and the counts by kind and status.
 * @param {Filters} filters
 * @param {number} limit
 * @param {number} offset
 * @returns {Promise<{ total: number, counts: Counts, items: Item[] }>}
 */
export async function listQueue(filters, limit, offset) {
  const body = await call(`${MODERATION}?${query({ ...filters, limit, offset })}`);
  const items = (Array.isArray(body.items) ? body.items : []).map(toItem).filter((/** @type {Item | null} */ i) => i !== null);
  /** @type {Counts} */
  const counts = { review: {}, report: {}, correction: {} };
  for (const kind of KINDS) {
    for (const s of STATUSES[kind]) {
      const n = body.counts?.[kind]?.[s];
      counts[kind][s] = Number.isFinite(n) ? n : 0;
    }
  }
  return { total: Number.isFinite(body.total) ? body.total : items.length, counts, items };
}

/** An item with its log. @param {string} id @returns {Promise<Item>} */
export async function getItem(id) {
  const item = toItem(await call(`${MODERATION}/${encodeURIComponent(id)}`));
  if (!item) throw new ModerationError(200, 'unexpected answer');
  return item;
}

/**
 * A decision on one item (409 when it does not apply to its kind or status).
 * @param {string} id @param {string} decision
 * @returns {Promise<Item>}
 */
export async function decide(id, decision) {
  const item = toItem(
    await call(`${MODERATION}/${encodeURIComponent(id)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision }),
    }),
  );
  if (!item) throw new ModerationError(200, 'unexpected answer');
  return item;
}

/**
 * The same decision on several items: those done, and those that failed with why.
 * @param {string[]} ids @param {string} decision
 * @returns {Promise<{ done: string[], failed: { id: string, error: string }[] }>}
 */
export async function decideMany(ids, decision) {
  const body = await call(MODERATION, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ids, decision }),
  });
  const failed = Array.isArray(body.failed) ? body.failed : [];
  return {
    done: strings(body.done),
    failed: failed
      .filter((/** @type {any} */ f) => f && typeof f.id === 'string')
      .map((/** @type {any} */ f) => ({ id: f.id, error: typeof f.error === 'string' ? f.error : '' })),
  };
}

/**
 * The address of the reports' export under the filters that apply to reports (a status
 * only when it is a report's).
 * @param {'geojson'|'csv'} format @param {Filters} filters
 */
export function exportUrl(format, filters) {
  const status = STATUSES.report.includes(filters.status) ? filters.status : '';
  return `${EXPORT}?${query({ format, status, category: filters.category, circuit: filters.circuit, commune: filters.commune })}`;
}
