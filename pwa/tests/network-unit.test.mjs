// Unit tests (no browser) of the reachability rule: a real HTTP server on loopback answers,
// then is closed; the app's idea of being offline follows what its requests met.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { isOffline, onNetworkChange, reportReachable, trackedFetch } from '../src/network.js';

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

test('offline follows failed requests and service-worker fallbacks, online the next answer', async () => {
  const seen = [];
  const off = onNetworkChange((offline) => seen.push(offline));
  const server = await listen((req, res) => {
    // What the service worker answers when the network failed: marked.
    if (req.url === '/fallback') res.setHeader('x-balade-from-cache', '1');
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('{}');
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    assert.equal(isOffline(), false);
    await trackedFetch(`${base}/missing`);
    assert.equal(isOffline(), false, 'an error status is still an answer of the server');
    await trackedFetch(`${base}/fallback`);
    assert.equal(isOffline(), true, 'an answer made without the network');
    await trackedFetch(`${base}/`);
    assert.equal(isOffline(), false);

    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections?.();
    await assert.rejects(trackedFetch(`${base}/`));
    assert.equal(isOffline(), true, 'a request that cannot reach the server');
    assert.deepEqual(seen, [true, false, true], 'each change told once');

    // An aborted request says nothing about the network.
    reportReachable(true);
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(trackedFetch(`${base}/`, { signal: abort.signal }));
    assert.equal(isOffline(), false);
  } finally {
    off();
    reportReachable(true);
    server.close();
  }
});
