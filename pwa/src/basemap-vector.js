// The vector basemap: the server's Mapbox Vector Tiles (Protomaps basemap schema) drawn by
// MapLibre GL JS with the `@protomaps/basemaps` style, as a layer under Leaflet's traces and
// markers (`@maplibre/maplibre-gl-leaflet`). Loaded by map.js only when the server (or the
// downloaded circuit) announces a vector basemap: a chunk of its own, never in the list's
// first load.
//
// Nothing comes from another origin: the tiles are the server's; MapLibre's worker is a file
// of this build (the "CSP" build of MapLibre: the server's policy has `worker-src 'self'`,
// no `blob:`); the labels are drawn on the device (MapLibre's local glyph rendering, the
// style has no `glyphs` URL) with Noto Sans (SIL OFL), whose files come with this build
// (`@fontsource/noto-sans`, its Latin subset: 3 files of ~13 kB, precached with the app);
// the style's icons (no sprite) are replaced by empty images.
import 'maplibre-gl/dist/maplibre-gl.css';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-csp-worker.js?url';
import { maplibreGL } from '@maplibre/maplibre-gl-leaflet';
import { layers, namedFlavor } from '@protomaps/basemaps';
import regularLatin from '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff2?url';
import mediumLatin from '@fontsource/noto-sans/files/noto-sans-latin-500-normal.woff2?url';
import italicLatin from '@fontsource/noto-sans/files/noto-sans-latin-400-italic.woff2?url';

/** The style's source name (the one `@protomaps/basemaps` layers refer to). */
const SOURCE = 'protomaps';

/**
 * Credit of the style and of the data schema (`@protomaps/basemaps`). Plain text, like the
 * server's attribution: a link in the attribution line would be a touch target far below
 * 44 px.
 */
export const STYLE_CREDIT = 'Protomaps';

// Fontsource's unicode range of its "latin" files (French included: œ, Œ, €). Other
// characters are drawn in the browser's sans-serif.
const LATIN =
  'U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD';

/**
 * The font families the style names (`text-font`), each backed by this build's Noto Sans
 * files. MapLibre draws a label in the CSS family of its `text-font` and reads the weight
 * and style from the name ("Medium": 500, "Italic": italic).
 */
const FONTS = [
  { family: 'Noto Sans Regular', weight: '400', style: 'normal', file: regularLatin },
  { family: 'Noto Sans Medium', weight: '500', style: 'normal', file: mediumLatin },
  { family: 'Noto Sans Italic', weight: '400', style: 'italic', file: italicLatin },
];

let fontsReady = null;

/**
 * Registers the label fonts with the page once and waits for their files (a label drawn
 * before its font is there would keep the fallback font). A failure (no FontFace, file
 * missing offline) leaves the browser's sans-serif.
 */
function loadFonts() {
  if (!fontsReady) {
    fontsReady = (async () => {
      if (typeof FontFace === 'undefined' || !document.fonts) return;
      const faces = [];
      for (const { family, weight, style, file } of FONTS) {
        const face = new FontFace(family, `url(${JSON.stringify(file)}) format("woff2")`, {
          weight,
          style,
          unicodeRange: LATIN,
          display: 'block',
        });
        document.fonts.add(face);
        faces.push(face);
      }
      await Promise.all(faces.map((f) => f.load().catch(() => {})));
    })();
  }
  return fontsReady;
}

let workerSet = false;

/** @type {boolean|null} */
let webgl = null;

/** Whether this browser gives a WebGL context (MapLibre needs one); asked once. */
function hasWebGL() {
  if (webgl === null) {
    try {
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('webgl2') || canvas.getContext('webgl');
      webgl = Boolean(context);
      // Give the test context back at once (a page has few of them).
      context?.getExtension('WEBGL_lose_context')?.loseContext();
    } catch {
      webgl = false;
    }
  }
  return webgl;
}

/** An empty image for the style's icons (no sprite: nothing to fetch). */
const EMPTY_IMAGE = { width: 1, height: 1, data: new Uint8Array(4) };

/**
 * The MapLibre style of a vector basemap.
 * @param {{ tiles: string, minZoom: number|null, maxZoom: number|null, attribution: string|null }} basemap
 *   a same-origin description (map.js `usableBasemap`)
 * @param {{ lang: string, attribution: string }} options `attribution`: HTML, already escaped
 * @returns {import('maplibre-gl').StyleSpecification}
 */
export function vectorStyle(basemap, { lang, attribution }) {
  /** @type {import('maplibre-gl').VectorSourceSpecification} */
  const source = {
    type: 'vector',
    // MapLibre's workers need an absolute URL; the template's braces stay as they are.
    tiles: [new URL(basemap.tiles, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}')],
    attribution: `${attribution} · ${STYLE_CREDIT}`,
  };
  if (basemap.minZoom !== null) source.minzoom = basemap.minZoom;
  if (basemap.maxZoom !== null) source.maxzoom = basemap.maxZoom;
  return {
    version: 8,
    sources: { [SOURCE]: source },
    // No `glyphs`: labels are drawn on the device with the fonts above. No `sprite`.
    layers: /** @type {any} */ (layers(SOURCE, namedFlavor('light'), { lang })),
  };
}

/**
 * Adds the vector basemap under the map's traces. Resolves to the layer once MapLibre is
 * created; rejects when it cannot be (no WebGL, chunk not available offline…).
 * `el.dataset.basemapFeatures` tells, after each of MapLibre's `idle`, how many basemap
 * features are drawn, and `el.dataset.basemapTileZoom` the zoom of the tiles drawn.
 * @param {import('leaflet').Map} map
 * @param {HTMLElement} el the map's element
 * @param {{ tiles: string, minZoom: number|null, maxZoom: number|null, attribution: string|null }} basemap
 * @param {{ lang: string, attribution: string }} options
 */
export async function addVectorBasemap(map, el, basemap, options) {
  if (!hasWebGL()) throw new Error('MapLibre: no WebGL');
  if (!workerSet) {
    maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);
    workerSet = true;
  }
  await loadFonts();
  const style = vectorStyle(basemap, options);
  const layer = maplibreGL({
    style,
    // No Leaflet interaction reaches it: Leaflet moves it.
    interactive: false,
    // The style is made here by `@protomaps/basemaps`: not checked again on the phone.
    validateStyle: false,
  });
  try {
    layer.addTo(map);
  } catch (err) {
    // MapLibre throws while the layer is being added (no WebGL context): leave no half layer.
    layer.getContainer?.()?.remove();
    layer.onRemove = () => layer;
    map.removeLayer(layer);
    throw err;
  }
  /** @type {import('maplibre-gl').Map} */
  const gl = layer.getMaplibreMap();
  if (!gl) throw new Error('MapLibre: no map');
  gl.on('styleimagemissing', (e) => {
    if (!gl.hasImage(e.id)) gl.addImage(e.id, EMPTY_IMAGE);
  });
  // A missing tile (offline, outside the downloaded area) is an empty square, not an error.
  gl.on('error', () => {});
  // The Leaflet map is the region with a name; MapLibre's canvas is only its picture.
  const canvas = gl.getCanvas();
  canvas.removeAttribute('role');
  canvas.removeAttribute('aria-label');
  canvas.removeAttribute('tabindex');
  layer.getContainer()?.setAttribute('aria-hidden', 'true');
  gl.on('idle', () => {
    let count = 0;
    try {
      count = gl.queryRenderedFeatures().length;
    } catch {
      count = 0;
    }
    el.dataset.basemapFeatures = String(count);
    // The zoom of the tiles asked for (MapLibre's 512 px tiles: Leaflet's zoom minus one).
    el.dataset.basemapTileZoom = String(Math.floor(gl.getZoom()));
  });
  return layer;
}
