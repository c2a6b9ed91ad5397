// The position of a point of interest on a small map, in the back-office's record form: a
// marker to drag (or a click on the map) sets the longitude and latitude inputs, which stay
// the keyboard's way to move it; typing in them moves the marker. Loaded on demand with
// Leaflet, when a point's form opens.
//
// Under the server's Content Security Policy (no inline styles), the marker is a `divIcon`
// styled from records.css, and Leaflet only sets styles through the style object.
import 'leaflet/dist/leaflet.css';
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import { t } from '../i18n.js';

/** @type {L.LatLngTuple} */
const FRANCE_CENTER = [46.6, 2.5];
const ZOOM = 16;

/** Maps still alive; those whose element left the page are removed on the next call. */
const live = new Set();

/** Removes the maps whose form was replaced. */
function sweep() {
  for (const map of live) {
    if (map.getContainer().isConnected) continue;
    map.stop();
    // A zoom animation left running would read the removed panes (as in ../map.js).
    /** @type {any} */ (map)._animatingZoom = false;
    map.remove();
    live.delete(map);
  }
}

/** A same-origin tile template from `/api/v1/basemap`, or null. */
async function basemapTiles() {
  try {
    const response = await fetch('/api/v1/basemap', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) return null;
    const body = await response.json();
    const tiles = body?.tiles;
    if (typeof tiles !== 'string' || !tiles.startsWith('/') || tiles.startsWith('//')) return null;
    return {
      tiles,
      attribution: typeof body.attribution === 'string' ? body.attribution : t('map.basemap'),
      maxNativeZoom: Number.isInteger(body.max_zoom) ? body.max_zoom : undefined,
    };
  } catch {
    return null;
  }
}

/** @param {string} s */
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A coordinate as the inputs show it: six decimals, about ten centimetres. @param {number} v */
const rounded = (v) => String(Math.round(v * 1e6) / 1e6);

/**
 * Builds the map in `el` (already in the page, named by its `aria-label`), with `note`
 * telling when there is no basemap, bound to the two inputs.
 * @param {HTMLElement} el
 * @param {HTMLElement} note
 * @param {HTMLInputElement} lonInput
 * @param {HTMLInputElement} latInput
 */
export function positionMap(el, note, lonInput, latInput) {
  sweep();
  const map = L.map(el, { zoomControl: false, attributionControl: false, minZoom: 3, maxZoom: 19 });
  live.add(map);
  L.control.zoom({ position: 'topleft', zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);

  const read = () => {
    const lon = Number(lonInput.value);
    const lat = Number(latInput.value);
    const ok = lonInput.value.trim() !== '' && latInput.value.trim() !== '' && Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
    return ok ? L.latLng(lat, lon) : null;
  };

  const icon = L.divIcon({ className: 'records-pin', html: '', iconSize: [24, 24], iconAnchor: [12, 12] });
  // Not in the tab order: the inputs are the keyboard's way, a focusable marker would do nothing.
  const marker = L.marker([0, 0], { icon, draggable: true, keyboard: false, title: t('records.marker') });

  /** The marker at `at`, and the inputs told, as if typed. @param {L.LatLng} at */
  const place = (at) => {
    marker.setLatLng(at);
    if (!map.hasLayer(marker)) marker.addTo(map);
    lonInput.value = rounded(at.lng);
    latInput.value = rounded(at.lat);
    for (const input of [lonInput, latInput]) input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  marker.on('dragend', () => place(marker.getLatLng()));
  map.on('click', (/** @type {L.LeafletMouseEvent} */ e) => place(e.latlng));

  const follow = () => {
    const at = read();
    if (!at) return;
    marker.setLatLng(at);
    if (!map.hasLayer(marker)) marker.addTo(map);
    if (!map.getBounds().contains(at)) map.panTo(at);
  };
  lonInput.addEventListener('change', follow);
  latInput.addEventListener('change', follow);

  const start = read();
  if (start) {
    marker.setLatLng(start).addTo(map);
    map.setView(start, ZOOM);
  } else {
    map.setView(FRANCE_CENTER, 5);
  }

  basemapTiles().then((basemap) => {
    if (!live.has(map)) return;
    if (!basemap) {
      note.textContent = t('map.noBasemap');
      note.setAttribute('data-i18n', 'map.noBasemap');
      return;
    }
    L.control.attribution({ prefix: false, position: 'bottomright' }).addTo(map);
    L.tileLayer(basemap.tiles, { maxZoom: 19, maxNativeZoom: basemap.maxNativeZoom, attribution: escapeHtml(basemap.attribution) }).addTo(map);
  });
  return map;
}
