// The downloaded circuits' records in IndexedDB, through `idb`: database `balade`, version
// 1, store `circuits` keyed by `id`, one record per circuit (its shape: OfflineRecord in
// offline.js). Every failure, an open blocked by another tab or a transaction aborted
// without an error included, ends in an OfflineError with a translated message: nothing
// here leaves a promise pending.
import { openDB } from 'idb';
import { t } from './i18n.js';
import { isQuotaError, OfflineError, quotaMessage } from './offline-error.js';

/**
 * @typedef {import('./offline.js').OfflineRecord} OfflineRecord
 * @typedef {{ circuits: { key: string, value: OfflineRecord } }} BaladeSchema
 * @typedef {import('idb').IDBPDatabase<BaladeSchema>} BaladeDb
 */
/**
 * @template {IDBTransactionMode} Mode
 * @typedef {import('idb').IDBPObjectStore<BaladeSchema, ['circuits'], 'circuits', Mode>} CircuitStore
 */

export const DB_NAME = 'balade';
export const DB_VERSION = 1;
export const STORE = 'circuits';
/**
 * How long opening the database may take before it is given up. A blocked upgrade is told
 * at once by its `blocked` event; this is for browsers whose open never answers (Safari 14
 * could leave the first open of a page pending for ever).
 */
export const OPEN_TIMEOUT_MS = 10_000;

/** @type {Promise<BaladeDb>|null} */
let dbPromise = null;

/**
 * The error to show for a failure of the database: an OfflineError as is, a full disk as
 * 'quota', anything else (an abort without error, a DOMException…) as 'storage' with the
 * text of `key`.
 * @param {unknown} err
 * @param {string} key  i18n key of the message
 * @returns {OfflineError}
 */
export function storageError(err, key) {
  if (err instanceof OfflineError) return err;
  if (isQuotaError(err)) return new OfflineError(quotaMessage(), 'quota', { cause: err });
  return new OfflineError(t(key), 'storage', { cause: err });
}

/** The open database, opened once per page (again after another tab took it or a failure). */
function openStore() {
  if (!dbPromise) {
    const opening = open();
    dbPromise = opening;
    opening.catch(() => {
      if (dbPromise === opening) dbPromise = null;
    });
  }
  return dbPromise;
}

/** @returns {Promise<BaladeDb>} settled within OPEN_TIMEOUT_MS whatever the browser does */
function open() {
  if (typeof indexedDB === 'undefined') return Promise.reject(new OfflineError(t('offlineErr.noIdb'), 'storage'));
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {OfflineError} err */
    const fail = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const timer = setTimeout(() => fail(new OfflineError(t('offlineErr.openTimeout'), 'storage')), OPEN_TIMEOUT_MS);
    /** @type {Promise<BaladeDb>} */
    let opening;
    try {
      // Typed by hand: JavaScript cannot pass openDB its schema as a type argument.
      opening = /** @type {Promise<BaladeDb>} */ (
        openDB(DB_NAME, DB_VERSION, {
          upgrade(db) {
            if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' });
          },
          // An older version is open in another tab: say so rather than wait for it to close.
          blocked: () => fail(new OfflineError(t('offlineErr.blocked'), 'storage')),
          // Another tab needs a newer version: let it have the database, reopen next time.
          blocking: (_current, _wanted, event) => {
            /** @type {IDBDatabase} */ (event.target).close();
            dbPromise = null;
          },
          // Closed by the browser (storage cleared, disk error): reopen next time.
          terminated: () => {
            dbPromise = null;
          },
        })
      );
    } catch (err) {
      // `indexedDB.open` throws at once where storage is blocked (a SecurityError).
      fail(storageError(err, 'offlineErr.openFailed'));
      return;
    }
    opening.then(
      (db) => {
        if (settled) {
          // Given up on already (blocked, too slow): nobody will use this connection.
          db.close();
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(db);
      },
      (err) => fail(storageError(err, 'offlineErr.openFailed')),
    );
  });
}

/**
 * Runs `work` on the store in one transaction and resolves, once the transaction has
 * committed, to what `work` resolved to.
 * @template {IDBTransactionMode} Mode
 * @template T
 * @param {Mode} mode
 * @param {(store: CircuitStore<Mode>) => Promise<T>} work
 * @returns {Promise<T>}
 */
async function inStore(mode, work) {
  const db = await openStore();
  try {
    const tx = db.transaction(STORE, mode);
    // `tx.done` rejects on an abort, with or without an error: the Promise.all always settles.
    const [result] = await Promise.all([work(tx.store), tx.done]);
    return result;
  } catch (err) {
    throw storageError(err, mode === 'readwrite' ? 'offlineErr.aborted' : 'offlineErr.readFailed');
  }
}

/** @param {string} id @returns {Promise<OfflineRecord|undefined>} */
export const readRecord = (id) => inStore('readonly', (s) => s.get(id));

/** @returns {Promise<OfflineRecord[]>} */
export const readAllRecords = () => inStore('readonly', (s) => s.getAll());

/** Writes a record whole (replacing the circuit's previous one); resolves once committed. */
export const writeRecord = (/** @type {OfflineRecord} */ record) => inStore('readwrite', (s) => s.put(record)).then(() => undefined);

/** @param {string} id */
export const deleteRecord = (id) => inStore('readwrite', (s) => s.delete(id));
