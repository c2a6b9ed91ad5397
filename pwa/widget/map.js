// The widget's map of a trace, fetched only when a sheet is shown: its own chunk beside the
// widget's file, with Leaflet and Leaflet's style (given to the widget's shadow root, where
// the host page's style sheets do not reach).
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import leafletCss from 'leaflet/dist/leaflet.css?inline';

/** Leaflet's style, as one sheet for every widget of the page. @type {CSSStyleSheet | null | undefined} */
let sheet;

/** Leaflet's style for a shadow root: a constructed sheet, or null where there is none. */
export function mapSheet() {
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(leafletCss);
    } catch {
      sheet = null;
    }
  }
  return sheet;
}

/** Leaflet's style as text, for a `<style>` where constructed sheets are missing. */
export const MAP_CSS = leafletCss;

/**
 * Draws `lines` (GeoJSON [lon, lat] positions) in `el`, over the server's basemap when it has
 * one (same-origin tile paths only).
 * @param {HTMLElement} el @param {number[][][]} lines @param {(path: string) => string} url
 */
export async function drawTrace(el, lines, url) {
  const map = L.map(el, { attributionControl: false, scrollWheelZoom: false });
  const trace = L.polyline(
    lines.map((line) => line.map(([lon, lat]) => /** @type {L.LatLngTuple} */ ([lat, lon]))),
    { color: '#1d6b45', weight: 4 },
  ).addTo(map);
  map.fitBounds(trace.getBounds(), { padding: [12, 12] });
  try {
    const res = await fetch(url('api/v1/basemap'));
    const info = res.ok ? await res.json() : null;
    const tiles = info && typeof info.tiles === 'string' ? info.tiles : '';
    if (tiles.startsWith('/') && !tiles.startsWith('//')) {
      const options = { maxZoom: 18, ...(Number.isInteger(info.max_zoom) ? { maxNativeZoom: info.max_zoom } : {}) };
      L.tileLayer(url(tiles.slice(1)), options).addTo(map);
      if (typeof info.attribution === 'string') {
        L.control.attribution({ prefix: false }).addAttribution(info.attribution.replace(/[<>&]/g, '')).addTo(map);
      }
    }
  } catch {
    // No basemap: the trace alone.
  }
  return map;
}
