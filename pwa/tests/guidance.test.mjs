// Runs the shared guidance vectors (fixtures/guidance/*.json) through the JS guide, plus a
// few rule tests. core/tests/guidance_vectors.rs runs the same vectors through the Rust
// guide. No browser, no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bearingDeg, createGuide, pointInRing } from '../src/guidance.js';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const VECTORS = path.resolve(__dirname, '../../fixtures/guidance');

const angleBetween = (a, b) => {
  const d = (((a - b) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
};

/** Runs one vector; returns the list of mismatches (empty when it passes). */
function runVector(v) {
  const segments = v.segments ?? [v.trace];
  const guide = createGuide({ segments, pois: v.pois, landscapes: v.landscapes, config: v.config ?? {} });
  const tolM = v.tolerance_m ?? 5;
  const tolDeg = v.tolerance_deg ?? 10;
  const got = [];
  const progress = [];
  v.fixes.forEach((f, i) => {
    for (const e of guide.update(f)) got.push({ fix: i, ...e });
    progress.push(guide.progress());
  });
  const errors = [];
  if (got.length !== v.expected.length) errors.push(`${got.length} events, expected ${v.expected.length}`);
  got.forEach((g, k) => {
    const w = v.expected[k];
    if (!w) {
      errors.push(`unexpected event ${JSON.stringify(g)}`);
      return;
    }
    let ok = g.fix === w.fix && g.type === w.type && g.id === w.id;
    if (ok && g.type === 'off_route') {
      ok = Math.abs(g.distance_m - w.distance_m) <= tolM && angleBetween(g.bearing_deg, w.bearing_deg) <= tolDeg;
    }
    if (!ok) errors.push(`event ${k}: got ${JSON.stringify(g)}, expected ${JSON.stringify(w)}`);
  });
  for (const c of v.progress ?? []) {
    const p = progress[c.fix];
    if (!p) {
      errors.push(`no progress at fix ${c.fix}`);
      continue;
    }
    if (Math.abs(p.done_m - c.done_m) > tolM || Math.abs(p.remaining_m - c.remaining_m) > tolM) {
      errors.push(`progress ${JSON.stringify(c)}: got ${JSON.stringify(p)}`);
    }
    if ('offset_m' in c && Math.abs(p.offset_m - c.offset_m) > tolM) {
      errors.push(`offset ${JSON.stringify(c)}: got ${JSON.stringify(p)}`);
    }
    if ('next_poi' in c) {
      const w = c.next_poi;
      const n = p.next_poi;
      const same = w === null ? n === null : n !== null && n.id === w.id && Math.abs(n.distance_m - w.distance_m) <= tolM;
      if (!same) errors.push(`next POI ${JSON.stringify(c)}: got ${JSON.stringify(n)}`);
    }
  }
  return errors;
}

const files = readdirSync(VECTORS)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the required vectors are there', () => {
  for (const name of [
    'walk-whole-circuit',
    'detour-alerts-once',
    'jitter-near-threshold',
    'low-accuracy-burst',
    'poi-passed-twice',
    'landscape-entry',
    'snap-noisy-offsets',
    'backtrack-walk-back',
    'backtrack-limit-jump',
    'loop-figure-eight',
    'out-and-back-drift',
    'spur-sparse-fixes',
  ]) {
    assert.ok(files.includes(`${name}.json`), name);
  }
});

for (const file of files) {
  test(`vector ${file}`, () => {
    const v = JSON.parse(readFileSync(path.join(VECTORS, file), 'utf8'));
    assert.ok(v.description);
    assert.deepEqual(runVector(v), []);
  });
}

// A straight trace 1,112 m due north, and helpers to place fixes in metres from its start.
const LAT0 = 48.5;
const LON0 = 2.9;
const M_PER_DEG = (6371008.8 * Math.PI) / 180;
const COS = Math.cos(((LAT0 + 0.005) * Math.PI) / 180);
const at = (east, north) => [LON0 + east / (M_PER_DEG * COS), LAT0 + north / M_PER_DEG];
const fix = (east, north, accuracy = 5) => {
  const [lon, lat] = at(east, north);
  return { lon, lat, accuracy, t: 0 };
};
const northTrace = [Array.from({ length: 11 }, (_, i) => [LON0, LAT0 + i * 0.001])];
const poi = (id, kind, east, north, extra = {}) => {
  const [lon, lat] = at(east, north);
  return { id, kind, lon, lat, ...extra };
};

test('vague fixes are ignored entirely', () => {
  const g = createGuide({ segments: northTrace, pois: [poi('p', 'heritage', 0, 500)] });
  // A vague first fix leaves the guide as it was: no progress yet.
  assert.deepEqual(g.update(fix(0, 490, 60)), []);
  assert.equal(g.progress(), null);
  assert.deepEqual(g.update(fix(0, 100)), []);
  const before = g.progress();
  assert.deepEqual(g.update(fix(0, 500, 50.1)), []);
  assert.deepEqual(g.update(fix(0, 500, NaN)), []);
  assert.deepEqual(g.update({ lon: at(0, 500)[0], lat: at(0, 500)[1] }), []);
  assert.deepEqual(g.progress(), before);
  // Two off fixes, a vague one on the trace (would reset), a third off fix: alert.
  assert.deepEqual(g.update(fix(80, 110)), []);
  assert.deepEqual(g.update(fix(80, 120)), []);
  assert.deepEqual(g.update(fix(0, 125, 120)), []);
  assert.equal(g.update(fix(80, 130))[0].type, 'off_route');
  // Exactly 50 m is usable.
  assert.deepEqual(g.update(fix(0, 480, 50)), [{ type: 'back_on_route' }, { type: 'poi', id: 'p' }]);
});

test('POI radius by kind or its own, once, nearest first then id', () => {
  const g = createGuide({
    segments: northTrace,
    pois: [poi('church', 'heritage', 0, 300), poi('bench', 'practical', 0, 900, { trigger_radius_m: 10 })],
  });
  assert.deepEqual(g.update(fix(0, 239)), []);
  assert.deepEqual(g.update(fix(0, 241)), [{ type: 'poi', id: 'church' }]);
  assert.deepEqual(g.update(fix(0, 300)), []);
  assert.deepEqual(g.update(fix(0, 889)), []);
  assert.deepEqual(g.update(fix(0, 891)), [{ type: 'poi', id: 'bench' }]);
  const h = createGuide({
    segments: northTrace,
    // z is the nearest (10 m) though last by along; a and b tie at 20 m: by id.
    pois: [poi('b', 'heritage', 0, 480), poi('a', 'heritage', 0, 480), poi('z', 'heritage', 0, 510)],
  });
  assert.deepEqual(
    h.update(fix(0, 500)).map((e) => e.id),
    ['z', 'a', 'b'],
  );
  assert.throws(() => createGuide({ segments: northTrace, pois: [poi('x', 'castle', 0, 0)] }), /unknown POI kind/);
});

test('off route: three consecutive off fixes, accuracy allowance, hysteresis', () => {
  const g = createGuide({ segments: northTrace });
  assert.deepEqual(g.update(fix(45, 100, 4)), []);
  assert.deepEqual(g.update(fix(45, 110, 4)), []);
  assert.deepEqual(g.update(fix(45, 120, 30)), [], 'threshold 50 m: not off, resets');
  assert.deepEqual(g.update(fix(45, 130, 4)), []);
  assert.deepEqual(g.update(fix(45, 140, 4)), []);
  const [e] = g.update(fix(45, 150, 4));
  assert.equal(e.type, 'off_route');
  assert.ok(Math.abs(e.distance_m - 45) < 0.2, e.distance_m);
  assert.ok(Math.abs(e.bearing_deg - 270) < 0.5, e.bearing_deg);
  assert.deepEqual(g.update(fix(30, 160)), []);
  assert.deepEqual(g.update(fix(25.5, 170)), []);
  assert.deepEqual(g.update(fix(44, 180)), []);
  assert.deepEqual(g.update(fix(24.5, 190)), [{ type: 'back_on_route' }]);
});

test('bearings', () => {
  assert.equal(bearingDeg([0, 0], [0, 10]), 0);
  assert.equal(bearingDeg([0, 0], [10, 0]), 90);
  assert.equal(bearingDeg([0, 0], [0, -10]), 180);
  assert.ok(Math.abs(bearingDeg([0, 0], [-10, 10]) - 315) < 1e-9);
});

// Snapping and progress, walking back, the backtrack limit and the passes of loops and
// out-and-backs: the shared vectors (snap-noisy-offsets, backtrack-walk-back,
// backtrack-limit-jump, loop-figure-eight, out-and-back-drift, spur-sparse-fixes,
// poi-passed-twice).

test('point in a concave ring', () => {
  const u = [
    [0, 0],
    [3, 0],
    [3, 3],
    [2, 3],
    [2, 1],
    [1, 1],
    [1, 3],
    [0, 3],
  ];
  assert.ok(pointInRing(0.5, 2, u));
  assert.ok(pointInRing(1.5, 0.5, u));
  assert.ok(!pointInRing(1.5, 2, u));
  assert.ok(!pointInRing(3.5, 0.5, u));
});

test('empty trace: landscapes only', () => {
  const sq = [at(-10, -10), at(10, -10), at(10, 10), at(-10, 10), at(-10, -10)];
  const g = createGuide({
    segments: [],
    pois: [poi('p', 'heritage', 0, 0)],
    landscapes: [{ id: 'l', name: 'l', polygon: sq }],
  });
  assert.deepEqual(g.update(fix(0, 0)), [{ type: 'landscape', id: 'l' }]);
  assert.equal(g.progress(), null);
  assert.throws(() => createGuide({ segments: northTrace, config: { off_route: 3 } }), /unknown guidance setting/);
});

test('a unit given as several rings is announced once', () => {
  const ring = (n0, n1) => [at(-50, n0), at(50, n0), at(50, n1), at(-50, n1), at(-50, n0)];
  const g = createGuide({
    segments: northTrace,
    landscapes: [
      { id: 'twin', name: 'twin', polygon: ring(0, 100) },
      { id: 'twin', name: 'twin', polygon: ring(300, 400) },
    ],
  });
  assert.deepEqual(g.update(fix(0, 50)), [{ type: 'landscape', id: 'twin' }]);
  assert.deepEqual(g.update(fix(0, 350)), []);
});
