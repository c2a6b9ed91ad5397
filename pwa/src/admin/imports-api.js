// Import jobs over `/api/v1/admin/imports`: upload a file, follow its plan, read the plan's
// records page by page, commit. Raw answers are checked into the shapes below; the view
// (imports.js) never reads a response itself.
import { StaffApiError as ImportError, sendForObject as send } from './http.js';

const IMPORTS = '/api/v1/admin/imports';

/** The kinds of data the server imports, in the order offered. */
export const KINDS = /** @type {const} */ (['gpx', 'circuits', 'landscapes', 'communes', 'ariane', 'tourism', 'biodiversity']);

/** @typedef {'queued'|'running'|'planned'|'committed'|'failed'} JobStatus */
/** @typedef {'create'|'update'|'unchanged'|'delete'|'rejected'} RecordStatus */

/**
 * @typedef {Object} Job
 * @property {string} id
 * @property {string} kind
 * @property {string} fileName
 * @property {string} createdBy
 * @property {number} createdAt     unix seconds
 * @property {JobStatus} status
 * @property {number} progress      records read so far
 * @property {{ create: number, update: number, unchanged: number, delete: number, rejected: number }} counts
 * @property {string|null} error
 * @property {string|null} committedBy
 * @property {number|null} committedAt
 */

/** @typedef {{ field: string, before: unknown, after: unknown }} Change */

/**
 * @typedef {Object} PlanRecord
 * @property {string} key
 * @property {RecordStatus} status
 * @property {string} label
 * @property {string|null} commune
 * @property {number|null} lon       WGS 84, when the record is located
 * @property {number|null} lat
 * @property {Change[]} changes
 * @property {Change[]} kept
 * @property {number|null} line      rejections only
 * @property {number|null} column
 * @property {string|null} field
 * @property {string|null} reason
 */

export { ImportError };

const num = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : '');
const strOrNull = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : null);
const numOrNull = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** @param {any} raw @returns {Job} */
export function toJob(raw) {
  if (!raw || typeof raw.id !== 'string') throw new ImportError(200, 'unexpected answer: no job id');
  return {
    id: raw.id,
    kind: str(raw.kind),
    fileName: str(raw.file_name),
    createdBy: str(raw.created_by),
    createdAt: num(raw.created_at),
    status: raw.status,
    progress: num(raw.progress),
    counts: { create: num(raw.create), update: num(raw.update), unchanged: num(raw.unchanged), delete: num(raw.delete), rejected: num(raw.rejected) },
    error: strOrNull(raw.error),
    committedBy: strOrNull(raw.committed_by),
    committedAt: numOrNull(raw.committed_at),
  };
}

/** @param {unknown} v @returns {Change[]} */
function changes(v) {
  return Array.isArray(v) ? v.filter((c) => c && typeof c.field === 'string').map((c) => ({ field: c.field, before: c.before, after: c.after })) : [];
}

/** @param {any} raw @returns {PlanRecord} */
function toRecord(raw) {
  return {
    key: str(raw?.key),
    status: raw?.status,
    label: str(raw?.label),
    commune: strOrNull(raw?.commune),
    lon: numOrNull(raw?.lon),
    lat: numOrNull(raw?.lat),
    changes: changes(raw?.changes),
    kept: changes(raw?.kept),
    line: numOrNull(raw?.line),
    column: numOrNull(raw?.column),
    field: strOrNull(raw?.field),
    reason: strOrNull(raw?.reason),
  };
}

/**
 * Uploads a file; `kind` empty lets the server detect it. Resolves to the queued job.
 * @param {File} file
 * @param {string} kind
 */
export async function upload(file, kind) {
  const form = new FormData();
  if (kind) form.append('kind', kind);
  form.append('file', file, file.name);
  return toJob(await send(IMPORTS, { method: 'POST', body: form }));
}

/** The latest jobs, newest first. @returns {Promise<Job[]>} */
export async function listJobs() {
  const body = await send(IMPORTS);
  return Array.isArray(body.jobs) ? body.jobs.map(toJob) : [];
}

/** @param {string} id */
export async function getJob(id) {
  return toJob(await send(`${IMPORTS}/${encodeURIComponent(id)}`));
}

/** The kinds of record a plan holds, as its `kind` filter takes them. */
export const RECORD_KINDS = /** @type {const} */ (['circuit', 'poi', 'landscape', 'commune', 'observation']);

/**
 * One page of the plan's records.
 * @param {string} id
 * @param {{ status?: string, kind?: string, q?: string, commune?: string, limit: number, offset: number }} filter
 * @returns {Promise<{ total: number, records: PlanRecord[] }>}
 */
export async function planRecords(id, { status = '', kind = '', q = '', commune = '', limit, offset }) {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (kind) params.set('kind', kind);
  if (q) params.set('q', q);
  if (commune) params.set('commune', commune);
  params.set('limit', String(limit));
  params.set('offset', String(offset));
  const body = await send(`${IMPORTS}/${encodeURIComponent(id)}/records?${params}`);
  return { total: num(body.total), records: Array.isArray(body.records) ? body.records.map(toRecord) : [] };
}

/**
 * Commits a planned job, leaving out `exclude`, deleting `remove` (vanished records) and,
 * for each of `takeSource`, writing the source's value over a kept edit.
 * @param {string} id
 * @param {string[]} exclude
 * @param {string[]} remove
 * @param {{ key: string, field: string }[]} [takeSource]
 */
export async function commit(id, exclude, remove, takeSource = []) {
  const body = await send(`${IMPORTS}/${encodeURIComponent(id)}/commit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ exclude, delete: remove, take_source: takeSource }),
  });
  return toJob(body);
}

/** Where the job's report (CSV, one line a record or a change) is downloaded. @param {string} id */
export const reportUrl = (id) => `${IMPORTS}/${encodeURIComponent(id)}/report`;
