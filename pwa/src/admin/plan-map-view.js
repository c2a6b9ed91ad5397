// The Leaflet side of the plan's map (loaded on demand by plan-map.js): the walkers' map
// set-up (basemap or its absence, zoom and scale, no inline styles) with one marker per
// located record. Markers are reachable by keyboard and named by their record and status.
import 'leaflet/dist/leaflet.css';
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { createMap, destroyMap } from '../map.js';
import { located, markHtml } from './plan-map.js';

/** @typedef {import('./imports-api.js').PlanRecord} PlanRecord */

/**
 * @typedef {Object} PlanMapView
 * @property {(records: PlanRecord[], label: string) => void} draw
 * @property {() => void} destroy
 */

/** @param {string} status */
const icon = (status) =>
  L.divIcon({ className: `plan-pin plan-pin--${status}`, html: markHtml(status), iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -11] });

/**
 * A map in `el` (its accessible name set at each draw).
 * @param {HTMLElement} el
 * @returns {PlanMapView}
 */
export function mountPlanMap(el) {
  const map = createMap(el, t('plan.map'));
  // The page scrolls under the wheel; the map zooms with its buttons and the keyboard.
  map.scrollWheelZoom.disable();
  /** @type {L.FeatureGroup | null} */
  let markers = null;
  return {
    draw(records, label) {
      el.setAttribute('aria-label', label);
      markers?.remove();
      markers = L.featureGroup();
      for (const r of records) {
        if (!located(r)) continue;
        const name = r.label || r.key;
        const status = t(`imports.status.${r.status}`);
        L.marker([/** @type {number} */ (r.lat), /** @type {number} */ (r.lon)], { icon: icon(r.status), title: `${name} (${status})`, riseOnHover: true })
          .bindPopup(h('div', { class: 'popup' }, h('strong', {}, name), h('p', {}, status)))
          .addTo(markers);
      }
      markers.addTo(map);
      const bounds = markers.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    },
    destroy() {
      destroyMap(map);
    },
  };
}
