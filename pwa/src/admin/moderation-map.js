// The Leaflet side of the reports' map (loaded on demand by moderation.js): the walkers'
// map set-up (basemap or its absence, zoom and scale, no inline styles) with one marker per
// report of the page. Markers are reachable by keyboard and named by their title.
import 'leaflet/dist/leaflet.css';
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import { h } from '../dom.js';
import { createMap, destroyMap } from '../map.js';

/**
 * A report as the map shows it.
 * @typedef {Object} ReportMark
 * @property {number} lat
 * @property {number} lon
 * @property {string} title    the marker's accessible name
 * @property {string} message
 */

/**
 * @typedef {Object} ReportsMapView
 * @property {(marks: ReportMark[], label: string) => void} draw
 * @property {() => void} destroy
 */

const icon = L.divIcon({ className: 'moderation-pin', html: '', iconSize: [20, 20], iconAnchor: [10, 10], popupAnchor: [0, -10] });

/**
 * A map in `el`, named by `label`.
 * @param {HTMLElement} el
 * @param {string} label
 * @returns {ReportsMapView}
 */
export function mountReportsMap(el, label) {
  const map = createMap(el, label);
  // The page scrolls under the wheel; the map zooms with its buttons and the keyboard.
  map.scrollWheelZoom.disable();
  /** @type {L.FeatureGroup | null} */
  let markers = null;
  return {
    draw(marks, name) {
      el.setAttribute('aria-label', name);
      markers?.remove();
      markers = L.featureGroup();
      for (const m of marks) {
        L.marker([m.lat, m.lon], { icon, title: m.title, riseOnHover: true })
          .bindPopup(h('div', { class: 'popup' }, h('strong', {}, m.title), h('p', {}, m.message)))
          .addTo(markers);
      }
      markers.addTo(map);
      // The block may have been hidden since the last draw.
      map.invalidateSize();
      const bounds = markers.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    },
    destroy() {
      destroyMap(map);
    },
  };
}
