// Unit tests (no browser) of the policy "network or downloaded copy" (src/source.js): the
// pure decision, then the whole choice with a fake network and a fake copy.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../src/api.js';
import { reportReachable } from '../src/network.js';
import { choose, networkOrCopy } from '../src/source.js';

const abortError = () => new DOMException('left', 'AbortError');

afterEach(() => reportReachable(true));

test('the decision: the copy stands in for a failing, slow or cached network, never for a 404', () => {
  const fresh = { value: 1, fromCache: false };
  const cached = { value: 1, fromCache: true };
  const unreachable = { error: new ApiError('unreachable', 0) };
  const serverError = { error: new ApiError('boom', 503) };
  const gone = { error: new ApiError('not found', 404) };
  const left = { error: abortError() };
  const slow = { slow: true };

  assert.equal(choose(fresh, true), 'network');
  assert.equal(choose(cached, true), 'copy', 'an old visit’s answer: the walker’s own copy is better');
  assert.equal(choose(unreachable, true), 'copy');
  assert.equal(choose(serverError, true), 'copy');
  assert.equal(choose(slow, true), 'copy');
  assert.equal(choose(gone, true), 'error', 'the server says the circuit is gone');
  assert.equal(choose(left, true), 'error', 'the walker left the page');

  // Without a copy the network is all there is, cached or not.
  assert.equal(choose(fresh, false), 'network');
  assert.equal(choose(cached, false), 'network');
  assert.equal(choose(unreachable, false), 'error');
  assert.equal(choose(gone, false), 'error');
});

/** A fake network: resolves or rejects after `ms`; counts its calls. */
function fakeNetwork(outcome, ms = 0) {
  const calls = [];
  const network = (signal) => {
    calls.push(signal);
    return new Promise((resolve, reject) => {
      setTimeout(() => ('error' in outcome ? reject(outcome.error) : resolve(outcome)), ms);
    });
  };
  return { network, calls };
}

const copyOf = (value) => async () => value;

test('offline with a copy: the copy, without asking the network', async () => {
  reportReachable(false);
  const { network, calls } = fakeNetwork({ value: 'net', fromCache: false });
  assert.deepEqual(await networkOrCopy({ network, copy: copyOf('copy') }), { from: 'copy', value: 'copy' });
  assert.equal(calls.length, 0);
});

test('offline without a copy: the network still (the service worker may have an answer)', async () => {
  reportReachable(false);
  const { network, calls } = fakeNetwork({ value: 'net', fromCache: true });
  assert.deepEqual(await networkOrCopy({ network, copy: copyOf(null) }), { from: 'network', value: 'net', fromCache: true });
  assert.equal(calls.length, 1);
});

test('online: the network first, the copy when it fails, is slow or answers from the cache', async () => {
  const signal = new AbortController().signal;
  const fresh = fakeNetwork({ value: 'net', fromCache: false });
  assert.deepEqual(await networkOrCopy({ network: fresh.network, copy: copyOf('copy'), signal }), { from: 'network', value: 'net', fromCache: false });
  assert.equal(fresh.calls[0], signal, 'the view’s signal goes with the request');

  const cached = fakeNetwork({ value: 'old', fromCache: true });
  assert.deepEqual(await networkOrCopy({ network: cached.network, copy: copyOf('copy') }), { from: 'copy', value: 'copy' });

  const failing = fakeNetwork({ error: new ApiError('unreachable', 0) });
  assert.deepEqual(await networkOrCopy({ network: failing.network, copy: copyOf('copy') }), { from: 'copy', value: 'copy' });

  const slow = fakeNetwork({ value: 'late', fromCache: false }, 200);
  const started = Date.now();
  assert.deepEqual(await networkOrCopy({ network: slow.network, copy: copyOf('copy'), waitMs: 20 }), { from: 'copy', value: 'copy' });
  assert.ok(Date.now() - started < 150, 'the copy comes after the wait, not after the network');
});

test('a 404 or the walker leaving is not hidden by a copy', async () => {
  const gone = fakeNetwork({ error: new ApiError('not found', 404) });
  await assert.rejects(networkOrCopy({ network: gone.network, copy: copyOf('copy') }), { status: 404 });
  const left = fakeNetwork({ error: abortError() });
  await assert.rejects(networkOrCopy({ network: left.network, copy: copyOf('copy') }), { name: 'AbortError' });
});

test('without a copy: the network, however slow, and its error', async () => {
  const slow = fakeNetwork({ value: 'late', fromCache: false }, 60);
  assert.deepEqual(await networkOrCopy({ network: slow.network, copy: copyOf(undefined), waitMs: 10 }), { from: 'network', value: 'late', fromCache: false });
  const failing = fakeNetwork({ error: new ApiError('unreachable', 0) });
  await assert.rejects(networkOrCopy({ network: failing.network, copy: copyOf(null) }), { status: 0 });
  // A copy that cannot be read counts as none.
  const fresh = fakeNetwork({ value: 'net', fromCache: false });
  const broken = async () => {
    throw new Error('IndexedDB failed');
  };
  assert.deepEqual(await networkOrCopy({ network: fresh.network, copy: broken }), { from: 'network', value: 'net', fromCache: false });
});
