// Which of a map's markers would cover each other on screen (issue 17): every marker is a
// 44 px touch target, and one partly hidden by another is a smaller target (axe's
// `target-size`). Those that would overlap are drawn as one group marker instead. Pure
// geometry in screen pixels, no Leaflet: map-groups.js draws the result.

/**
 * Groups points so that no two of the markers drawn overlap. Each point is the centre of a
 * square icon of side `size`; two squares overlap when their centres are less than `size`
 * apart on both axes. A group is drawn at the mean of its members' centres, so after a
 * merge it may reach a third marker: markers are merged, two by two, until none overlap.
 * @param {{ x: number, y: number }[]} points
 * @param {number} size
 * @returns {number[][]} the indices of the points, one ascending list per marker drawn,
 *   in the order of their first member
 */
export function groupOverlapping(points, size) {
  const groups = points.map((p, i) => ({ members: [i], x: p.x, y: p.y }));
  const overlap = (a, b) => Math.abs(a.x - b.x) < size && Math.abs(a.y - b.y) < size;
  for (;;) {
    let pair = null;
    for (let a = 0; a < groups.length && !pair; a += 1) {
      for (let b = a + 1; b < groups.length; b += 1) {
        if (overlap(groups[a], groups[b])) {
          pair = [a, b];
          break;
        }
      }
    }
    if (!pair) break;
    const [a, b] = pair;
    const members = [...groups[a].members, ...groups[b].members].sort((m, n) => m - n);
    const x = members.reduce((sum, i) => sum + points[i].x, 0) / members.length;
    const y = members.reduce((sum, i) => sum + points[i].y, 0) / members.length;
    groups[a] = { members, x, y };
    groups.splice(b, 1);
  }
  return groups.map((g) => g.members).sort((g, h) => g[0] - h[0]);
}

/**
 * The first whole zoom level above `from` (at most `max`) at which `test(zoom)` holds, or
 * null when none does: where a group splits, where a marker stands alone.
 * @param {number} from
 * @param {number} max
 * @param {(zoom: number) => boolean} test
 * @returns {number|null}
 */
export function firstZoomWhere(from, max, test) {
  for (let z = Math.floor(from) + 1; z <= max; z += 1) {
    if (test(z)) return z;
  }
  return null;
}
