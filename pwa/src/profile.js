// Elevation profile as inline SVG, accessible (<title>/<desc>).
import { h, s, uid } from './dom.js';
import { formatKm, formatMeters } from './format.js';
import { t } from './i18n.js';

const MARGIN = { top: 28, right: 18, bottom: 40, left: 58 };
const BADGE_GAP = 22; // minimum gap between two POI badges on the same row
const MAX_BADGE_ROWS = 3;

/** A "round" step for about `count` ticks over `span`. */
function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

/** Elevation interpolated at distance `d` (points sorted by distance). */
export function elevationAt(points, d) {
  if (!points.length) return null;
  if (d <= points[0][0]) return points[0][1];
  const last = points[points.length - 1];
  if (d >= last[0]) return last[1];
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] <= d) lo = mid;
    else hi = mid;
  }
  const [d0, e0] = points[lo];
  const [d1, e1] = points[hi];
  return d1 === d0 ? e0 : e0 + ((e1 - e0) * (d - d0)) / (d1 - d0);
}

/**
 * The climb left: the sum of the positive elevation differences from `d` to the end
 * (the point at `d` interpolated).
 * @param {number[][]} points [distance, elevation] sorted by distance
 * @param {number} d
 */
export function climbLeft(points, d) {
  let climb = 0;
  let prev = elevationAt(points, d);
  if (prev === null) return 0;
  for (const [pd, pe] of points) {
    if (pd <= d) continue;
    if (pe > prev) climb += pe - prev;
    prev = pe;
  }
  return climb;
}

/** The "you are here" updaters of the figures renderProfile() made. */
const positionSetters = new WeakMap();

/**
 * Shows "you are here" at `distanceM` along on a profile made by renderProfile(), and the
 * climb left from there. No-op on anything else (e.g. the "profile unavailable" note).
 * @param {Element} figure
 * @param {number} distanceM
 */
export function setProfilePosition(figure, distanceM) {
  positionSetters.get(figure)?.(distanceM);
}

/** Tells the maps where the profile is touched (map.js listens), or null when left. */
function announceCursor(from, distanceM) {
  from.dispatchEvent(new CustomEvent('balade:profile-cursor', { bubbles: true, detail: distanceM === null ? null : { distance_m: distanceM } }));
}

/**
 * @param {import('./api.js').Profile} profile
 * @param {import('./api.js').PoiAlong[]} pois sorted by distance (numbered from 1)
 * @param {string} name circuit name
 * @param {number} [width] available width in pixels (so the text keeps a readable size)
 * @returns {HTMLElement}
 */
export function renderProfile(profile, pois, name, width = 800) {
  const W = Math.round(Math.min(1000, Math.max(320, width || 800)));
  let H = W < 600 ? 220 : 260;
  const points = (Array.isArray(profile) ? profile : [])
    .filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]))
    .map((p) => [p[0], p[1]])
    .sort((a, b) => a[0] - b[0]);
  if (points.length < 2) {
    return h('p', { class: 'muted' }, t('profile.unavailable'));
  }

  const d0 = points[0][0];
  const dMax = points[points.length - 1][0];
  const dSpan = Math.max(1, dMax - d0);
  let eMin = Infinity;
  let eMax = -Infinity;
  let ascent = 0;
  for (let i = 0; i < points.length; i += 1) {
    eMin = Math.min(eMin, points[i][1]);
    eMax = Math.max(eMax, points[i][1]);
    if (i && points[i][1] > points[i - 1][1]) ascent += points[i][1] - points[i - 1][1];
  }
  // Vertical scale: at least 50 m of range, rounded bounds.
  const rawSpan = Math.max(50, eMax - eMin);
  const yStep = niceStep(rawSpan, 4);
  const yLo = Math.floor((eMin - rawSpan * 0.08) / yStep) * yStep;
  const yHi = Math.ceil((eMax + rawSpan * 0.08) / yStep) * yStep;

  const plotW = W - MARGIN.left - MARGIN.right;
  const x = (d) => MARGIN.left + ((d - d0) / dSpan) * plotW;

  const visiblePois = pois
    // `row`: the badge's row, set below once the badges are laid out.
    .map((poi, i) => ({ poi, n: i + 1, row: 0 }))
    .filter(({ poi }) => Number.isFinite(poi.distance_m) && poi.distance_m >= d0 && poi.distance_m <= dMax);
  // Numbered badges above the line, spread over several rows when they overlap.
  const rowEnds = [];
  for (const item of visiblePois) {
    const px = x(item.poi.distance_m);
    let row = rowEnds.findIndex((end) => px - end >= BADGE_GAP);
    if (row < 0 && rowEnds.length < MAX_BADGE_ROWS) row = rowEnds.length;
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = px;
    item.row = row;
  }
  const extraTop = Math.max(0, rowEnds.length - 1) * BADGE_GAP;
  H += extraTop;
  const M = { ...MARGIN, top: MARGIN.top + extraTop };
  const plotH = H - M.top - M.bottom;
  const y = (e) => M.top + (1 - (e - yLo) / (yHi - yLo)) * plotH;
  const f = (n) => n.toFixed(1);

  const line = points.map((p, i) => `${i ? 'L' : 'M'}${f(x(p[0]))},${f(y(p[1]))}`).join('');
  const area = `${line}L${f(x(dMax))},${f(M.top + plotH)}L${f(x(d0))},${f(M.top + plotH)}Z`;

  const titleId = uid('profile-title');
  const descId = uid('profile-desc');

  let desc = t('profile.desc', {
    length: formatKm(dMax - d0),
    min: formatMeters(eMin),
    max: formatMeters(eMax),
    start: formatMeters(points[0][1]),
    end: formatMeters(points[points.length - 1][1]),
    ascent: formatMeters(ascent),
  });
  if (visiblePois.length) {
    desc += t('profile.pois', {
      list: visiblePois.map(({ poi, n }) => t('profile.poiAt', { n, name: poi.name, d: formatKm(poi.distance_m) })).join(' ; '),
    });
  }

  const grid = [];
  for (let e = yLo; e <= yHi + 1e-6; e += yStep) {
    grid.push(
      s('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: f(y(e)), y2: f(y(e)) }),
      s('text', { class: 'tick', x: M.left - 8, y: f(y(e) + 4), 'text-anchor': 'end' }, formatMeters(e)),
    );
  }
  const xStep = niceStep(dSpan, Math.max(3, Math.floor(W / 130)));
  for (let d = Math.ceil(d0 / xStep) * xStep; d <= dMax + 1e-6; d += xStep) {
    grid.push(
      s('line', { class: 'grid grid--x', x1: f(x(d)), x2: f(x(d)), y1: M.top, y2: M.top + plotH }),
      s('text', { class: 'tick', x: f(x(d)), y: M.top + plotH + 18, 'text-anchor': 'middle' }, formatKm(d)),
    );
  }

  // Upper rows drawn first: the lower badges cover their ticks.
  const poiMarks = [...visiblePois].sort((a, b) => b.row - a.row).map(({ poi, n, row }) => {
    const px = x(poi.distance_m);
    const py = y(elevationAt(points, poi.distance_m));
    const by = M.top - 14 - row * BADGE_GAP;
    return s(
      'g',
      { class: `profile-poi profile-poi--${String(poi.kind || 'other').replace(/[^a-z_-]/gi, '')}` },
      s('title', {}, `${n}. ${poi.name} — ${formatKm(poi.distance_m)}`),
      s('line', { x1: f(px), x2: f(px), y1: f(by + 8), y2: f(py) }),
      s('circle', { cx: f(px), cy: f(py), r: 4 }),
      s('circle', { class: 'poi-badge', cx: f(px), cy: f(by), r: 10 }),
      s('text', { x: f(px), y: f(by + 4), 'text-anchor': 'middle' }, String(n)),
    );
  });

  // "You are here": hidden until the guide gives a position.
  const hereLine = s('line', { y1: M.top, y2: M.top + plotH });
  const hereDot = s('circle', { r: 6 });
  const here = s('g', { class: 'profile-here', visibility: 'hidden' }, hereLine, hereDot);

  const cursorLine = s('line', { y1: M.top, y2: M.top + plotH });
  const cursorDot = s('circle', { r: 4.5 });
  const cursorText = s('text', { y: M.top + 14 });
  const cursor = s('g', { class: 'profile-cursor', visibility: 'hidden' }, cursorLine, cursorDot, cursorText);

  const svg = s(
    'svg',
    {
      class: 'profile',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    s('title', { id: titleId }, t('profile.title', { name })),
    s('desc', { id: descId }, desc),
    s('g', { class: 'axes' }, grid),
    s('path', { class: 'profile-area', d: area }),
    s('path', { class: 'profile-line', d: line }),
    s('text', { class: 'axis-label', x: 12, y: M.top - 8 }, t('profile.altAxis')),
    s('text', { class: 'axis-label', x: W - M.right, y: H - 4, 'text-anchor': 'end' }, t('profile.distAxis')),
    s('g', { class: 'profile-pois' }, poiMarks),
    here,
    cursor,
  );

  // Readout on hover, touch or drag (mouse, finger, pen): distance and elevation, and a
  // marker on the map (announceCursor). A finger's tap leaves the marker where it is.
  /** @param {PointerEvent} ev */
  const onPointer = (ev) => {
    const rect = svg.getBoundingClientRect();
    if (!rect.width) return;
    const scale = Math.min(rect.width / W, rect.height / H);
    const offsetX = (rect.width - W * scale) / 2;
    const vx = (ev.clientX - rect.left - offsetX) / scale;
    if (vx < M.left || vx > W - M.right) {
      cursor.setAttribute('visibility', 'hidden');
      announceCursor(svg, null);
      return;
    }
    const d = d0 + ((vx - M.left) / plotW) * dSpan;
    const e = elevationAt(points, d);
    cursorLine.setAttribute('x1', f(vx));
    cursorLine.setAttribute('x2', f(vx));
    cursorDot.setAttribute('cx', f(vx));
    cursorDot.setAttribute('cy', f(y(e)));
    const right = vx > W - 160;
    cursorText.setAttribute('x', f(right ? vx - 8 : vx + 8));
    cursorText.setAttribute('text-anchor', right ? 'end' : 'start');
    cursorText.textContent = `${formatKm(d)} · ${formatMeters(e)}`;
    cursor.setAttribute('visibility', 'visible');
    announceCursor(svg, d);
  };
  svg.addEventListener('pointermove', onPointer);
  svg.addEventListener('pointerdown', onPointer);
  svg.addEventListener('pointerleave', (ev) => {
    if (ev.pointerType !== 'mouse') return;
    cursor.setAttribute('visibility', 'hidden');
    announceCursor(svg, null);
  });

  const climb = h('p', { class: 'profile-climb', hidden: true });
  const figure = h(
    'figure',
    { class: 'profile-figure' },
    climb,
    svg,
    h(
      'figcaption',
      { class: 'muted' },
      visiblePois.length
        ? t('profile.captionPois')
        : t('profile.caption'),
    ),
  );
  positionSetters.set(figure, (distanceM) => {
    if (!Number.isFinite(distanceM)) return;
    const d = Math.min(dMax, Math.max(d0, distanceM));
    const px = f(x(d));
    hereLine.setAttribute('x1', px);
    hereLine.setAttribute('x2', px);
    hereDot.setAttribute('cx', px);
    hereDot.setAttribute('cy', f(y(elevationAt(points, d))));
    here.setAttribute('visibility', 'visible');
    climb.textContent = t('profile.climbLeft', { m: formatMeters(climbLeft(points, d)), d: formatKm(d) });
    climb.hidden = false;
  });
  return figure;
}
