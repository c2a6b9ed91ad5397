// Unit tests of marker-groups.js: which markers would overlap on screen (44 px icons) and
// so are drawn as one group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstZoomWhere, groupOverlapping } from '../src/marker-groups.js';

const SIZE = 44;

test('markers far enough apart on either axis stay apart', () => {
  const points = [
    { x: 0, y: 0 },
    { x: 44, y: 0 }, // touching edges: no overlap
    { x: 0, y: 44 },
    { x: 300, y: 300 },
  ];
  assert.deepEqual(groupOverlapping(points, SIZE), [[0], [1], [2], [3]]);
});

test('markers closer than their size on both axes become one group', () => {
  const points = [
    { x: 100, y: 100 },
    { x: 500, y: 500 },
    { x: 120, y: 130 },
  ];
  assert.deepEqual(groupOverlapping(points, SIZE), [[0, 2], [1]]);
});

test('a group drawn at its members’ middle that reaches a third marker takes it in', () => {
  // 0 and 1 overlap; 2 overlaps neither of them but overlaps their middle (20, 20).
  const points = [
    { x: 0, y: 0 },
    { x: 40, y: 40 },
    { x: 60, y: -20 },
  ];
  const overlap = (a, b) => Math.abs(a.x - b.x) < SIZE && Math.abs(a.y - b.y) < SIZE;
  assert.ok(!overlap(points[2], points[0]) && !overlap(points[2], points[1]) && overlap(points[2], { x: 20, y: 20 }));
  assert.deepEqual(groupOverlapping(points, SIZE), [[0, 1, 2]]);
});

test('no two markers drawn overlap, whatever the points', () => {
  // A deterministic cloud of points (linear congruential sequence).
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const points = Array.from({ length: 80 }, () => ({ x: next() * 600, y: next() * 400 }));
  const groups = groupOverlapping(points, SIZE);
  assert.deepEqual(groups.flat().sort((a, b) => a - b), points.map((_, i) => i), 'every point in exactly one group');
  const centres = groups.map((g) => ({
    x: g.reduce((s, i) => s + points[i].x, 0) / g.length,
    y: g.reduce((s, i) => s + points[i].y, 0) / g.length,
  }));
  for (let a = 0; a < centres.length; a += 1) {
    for (let b = a + 1; b < centres.length; b += 1) {
      const apart = Math.abs(centres[a].x - centres[b].x) >= SIZE || Math.abs(centres[a].y - centres[b].y) >= SIZE;
      assert.ok(apart, `markers ${groups[a]} and ${groups[b]} overlap`);
    }
  }
  assert.ok(groups.length < points.length, 'some points were grouped');
});

test('firstZoomWhere: the first whole zoom above the current one, or null', () => {
  assert.equal(firstZoomWhere(14, 18, (z) => z >= 16), 16);
  assert.equal(firstZoomWhere(14.5, 18, (z) => z >= 15), 15);
  assert.equal(firstZoomWhere(14, 18, () => false), null);
  assert.equal(firstZoomWhere(18, 18, () => true), null, 'nothing above the last zoom');
});
