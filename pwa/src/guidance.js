// Guidance on the trail, on the phone: the same rules as core/src/guidance.rs on the
// server, proven identical by the shared vectors in fixtures/guidance/ (run by both test
// suites). Change one, change the other.
//
// The rules (mirror of the doc comment of guidance.rs):
// - Plane: every distance (fix to trace, fix to POI, distance moved) is measured in a local
//   equirectangular projection centred on the mean of the trace points, Earth radius
//   6,371,008.8 m, as TraceLocator does in Rust. Distances along the trace are the lengths of
//   the projected segments, summed across segments without the gaps (within 0.5 % of the
//   sheet's geodesic length; the same few operations in both runtimes).
// - Accuracy: a fix whose accuracy is not <= max_accuracy_m (50 m; NaN included) is ignored
//   entirely: no trigger, no off-route count, no reset, no progress. `t` is not used.
// - POIs: fire when the fix is within the trigger radius (<=): the POI's trigger_radius_m,
//   else its kind's default. Once per walk. Same fix: nearest first, then by id.
// - Off route: offset = distance to the closest point of the trace. A fix is off when
//   offset > off_route_m (40) + min(accuracy, off_route_accuracy_cap_m (20)) / 2.
//   off_route_fixes (3) consecutive off fixes raise one off_route with that fix's offset and
//   the bearing (0 = north, clockwise, [0, 360)) to the closest point, in the plane. While
//   alerting, the first fix with offset < back_on_route_m (25) raises back_on_route; fixes
//   between 25 m and the off threshold neither clear nor count (hysteresis: no flapping).
//   Before the alert, any fix that is not off resets the count.
// - Progress: each edge gives its closest point; those within best offset + snap_window_m
//   (30) form runs of consecutive edges (one per pass of the trace), each offering its
//   nearest point; the one whose along is nearest to previous along + distance moved wins
//   (the first fix expects 0). A candidate more than max_backtrack_m (200) behind the previous
//   along is only taken when nothing else is left. next_poi: the first POI by along (then id)
//   not fired and strictly ahead; a POI's along is snapped like a first fix.
// - Landscapes: ray casting on raw lon/lat, announced at the first fix inside, once; by id.
// - A unit given as several rings under one id is one unit, announced once.
// - Order of events on one fix: off_route / back_on_route, then POIs, then landscapes.
// - A trace without points: only landscape events, no progress.

const EARTH_RADIUS_M = 6371008.8;
// Same constants as Rust's to_radians / to_degrees, so the same products are computed.
const RADS_PER_DEG = Math.PI / 180;
const DEGS_PER_RAD = 57.29577951308232;

export const DEFAULT_CONFIG = Object.freeze({
  max_accuracy_m: 50,
  off_route_m: 40,
  off_route_accuracy_cap_m: 20,
  off_route_fixes: 3,
  back_on_route_m: 25,
  snap_window_m: 30,
  max_backtrack_m: 200,
});

export const DEFAULT_TRIGGER_RADIUS_M = Object.freeze({
  heritage: 60,
  flora: 60,
  food: 80,
  fauna: 80,
  viewpoint: 100,
  lodging: 100,
  landscape: 150,
  practical: 150,
});

function dist(a, b) {
  // Not Math.hypot: it may round differently from Rust's sqrt(dx² + dy²).
  const dx = a[0] - b[0];
  const dy = a[1] - b[1];
  return Math.sqrt(dx * dx + dy * dy);
}

function compareIds(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bearing in the plane from `from` to `to`: 0 = north, clockwise, in [0, 360). */
export function bearingDeg(from, to) {
  let b = Math.atan2(to[0] - from[0], to[1] - from[1]) * DEGS_PER_RAD;
  if (b < 0) b += 360;
  if (b >= 360) b -= 360;
  return b;
}

/** Ray casting (even-odd) on [lon, lat]; the ring may be closed or not. */
export function pointInRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
      inside = !inside;
    }
  }
  return inside;
}

/** The trace in the plane: projection, vertices and along distances. */
function makePath(segments) {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (const seg of segments) {
    for (const [lon, lat] of seg) {
      sx += lon;
      sy += lat;
      n += 1;
    }
  }
  if (n === 0) return null;
  const origin = [sx / n, sy / n];
  const cosLat = Math.cos(origin[1] * RADS_PER_DEG);
  const project = (lon, lat) => [
    (lon - origin[0]) * RADS_PER_DEG * cosLat * EARTH_RADIUS_M,
    (lat - origin[1]) * RADS_PER_DEG * EARTH_RADIUS_M,
  ];
  let acc = 0;
  const segs = [];
  for (const seg of segments) {
    if (seg.length === 0) continue;
    const xy = seg.map(([lon, lat]) => project(lon, lat));
    const along = [];
    xy.forEach((p, i) => {
      if (i > 0) acc += dist(xy[i - 1], p);
      along.push(acc);
    });
    segs.push({ xy, along });
  }
  return { project, segs, total: acc };
}

/** Closest point of each edge, grouped by segment, in trace order. */
function candidates(path, p) {
  return path.segs.map(({ xy, along }) => {
    const out = [];
    if (xy.length === 1) out.push({ offset: dist(p, xy[0]), along: along[0], point: xy[0] });
    for (let i = 1; i < xy.length; i++) {
      const a = xy[i - 1];
      const b = xy[i];
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const len2 = dx * dx + dy * dy;
      const t = len2 > 0 ? Math.min(Math.max(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2, 0), 1) : 0;
      const q = [a[0] + t * dx, a[1] + t * dy];
      out.push({ offset: dist(p, q), along: along[i - 1] + t * (along[i] - along[i - 1]), point: q });
    }
    return out;
  });
}

/** The closest point of the trace and the snapped point chosen by the progress rule. */
function snap(path, p, expected, previous, config) {
  const cands = candidates(path, p);
  let closest = null;
  for (const seg of cands) {
    for (const c of seg) if (closest === null || c.offset < closest.offset) closest = c;
  }
  if (closest === null) return null;
  const window = closest.offset + config.snap_window_m;
  // One representative per run of consecutive edges within the window: a pass.
  const passes = [];
  for (const seg of cands) {
    let run = null;
    for (const c of seg) {
      if (c.offset <= window) {
        if (run === null || c.offset < run.offset) run = c;
      } else if (run !== null) {
        passes.push(run);
        run = null;
      }
    }
    if (run !== null) passes.push(run);
  }
  const allowed = (c) => previous === null || c.along >= previous - config.max_backtrack_m;
  const pool = passes.some(allowed) ? passes.filter(allowed) : passes;
  let chosen = null;
  for (const c of pool) {
    if (chosen === null || Math.abs(c.along - expected) < Math.abs(chosen.along - expected)) chosen = c;
  }
  return chosen === null ? null : { closest, chosen };
}

/**
 * The guidance state machine for one walk of one circuit.
 * segments: [[[lon, lat], ...], ...]; pois: [{ id, kind, lon, lat, trigger_radius_m? }];
 * landscapes: [{ id, name, polygon: [[lon, lat], ...] }]; config: overrides of DEFAULT_CONFIG.
 * update({ lon, lat, accuracy, t }) returns the events of that fix; progress() returns
 * { done_m, remaining_m, offset_m, next_poi: { id, distance_m } | null } or null.
 */
export function createGuide({ segments = [], pois = [], landscapes = [], config = {} } = {}) {
  for (const key of Object.keys(config)) {
    if (!Object.hasOwn(DEFAULT_CONFIG, key)) throw new Error(`unknown guidance setting ${key}`);
  }
  const cfg = { ...DEFAULT_CONFIG, ...config };
  const path = makePath(segments);

  const poiStates = [];
  if (path !== null) {
    for (const poi of pois) {
      // Rust refuses an unknown kind when reading it; so does this side.
      if (!Object.hasOwn(DEFAULT_TRIGGER_RADIUS_M, poi.kind)) throw new Error(`unknown POI kind ${poi.kind} (${poi.id})`);
      const radius = poi.trigger_radius_m ?? DEFAULT_TRIGGER_RADIUS_M[poi.kind];
      const xy = path.project(poi.lon, poi.lat);
      const s = snap(path, xy, 0, null, cfg);
      poiStates.push({ id: poi.id, xy, radius, along: s === null ? 0 : s.chosen.along, fired: false });
    }
  }
  poiStates.sort((a, b) => a.along - b.along || compareIds(a.id, b.id));
  const landStates = landscapes
    .map((l) => ({ id: l.id, ring: l.polygon, announced: false }))
    .sort((a, b) => compareIds(a.id, b.id));

  let last = null; // { xy, along, offset }
  let offCount = 0;
  let alerting = false;

  function routeEvent(p, closest, accuracy) {
    const offset = closest.offset;
    if (alerting) {
      if (offset < cfg.back_on_route_m) {
        alerting = false;
        offCount = 0;
        return { type: 'back_on_route' };
      }
      return null;
    }
    const threshold = cfg.off_route_m + Math.min(accuracy, cfg.off_route_accuracy_cap_m) / 2;
    if (offset > threshold) {
      offCount += 1;
      if (offCount >= cfg.off_route_fixes) {
        alerting = true;
        return { type: 'off_route', distance_m: offset, bearing_deg: bearingDeg(p, closest.point) };
      }
    } else {
      offCount = 0;
    }
    return null;
  }

  function update(fix) {
    const { lon, lat, accuracy } = fix;
    // Written so that a missing or NaN accuracy is refused too.
    if (!(accuracy <= cfg.max_accuracy_m) || !Number.isFinite(lon) || !Number.isFinite(lat)) return [];
    const events = [];
    if (path !== null) {
      const p = path.project(lon, lat);
      // Where the walker should be if they kept walking forward along the trace.
      const expected = last === null ? 0 : last.along + dist(last.xy, p);
      const s = snap(path, p, expected, last === null ? null : last.along, cfg);
      if (s !== null) {
        const e = routeEvent(p, s.closest, accuracy);
        if (e !== null) events.push(e);
        last = { xy: p, along: s.chosen.along, offset: s.closest.offset };
      }
      const fired = [];
      for (const poi of poiStates) {
        if (poi.fired) continue;
        const d = dist(p, poi.xy);
        if (d <= poi.radius) {
          poi.fired = true;
          fired.push({ d, id: poi.id });
        }
      }
      fired.sort((a, b) => a.d - b.d || compareIds(a.id, b.id));
      for (const f of fired) events.push({ type: 'poi', id: f.id });
    }
    // A unit may come as several rings (a multipolygon) under one id: announced once.
    const entered = [];
    for (const l of landStates) {
      if (!l.announced && pointInRing(lon, lat, l.ring) && !entered.includes(l.id)) entered.push(l.id);
    }
    for (const l of landStates) if (entered.includes(l.id)) l.announced = true;
    for (const id of entered) events.push({ type: 'landscape', id });
    return events;
  }

  function progress() {
    if (path === null || last === null) return null;
    const done = last.along;
    const next = poiStates.find((p) => !p.fired && p.along > done);
    return {
      done_m: done,
      remaining_m: Math.max(path.total - done, 0),
      offset_m: last.offset,
      next_poi: next ? { id: next.id, distance_m: next.along - done } : null,
    };
  }

  return { update, progress, totalM: () => (path === null ? 0 : path.total) };
}
