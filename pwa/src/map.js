// Leaflet maps: the server's basemap (same origin, /tiles/{z}/{x}/{y}) when it has one —
// raster tiles as a Leaflet tile layer, vector tiles drawn by MapLibre GL JS
// (basemap-vector.js, loaded only then) — else a plain background with the note "Aucun fond
// de carte configuré"; traces and points on top.
// Leaflet's styles come with the map's code, not with the list's first load.
import 'leaflet/dist/leaflet.css';
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import { getBasemap } from './api.js';
import { h } from './dom.js';
import { formatDuration, formatLength, poiKindLabel } from './format.js';
import { getLang, t } from './i18n.js';
import { listOffline } from './offline.js';
import { groupMarkers } from './map-groups.js';

/** @type {L.LatLngTuple} */
const FRANCE_CENTER = [46.6, 2.5];

const NoBasemapNote = L.Control.extend({
  options: { position: 'bottomright' },
  onAdd() {
    return h('div', { class: 'map-note' }, t('map.noBasemap'));
  },
});

const BasemapUnavailableNote = L.Control.extend({
  options: { position: 'bottomright' },
  onAdd() {
    return h('div', { class: 'map-note' }, t('map.basemapUnavailable'));
  },
});

// --- Basemap ----------------------------------------------------------------------------

/** The server's fresh answer, kept for the page's life (an answer from the cache is not). */
let basemapAnswer = null;

function liveBasemap() {
  if (!basemapAnswer) {
    const pending = getBasemap().then(
      (answer) => {
        // A copy from the service worker's cache: ask again next time.
        if (answer.fromCache && basemapAnswer === pending) basemapAnswer = null;
        return answer;
      },
      (err) => {
        if (basemapAnswer === pending) basemapAnswer = null;
        throw err;
      },
    );
    basemapAnswer = pending;
  }
  return basemapAnswer;
}

const zoomOrNull = (z) => (Number.isInteger(z) && z >= 0 && z <= 24 ? z : null);

/**
 * A usable basemap description, or null. Only same-origin paths are accepted. `kind`:
 * 'vector' (Mapbox Vector Tiles) or 'raster' (images; also when the answer does not say).
 * @param {unknown} info `/api/v1/basemap` answer or the `basemap` of an offline manifest
 * @returns {{ tiles: string, kind: 'raster'|'vector', minZoom: number|null, maxZoom: number|null, attribution: string|null }|null}
 */
export function usableBasemap(info) {
  if (!info || typeof info !== 'object') return null;
  const { tiles } = /** @type {any} */ (info);
  if (typeof tiles !== 'string' || !tiles.startsWith('/') || tiles.startsWith('//')) return null;
  if (!tiles.includes('{z}') || !tiles.includes('{x}') || !tiles.includes('{y}')) return null;
  let minZoom = zoomOrNull(/** @type {any} */ (info).min_zoom);
  let maxZoom = zoomOrNull(/** @type {any} */ (info).max_zoom);
  if (minZoom !== null && maxZoom !== null && minZoom > maxZoom) [minZoom, maxZoom] = [maxZoom, minZoom];
  const attribution = typeof (/** @type {any} */ (info).attribution) === 'string' ? /** @type {any} */ (info).attribution : null;
  const kind = /** @type {any} */ (info).kind === 'vector' ? 'vector' : 'raster';
  return { tiles, kind, minZoom, maxZoom, attribution };
}

/** The basemap saved with the most recent downloaded circuit that has one. */
async function storedBasemap() {
  try {
    for (const record of await listOffline()) {
      const b = usableBasemap(record.basemap);
      if (b) return b;
    }
  } catch {
    // No IndexedDB: no downloaded circuit.
  }
  return null;
}

/**
 * Which basemap to draw: the server's answer when it comes from the network; otherwise
 * (offline) the one saved with the downloaded circuit, then any downloaded circuit's, then
 * the last answer the service worker kept.
 * @param {unknown} [saved] the `basemap` of the offline record shown on this map
 */
async function chooseBasemap(saved) {
  let live = null;
  try {
    live = await liveBasemap();
  } catch {
    // Network and cache unavailable.
  }
  if (live && !live.fromCache) return usableBasemap(live.body);
  return usableBasemap(saved) || (await storedBasemap()) || (live ? usableBasemap(live.body) : null);
}

const escapeHtml = (s) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * Adds the basemap (below the traces: a tile layer, or MapLibre for vector tiles) or the
 * "no basemap" note once the basemap is known.
 */
async function addBackground(map, el, saved) {
  let gone = false;
  map.once('unload', () => {
    gone = true;
  });
  const basemap = await chooseBasemap(saved);
  if (gone) return;
  if (!basemap) {
    new NoBasemapNote().addTo(map);
    el.dataset.basemap = 'none';
    return;
  }
  L.control.attribution({ prefix: false, position: 'bottomright' }).addTo(map);
  if (basemap.kind === 'vector') {
    await addVector(map, el, basemap, () => gone);
    return;
  }
  const options = {
    maxZoom: 18,
    attribution: escapeHtml(basemap.attribution || t('map.basemap')),
  };
  if (basemap.minZoom !== null) {
    options.minNativeZoom = basemap.minZoom;
    // Further out, tiles of the lowest zoom would be drawn tiny and by the thousand
    // (an offline copy only has zooms 12-16): show none.
    options.minZoom = Math.max(0, basemap.minZoom - 1);
  }
  if (basemap.maxZoom !== null) options.maxNativeZoom = basemap.maxZoom;
  // Missing tiles (404) stay empty squares.
  L.tileLayer(basemap.tiles, options).addTo(map);
  el.dataset.basemap = 'tiles';
}

/**
 * The vector basemap (MapLibre, its own chunk). `el.dataset.basemap` becomes 'vector', then
 * `el.dataset.basemapFeatures` counts the features drawn after each of MapLibre's `idle`.
 * When it cannot be drawn (no WebGL; offline, MapLibre's code never loaded): a note, and
 * `el.dataset.basemap` = 'unavailable'.
 */
async function addVector(map, el, basemap, isGone) {
  try {
    const { addVectorBasemap } = await import('./basemap-vector.js');
    if (isGone()) return;
    await addVectorBasemap(map, el, basemap, {
      lang: getLang(),
      attribution: escapeHtml(basemap.attribution || t('map.basemap')),
    });
    if (isGone()) return;
    el.dataset.basemap = 'vector';
  } catch {
    if (isGone()) return;
    new BasemapUnavailableNote().addTo(map);
    el.dataset.basemap = 'unavailable';
  }
}

// --- Maps -------------------------------------------------------------------------------

/**
 * Creates a map in `el`. The background (basemap tiles or the "no basemap" note) is added
 * asynchronously; `el.dataset.basemap` becomes 'tiles', 'vector' (drawn by MapLibre),
 * 'unavailable' (vector basemap that this browser cannot draw) or 'none' once it is chosen.
 * @param {HTMLElement} el
 * @param {string} label accessible name of the map
 * @param {{ basemap?: unknown }} [options] `basemap`: the one saved with the downloaded
 *   circuit shown, used when the server cannot be reached
 */
export function createMap(el, label, options = {}) {
  el.setAttribute('role', 'region');
  el.setAttribute('aria-label', label);
  const map = L.map(el, {
    zoomControl: false,
    attributionControl: false,
    minZoom: 3,
    maxZoom: 18,
    zoomSnap: 0.5,
  });
  L.control.zoom({ position: 'topleft', zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
  map.on('popupopen', (e) => {
    e.popup.getElement()?.querySelector('.leaflet-popup-close-button')?.setAttribute('aria-label', t('map.closePopup'));
  });
  map.setView(FRANCE_CENTER, 5);
  addBackground(map, el, options.basemap);
  return map;
}

// The marker's visible number or letter is hidden from assistive technologies: Leaflet
// puts the marker's `title` on the focusable icon, and the name then comes from it
// ("1. Tour César (Patrimoine)" rather than "1").
function pinIcon(text, variant) {
  return L.divIcon({
    className: `pin pin--${variant}`,
    html: `<span class="pin__label" aria-hidden="true">${text}</span>`,
    // A 44 px touch target (the drawn pin is smaller, at the bottom of it, its tip on the point).
    iconSize: [44, 44],
    iconAnchor: [22, 44],
    popupAnchor: [0, -44],
  });
}

function dotIcon(text, variant) {
  return L.divIcon({
    className: `dot dot--${variant}`,
    html: `<span class="dot__label" aria-hidden="true">${text}</span>`,
    // A 44 px touch target centred on the point (the drawn dot is 24 px).
    iconSize: [44, 44],
    iconAnchor: [22, 22],
    popupAnchor: [0, -14],
  });
}

function fit(map, bounds, maxZoom = 15) {
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom });
  }
}

/**
 * Markers of the circuits' start points (list).
 * @param {L.Map} map
 * @param {import('./api.js').CircuitSummary[]} features
 * @returns {L.LayerGroup}
 */
export function showCircuitStarts(map, features, previous) {
  if (previous) previous.remove();
  const group = L.featureGroup();
  for (const f of features) {
    const coords = f.geometry?.type === 'Point' ? f.geometry.coordinates : null;
    if (!coords || !Number.isFinite(coords[0]) || !Number.isFinite(coords[1])) continue;
    const p = f.properties;
    const popup = h(
      'div',
      { class: 'popup' },
      h('a', { href: `#/circuits/${encodeURIComponent(p.id)}` }, p.name),
      h('p', {}, `${formatLength(p.length_m)} · ${formatDuration(p.duration_min)}`),
    );
    L.marker([coords[1], coords[0]], {
      icon: pinIcon('', 'start'),
      title: t('map.startOf', { name: p.name }),
      alt: t('map.startOf', { name: p.name }),
      riseOnHover: true,
    })
      .bindPopup(popup)
      .addTo(group);
  }
  group.addTo(map);
  if (features.length) fit(map, group.getBounds(), 13);
  else map.setView(FRANCE_CENTER, 5);
  return group;
}

/**
 * Turns a LineString / MultiLineString geometry into lists of [lat, lon].
 * @param {import('./api.js').LineGeometry | null | undefined} geometry
 * @returns {L.LatLngTuple[][]}
 */
export function lineParts(geometry) {
  if (!geometry) return [];
  /** @param {number[][] | undefined} line @returns {L.LatLngTuple[]} */
  const toLatLngs = (line) =>
    (line || []).filter((pos) => Number.isFinite(pos?.[0]) && Number.isFinite(pos?.[1])).map((pos) => [pos[1], pos[0]]);
  if (geometry.type === 'LineString') return [toLatLngs(geometry.coordinates)].filter((l) => l.length);
  if (geometry.type === 'MultiLineString') return geometry.coordinates.map(toLatLngs).filter((l) => l.length);
  return [];
}

/**
 * A circuit's trace, start/end and numbered points of interest.
 * @param {L.Map} map
 * @param {import('./api.js').LineGeometry|null} geometry
 * @param {Array<Pick<import('./api.js').PoiAlong, 'name'|'kind'|'lon'|'lat'> & { distance_m?: number }>} pois
 *   sorted by distance (the guide's may lack it)
 * @returns {{ focusPoi: (index: number) => void }}
 */
export function showTrace(map, geometry, pois) {
  const all = L.featureGroup().addTo(map);
  const parts = lineParts(geometry);
  for (const part of parts) {
    L.polyline(part, { color: '#ffffff', weight: 8, opacity: 0.9, interactive: false }).addTo(all);
    L.polyline(part, { color: '#b3261e', weight: 4, opacity: 1, className: 'trace' }).addTo(all);
  }
  /** @type {import('./map-groups.js').GroupedEntry[]} */
  const entries = [];
  if (parts.length) {
    const start = parts[0][0];
    const last = parts[parts.length - 1];
    const end = last[last.length - 1];
    const same = map.distance(start, end) < 30;
    const startName = same ? t('map.startEnd') : t('map.start');
    entries.push({
      marker: L.marker(start, { icon: pinIcon('D', 'start'), title: startName, keyboard: true }).bindPopup(startName),
      label: startName,
      poi: false,
    });
    if (!same) {
      entries.push({ marker: L.marker(end, { icon: pinIcon('A', 'end'), title: t('map.end') }).bindPopup(t('map.end')), label: t('map.end'), poi: false });
    }
  }
  /** Index in `entries` of each point of interest's marker (null: no position). */
  const poiEntries = pois.map((poi, i) => {
    if (!Number.isFinite(poi.lat) || !Number.isFinite(poi.lon)) return null;
    const popup = h(
      'div',
      { class: 'popup' },
      h('strong', {}, `${i + 1}. ${poi.name}`),
      h('p', {}, `${poiKindLabel(poi.kind)} · ${t('sheet.poiAt', { d: formatLength(poi.distance_m) })}`),
    );
    const variant = String(poi.kind || 'other').replace(/[^a-z_-]/gi, '');
    const title = `${i + 1}. ${poi.name} (${poiKindLabel(poi.kind)})`;
    entries.push({ marker: L.marker([poi.lat, poi.lon], { icon: dotIcon(String(i + 1), variant), title }).bindPopup(popup), label: title, poi: true });
    return entries.length - 1;
  });
  const bounds = all.getBounds();
  for (const { marker } of entries) bounds.extend(marker.getLatLng());
  fit(map, bounds, 16);
  // Added once the map has its zoom: which markers would overlap depends on it.
  const markers = groupMarkers(map, L.layerGroup().addTo(map), entries);
  followProfileCursor(map, parts);
  return {
    focusPoi(index) {
      const entry = poiEntries[index];
      if (entry !== null && entry !== undefined) markers.reveal(entry);
    },
  };
}

// --- Along the trace -------------------------------------------------------------------

/**
 * The trace's parts with the distance along (metres, gaps between parts not counted, as the
 * guide and the profile count them) at each point.
 * @param {L.Map} map
 * @param {L.LatLngTuple[][]} parts
 * @returns {{ pts: L.LatLngTuple[], along: number[] }[]}
 */
function measured(map, parts) {
  let acc = 0;
  return parts.map((pts) => {
    const along = pts.map((p, i) => (acc += i ? map.distance(pts[i - 1], p) : 0));
    return { pts, along };
  });
}

/** The point at `d` metres along, and the direction (degrees, 0 = north) there. */
function pointAlong(lines, d) {
  for (const { pts, along } of lines) {
    if (!pts.length || d > along[along.length - 1]) continue;
    let i = 1;
    while (i < pts.length - 1 && along[i] < d) i += 1;
    const a = pts[Math.max(0, i - 1)];
    const b = pts[Math.min(i, pts.length - 1)];
    const span = along[i] - along[i - 1] || 1;
    const k = Math.min(1, Math.max(0, (d - along[i - 1]) / span)) || 0;
    /** @type {L.LatLngTuple} */
    const at = [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k];
    const cos = Math.cos((a[0] * Math.PI) / 180);
    const bearing = (Math.atan2((b[1] - a[1]) * cos, b[0] - a[0]) * 180) / Math.PI;
    return { at, bearing: (bearing + 360) % 360 };
  }
  const last = lines[lines.length - 1]?.pts;
  return last?.length ? { at: last[last.length - 1], bearing: 0 } : null;
}

/** The points of the trace between two distances along (one list per part). */
function slice(lines, from, to) {
  const out = [];
  for (const { pts, along } of lines) {
    const part = [];
    for (let i = 0; i < pts.length; i += 1) {
      if (along[i] > from && along[i] < to) part.push(pts[i]);
    }
    const start = along[0];
    const end = along[along.length - 1];
    if (end <= from || start >= to) continue;
    if (from > start) part.unshift(/** @type {L.LatLngTuple} */ (pointAlong([{ pts, along }], from)?.at));
    else part.unshift(pts[0]);
    if (to < end) part.push(/** @type {L.LatLngTuple} */ (pointAlong([{ pts, along }], to)?.at));
    else part.push(pts[pts.length - 1]);
    out.push(part);
  }
  return out;
}

/**
 * Places a marker on the map where the elevation profile is touched or hovered: profile.js
 * sends `balade:profile-cursor` events (detail: `{ distance_m }`, or null when it is left)
 * from its figure; any map that shows a trace follows them, so the sheet's map does too
 * without the sheet knowing. Only one view is on screen at a time.
 * @param {L.Map} map
 * @param {L.LatLngTuple[][]} parts
 */
function followProfileCursor(map, parts) {
  const lines = measured(map, parts);
  /** @type {L.CircleMarker|null} */
  let marker = null;
  /** @param {Event} ev */
  const onCursor = (ev) => {
    const d = /** @type {CustomEvent} */ (ev).detail?.distance_m;
    const point = Number.isFinite(d) ? pointAlong(lines, d) : null;
    if (!point) {
      marker?.remove();
      marker = null;
      return;
    }
    if (marker) marker.setLatLng(point.at);
    else {
      marker = L.circleMarker(point.at, { radius: 8, className: 'trace-cursor', interactive: false, weight: 3 }).addTo(map);
    }
    if (!map.getBounds().contains(point.at)) map.panTo(point.at);
  };
  document.addEventListener('balade:profile-cursor', onCursor);
  map.once('unload', () => document.removeEventListener('balade:profile-cursor', onCursor));
}

const ARROW_EVERY_M = 250;

/**
 * The guide's trace: the walked part grey, the part left coloured, small arrows every
 * ARROW_EVERY_M metres showing the way. Drawn over showTrace()'s line.
 * @param {L.Map} map
 * @param {import('./api.js').LineGeometry|null} geometry
 * @returns {{ setDone: (doneM: number) => void, totalM: number }}
 */
export function createProgressTrace(map, geometry) {
  const lines = measured(map, lineParts(geometry));
  const last = lines[lines.length - 1]?.along;
  const totalM = last?.length ? last[last.length - 1] : 0;
  const group = L.layerGroup().addTo(map);
  const walked = L.polyline([], { color: '#7a7a7a', weight: 5, opacity: 1, className: 'trace trace--walked', interactive: false }).addTo(group);
  for (let d = ARROW_EVERY_M / 2; d < totalM; d += ARROW_EVERY_M) {
    const point = pointAlong(lines, d);
    if (!point) continue;
    // Turned through the style object: the Content Security Policy forbids style attributes.
    const arrow = document.createElement('span');
    arrow.className = 'trace-arrow__shape';
    arrow.style.transform = `rotate(${Math.round(point.bearing)}deg)`;
    L.marker(point.at, {
      icon: L.divIcon({ className: 'trace-arrow', html: arrow, iconSize: [16, 16], iconAnchor: [8, 8] }),
      interactive: false,
      keyboard: false,
    }).addTo(group);
  }
  return {
    totalM,
    setDone(doneM) {
      walked.setLatLngs(slice(lines, -1, Math.min(doneM, totalM)));
    },
  };
}

/** Bearing (degrees, 0 = north) from one position to another, in a local plane. */
function bearingBetween(a, b) {
  const cos = Math.cos((a[0] * Math.PI) / 180);
  return ((Math.atan2((b[1] - a[1]) * cos, b[0] - a[0]) * 180) / Math.PI + 360) % 360;
}

/** A heading is worked out from two fixes at least this far apart. */
const HEADING_MIN_MOVE_M = 5;

/**
 * The walker's position: accuracy circle and a marker, an arrow when the heading is known
 * (the device's, else the direction between successive fixes). While `following`, the map
 * keeps the position in its centre; a pan by the walker stops that until `recenter()`.
 * @param {L.Map} map
 * @param {{ onFollowChange?: (following: boolean) => void }} [options]
 */
export function createWalker(map, options = {}) {
  let marker = null;
  let circle = null;
  let centred = false;
  let following = true;
  /** @type {L.LatLngTuple|null} */
  let lastAt = null;
  /** @type {L.LatLngTuple|null} where the last heading was worked out from */
  let headingFrom = null;
  let lastHeading = NaN;
  const setFollowing = (value) => {
    if (following === value) return;
    following = value;
    options.onFollowChange?.(value);
  };
  // Only a gesture of the walker's (drag) stops following, not our own panTo/setView.
  map.on('dragstart', () => setFollowing(false));
  return {
    get following() {
      return following;
    },
    /** Follows the position again and centres the map on it now. */
    recenter() {
      setFollowing(true);
      if (lastAt) map.setView(lastAt, Math.max(map.getZoom(), 16));
    },
    update(lat, lon, accuracy, deviceHeading) {
      /** @type {L.LatLngTuple} */
      const at = [lat, lon];
      lastAt = at;
      if (!headingFrom) headingFrom = at;
      else if (map.distance(headingFrom, at) >= HEADING_MIN_MOVE_M) {
        lastHeading = bearingBetween(headingFrom, at);
        headingFrom = at;
      }
      const heading = Number.isFinite(deviceHeading) ? deviceHeading : lastHeading;
      const hasHeading = Number.isFinite(heading);
      // Turned through the style object: a style attribute would break the server's
      // Content Security Policy (no inline styles).
      const arrow = document.createElement('span');
      arrow.className = 'walker__arrow';
      arrow.style.transform = `rotate(${hasHeading ? Math.round(heading) : 0}deg)`;
      const icon = L.divIcon({
        className: `walker${hasHeading ? ' walker--heading' : ''}`,
        html: arrow,
        iconSize: [26, 26],
        iconAnchor: [13, 13],
      });
      if (!marker) {
        marker = L.marker(at, { icon, title: t('map.you'), keyboard: false, zIndexOffset: 1000 }).addTo(map);
        circle = L.circle(at, { radius: accuracy || 0, className: 'walker-accuracy', interactive: false, weight: 1 }).addTo(map);
      } else {
        marker.setLatLng(at).setIcon(icon);
        circle.setLatLng(at).setRadius(accuracy || 0);
      }
      if (!centred) {
        centred = true;
        map.setView(at, Math.max(map.getZoom(), 16));
      } else if (following) {
        map.panTo(at);
      }
    },
  };
}

/**
 * Lets a click on the map choose a place (a trail report's position): `onPick(lon, lat)`,
 * with a marker there. Returns the function that stops listening and removes the marker.
 * @param {L.Map} map
 * @param {(lon: number, lat: number) => void} onPick
 */
export function pickOnMap(map, onPick) {
  /** @type {L.CircleMarker|null} */
  let marker = null;
  /** @param {L.LeafletMouseEvent} e */
  const onClick = (e) => {
    const { lat, lng } = e.latlng;
    if (marker) marker.setLatLng(e.latlng);
    else marker = L.circleMarker(e.latlng, { radius: 9, className: 'picked', interactive: false }).addTo(map);
    onPick(lng, lat);
  };
  map.on('click', onClick);
  map.getContainer().classList.add('map--picking');
  return () => {
    map.off('click', onClick);
    map.getContainer().classList.remove('map--picking');
    marker?.remove();
    marker = null;
  };
}

/** Destroys a map, even during a zoom animation. */
export function destroyMap(map) {
  if (!map) return;
  map.stop();
  // Leaflet 1.9 ends a zoom animation with a non-cancellable setTimeout that reads the
  // map's panes: without this flag it fails once the map has been removed.
  map._animatingZoom = false;
  map.remove();
}
