// Unit tests (no browser) of the ways opening the local database can fail
// (src/offline-store.js): a fake `indexedDB` whose open request throws, is blocked, fails
// or never answers. Each must end in a translated OfflineError, never in a pending promise.
// (Aborted transactions are tested in the browser: tests/offline.test.mjs.)
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGES } from '../src/i18n.js';
import { OfflineError } from '../src/offline-error.js';
import { OPEN_TIMEOUT_MS, readRecord } from '../src/offline-store.js';

/** What idb recognises as a request: answered by the test through events. */
class FakeRequest extends EventTarget {
  result = undefined;
  error = null;
}
globalThis.IDBRequest = FakeRequest;

/** The next `indexedDB.open` does what `behaviour` does with its request. */
let behaviour = () => new FakeRequest();
globalThis.indexedDB = { open: () => behaviour() };

/** Asserts `promise` rejects with the OfflineError of `key` (French) and `code`. */
const rejectsWith = (promise, key, code = 'storage') =>
  assert.rejects(promise, (err) => {
    assert.ok(err instanceof OfflineError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.message, MESSAGES.fr[key]);
    return true;
  });

test('an open that throws at once (storage blocked by the browser’s settings)', async () => {
  behaviour = () => {
    throw new DOMException('access denied', 'SecurityError');
  };
  await rejectsWith(readRecord('c'), 'offlineErr.openFailed');
});

test('an open blocked by another tab', async () => {
  behaviour = () => {
    const request = new FakeRequest();
    setTimeout(() => request.dispatchEvent(new Event('blocked')));
    return request;
  };
  await rejectsWith(readRecord('c'), 'offlineErr.blocked');
});

test('an open that fails, or finds the disk full', async () => {
  const failing = (error) => () => {
    const request = new FakeRequest();
    setTimeout(() => {
      request.error = error;
      request.dispatchEvent(new Event('error'));
    });
    return request;
  };
  behaviour = failing(new DOMException('broken', 'UnknownError'));
  await rejectsWith(readRecord('c'), 'offlineErr.openFailed');
  behaviour = failing(new DOMException('full', 'QuotaExceededError'));
  await rejectsWith(readRecord('c'), 'offlineErr.quota', 'quota');
});

test('an open that never answers is given up after OPEN_TIMEOUT_MS', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    behaviour = () => new FakeRequest();
    const reading = readRecord('c');
    mock.timers.tick(OPEN_TIMEOUT_MS - 1);
    let settled = false;
    reading.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    assert.equal(settled, false, 'still waiting just before the limit');
    mock.timers.tick(1);
    await rejectsWith(reading, 'offlineErr.openTimeout');
  } finally {
    mock.timers.reset();
  }
});
