// Unit tests (no browser) of the offline and guidance helpers: manifest diff, size check,
// errors of the local database, compass words, time left, sizes, guide input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compassWord, formatBytes, formatDateTime, remainingMinutes } from '../src/format.js';
import { guideInput, photoOf } from '../src/guide-data.js';
import { createGuide } from '../src/guidance.js';
import { MESSAGES } from '../src/i18n.js';
import {
  cacheName,
  checkManifest,
  checkPart,
  diffParts,
  getOffline,
  isBinaryPart,
  isQuotaError,
  listOffline,
  OfflineError,
  recordPart,
  sha256Hex,
  shortVersion,
  sizeMatches,
} from '../src/offline.js';
import { readRecord, storageError, writeRecord } from '../src/offline-store.js';

const nbsp = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('compass words', () => {
  assert.equal(compassWord(0), 'nord');
  assert.equal(compassWord(22), 'nord');
  assert.equal(compassWord(23), 'nord-est');
  assert.equal(compassWord(90), 'est');
  assert.equal(compassWord(135), 'sud-est');
  assert.equal(compassWord(180), 'sud');
  assert.equal(compassWord(225), 'sud-ouest');
  assert.equal(compassWord(270), 'ouest');
  assert.equal(compassWord(315), 'nord-ouest');
  assert.equal(compassWord(338), 'nord');
  assert.equal(compassWord(359.9), 'nord');
  assert.equal(compassWord(360), 'nord');
  assert.equal(compassWord(-90), 'ouest');
  assert.equal(compassWord(NaN), '');
  assert.equal(compassWord(null), '');
});

test('time left at the circuit pace', () => {
  assert.equal(remainingMinutes(3000, 6000, 120), 60);
  assert.equal(remainingMinutes(0, 6000, 120), 0);
  assert.equal(remainingMinutes(6000, 6000, 100), 100);
  assert.equal(remainingMinutes(-5, 6000, 100), 0);
  assert.equal(remainingMinutes(1000, 0, 100), null);
  assert.equal(remainingMinutes(1000, undefined, 100), null);
  assert.equal(remainingMinutes(1000, 6000, null), null);
});

test('storage sizes and dates', () => {
  assert.equal(nbsp(formatBytes(850)), '850 o');
  assert.equal(nbsp(formatBytes(12_345)), '12 Ko');
  assert.equal(nbsp(formatBytes(3_400_000)), '3,4 Mo');
  assert.equal(formatBytes(undefined), '–');
  assert.match(formatDateTime('2026-11-26T07:05:00Z'), /^\d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}$/);
  assert.equal(formatDateTime('not a date'), '–');
  assert.equal(shortVersion('9f2c0123456789ab'), '9f2c0123');
});

test('manifest diff: only parts whose hash changed are fetched again', () => {
  const stored = [
    { kind: 'sheet', url: '/api/v1/circuits/c', bytes: 10, hash: 'a' },
    { kind: 'profile', url: '/api/v1/circuits/c/profile', bytes: 5, hash: 'b' },
    { kind: 'poi', url: '/api/v1/pois/c.x', bytes: 3, hash: 'c', id: 'c.x' },
    { kind: 'tile', url: '/tiles/14/1/2', bytes: 100, hash: 't1' },
  ];
  const fresh = [
    { kind: 'sheet', url: '/api/v1/circuits/c', bytes: 11, hash: 'a2' },
    { kind: 'profile', url: '/api/v1/circuits/c/profile', bytes: 5, hash: 'b' },
    { kind: 'tile', url: '/tiles/14/1/2', bytes: 100, hash: 't1' },
    { kind: 'tile', url: '/tiles/14/1/3', bytes: 90, hash: 't2' },
  ];
  const d = diffParts(stored, fresh);
  assert.deepEqual(
    d.fetch.map((p) => p.url),
    ['/api/v1/circuits/c', '/tiles/14/1/3'],
  );
  assert.deepEqual(
    d.keep.map((p) => p.url),
    ['/api/v1/circuits/c/profile', '/tiles/14/1/2'],
  );
  assert.deepEqual(
    d.remove.map((p) => p.url),
    ['/api/v1/pois/c.x'],
  );
  // Nothing stored yet: everything is fetched.
  assert.equal(diffParts(undefined, fresh).fetch.length, fresh.length);
  // Same manifest: nothing to fetch.
  assert.equal(diffParts(fresh, fresh).fetch.length, 0);
  // A part without hash is never trusted.
  const noHash = [{ kind: 'sheet', url: '/a', bytes: 1 }];
  assert.equal(diffParts(noHash, noHash).fetch.length, 1);
});

test('size check on the decoded body, with a few bytes of slack', () => {
  assert.ok(sizeMatches(1000, 1000));
  assert.ok(sizeMatches(1000, 1010));
  assert.ok(sizeMatches(1000, 990));
  assert.ok(!sizeMatches(1000, 1100));
  assert.ok(!sizeMatches(1000, 0));
  assert.ok(!sizeMatches(undefined, 10));
});

const bytes = (text) => new TextEncoder().encode(text).buffer;

test('SHA-256 in lowercase hex, as the server writes it', async () => {
  assert.equal(await sha256Hex(bytes('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(await sha256Hex(bytes('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  // Bytes, not text: the same characters in another encoding hash differently.
  assert.equal(await sha256Hex(bytes('é')), await sha256Hex(new Uint8Array([0xc3, 0xa9]).buffer));
});

test('a part is refused when its size or its SHA-256 is not the announced one', async () => {
  const body = bytes('{"type":"Feature","id":"c"}');
  const part = { kind: 'sheet', url: '/api/v1/circuits/c', bytes: body.byteLength, hash: await sha256Hex(body) };
  await checkPart(part, body);
  // Same size, one byte changed: corrupt, and the message names the part.
  const altered = bytes('{"type":"Feature","id":"d"}');
  assert.equal(altered.byteLength, body.byteLength);
  await assert.rejects(checkPart(part, altered), (err) => {
    assert.ok(err instanceof OfflineError);
    assert.equal(err.code, 'corrupt');
    assert.equal(err.message, MESSAGES.fr['offlineErr.corrupt'].replace('{url}', part.url));
    return true;
  });
  // Within the size slack but another content: still refused by the hash.
  await assert.rejects(checkPart(part, bytes('{"type":"Feature","id":"c"}  ')), { code: 'corrupt' });
  // Cut short: incomplete, whatever the hash.
  await assert.rejects(checkPart(part, bytes('{"type":')), { code: 'incomplete' });
  await assert.rejects(checkPart({ ...part, hash: 'a'.repeat(64) }, new ArrayBuffer(0)), { code: 'incomplete' });
});

test('manifest shape is checked', () => {
  const hash = 'a'.repeat(64);
  const ok = { circuit: 'c', version: 'v', total_bytes: 1, parts: [{ kind: 'sheet', url: '/api/v1/circuits/c', bytes: 1, hash }] };
  assert.equal(checkManifest(ok, 'c'), ok);
  // Every part carries a SHA-256 to be checked against: none, or anything else, is refused.
  for (const bad of [undefined, 'h', 'A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(63)}g`, 'a'.repeat(65)]) {
    assert.throws(() => checkManifest({ ...ok, parts: [{ ...ok.parts[0], hash: bad }] }, 'c'), OfflineError, String(bad));
  }
  assert.throws(() => checkManifest({ ...ok, circuit: 'other' }, 'c'), OfflineError);
  assert.throws(() => checkManifest({ ...ok, parts: [{ kind: 'sheet', url: 'http://evil/x', bytes: 1 }] }, 'c'), OfflineError);
  assert.throws(() => checkManifest({ ...ok, parts: [...ok.parts, ...ok.parts] }, 'c'), OfflineError);
  assert.throws(() => checkManifest(null, 'c'), OfflineError);
});

test('record parts, part kinds, cache names, quota errors', () => {
  const record = {
    manifest: [
      { kind: 'sheet', url: '/s', bytes: 1, hash: 'a' },
      { kind: 'poi', url: '/p1', bytes: 1, hash: 'b', id: 'p1' },
      { kind: 'poi', url: '/p2', bytes: 1, hash: 'c', id: 'p2' },
    ],
    parts: { '/s': { id: 'sheet' }, '/p1': { id: 'one' }, '/p2': { id: 'two' } },
  };
  assert.deepEqual(recordPart(record, 'sheet'), { id: 'sheet' });
  assert.deepEqual(recordPart(record, 'poi', 'p2'), { id: 'two' });
  assert.equal(recordPart(record, 'guide'), undefined);
  assert.equal(recordPart(undefined, 'sheet'), undefined);
  assert.ok(isBinaryPart({ kind: 'tile' }));
  assert.ok(isBinaryPart({ kind: 'media' }));
  assert.ok(!isBinaryPart({ kind: 'poi' }));
  assert.equal(cacheName('provins-remparts'), 'balade-offline-provins-remparts');
  assert.ok(isQuotaError({ name: 'QuotaExceededError' }));
  assert.ok(isQuotaError(new OfflineError('x', 'quota')));
  assert.ok(!isQuotaError(new Error('x')));
});

test('guide input drops what createGuide would refuse', () => {
  const guide = {
    segments: [
      [
        [2.0, 48.0],
        [2.001, 48.0],
      ],
    ],
    pois: [
      { id: 'a', kind: 'heritage', name: 'A', lon: 2.0005, lat: 48.0, trigger_radius_m: null },
      { id: 'b', kind: 'unknown-kind', name: 'B', lon: 2.0005, lat: 48.0 },
      { id: 'c', kind: 'flora', name: 'C', lon: null, lat: 48.0 },
    ],
    landscapes: [{ id: 'l', name: 'L' }],
    config: { off_route_m: 50, something_new: 3 },
  };
  const input = guideInput(guide);
  assert.deepEqual(
    input.pois.map((p) => p.id),
    ['a'],
  );
  assert.deepEqual(input.config, { off_route_m: 50 });
  assert.deepEqual(input.landscapes, []);
  const g = createGuide(input);
  assert.deepEqual(g.update({ lon: 2.0005, lat: 48.0, accuracy: 5 }), [{ type: 'poi', id: 'a' }]);
  assert.deepEqual(guideInput(undefined).segments, []);
});

test('photo of a POI', () => {
  assert.equal(photoOf([]), null);
  assert.equal(photoOf(undefined), null);
  assert.deepEqual(photoOf([{ kind: 'video', url: '/v' }, { kind: 'photo', url: '/media/x.jpg', alt: 'X' }]), { url: '/media/x.jpg', alt: 'X' });
  // The server's shape: phone-size url, the largest size's dimensions (kept for the aspect ratio).
  const served = { id: 'ab12', kind: 'photo', url: '/media/ab12/800.jpg', alt: 'Porte', width: 1600, height: 1200, sizes: [] };
  assert.deepEqual(photoOf([served]), { url: '/media/ab12/800.jpg', alt: 'Porte', width: 1600, height: 1200 });
  assert.deepEqual(photoOf([{ ...served, width: null, height: null }]), { url: '/media/ab12/800.jpg', alt: 'Porte' });
});

test('a failure of the local database is a translated OfflineError, never a bare DOMException', () => {
  const aborted = new DOMException('AbortError', 'AbortError');
  const err = storageError(aborted, 'offlineErr.aborted');
  assert.ok(err instanceof OfflineError);
  assert.equal(err.code, 'storage');
  assert.equal(err.message, MESSAGES.fr['offlineErr.aborted']);
  // Not an AbortError: the views take those for the walker's own cancellation and stay silent.
  assert.notEqual(err.name, 'AbortError');
  assert.equal(err.cause, aborted);
  const full = storageError(new DOMException('full', 'QuotaExceededError'), 'offlineErr.aborted');
  assert.equal(full.code, 'quota');
  assert.equal(full.message, MESSAGES.fr['offlineErr.quota']);
  const own = new OfflineError('x', 'corrupt');
  assert.equal(storageError(own, 'offlineErr.aborted'), own);
  assert.equal(storageError(undefined, 'offlineErr.readFailed').message, MESSAGES.fr['offlineErr.readFailed']);
});

test('without IndexedDB every call settles: no copy to read, a clear error to show', async () => {
  assert.equal(typeof indexedDB, 'undefined');
  await assert.rejects(readRecord('c'), (err) => err instanceof OfflineError && err.code === 'storage' && err.message === MESSAGES.fr['offlineErr.noIdb']);
  await assert.rejects(writeRecord({ id: 'c' }), OfflineError);
  await assert.rejects(listOffline(), OfflineError);
  assert.equal(await getOffline('c'), undefined);
});
