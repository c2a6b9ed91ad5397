// Offline package size of the Grand Morin circuit with a vector basemap and with a raster one
// (issue 17): the real server with its demo data (`serve --demo`, no `--basemap`: a vector
// basemap of the territory, Protomaps schema) gives the vector package's manifest; the raster
// package is the same manifest with the tiles replaced by 256 px PNG tiles drawn, in headless
// Chromium, by MapLibre from the very style the app uses (basemap-vector.js) over the same
// vector tiles. The raster tile set is the server's rule (app/src/basemap.rs `covering`: every
// tile of the box 500 m around each trace point, at the offline zooms 12–16), reimplemented
// here and checked against the vector manifest's own tiles.
//
// No tile server is reachable here (IGN, OSM): the raster tiles are of the demo's thin
// territory basemap, so their absolute sizes are far below a full topographic map's; the
// comparison is of the same content drawn both ways.
//
// A measurement, not a test: it exits non-zero only when it cannot measure (no server, no
// browser, no WebGL, a tile MapLibre cannot draw).
//
//   node benches/package-sizes.mjs [--save DIR]      (dist/ built: npm run build)
//
// --save DIR writes the rendered PNG tiles as DIR/z/x/y.png (to look at them).
// Variables: BALADE_BIN (server binary, default ../target/debug/balade), CHROMIUM_PATH
// (default /usr/bin/chromium: no browser is ever downloaded). With many tiles, `ulimit -n`
// may need raising for the server.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoServer } from './demo-server.mjs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const PWA = path.resolve(here, '..');
const REPO = path.resolve(PWA, '..');
const BIN = process.env.BALADE_BIN || path.join(REPO, 'target/debug/balade');
const PWA_DIR = path.join(PWA, 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const MODULES = path.join(PWA, 'node_modules');

const CIRCUIT = 'grand-morin-guerard-coulommiers';
/** The server's packaging rule (app/src/package.rs TILE_BUFFER_M, lib.rs DEFAULT_OFFLINE_ZOOMS). */
const BUFFER_M = 500;
const RASTER_ZOOMS = [12, 16];
const TILE_PX = 256;

const args = process.argv.slice(2);
const saveArg = args.indexOf('--save');
const SAVE_DIR = saveArg >= 0 ? path.resolve(args[saveArg + 1] ?? 'package-tiles') : null;

// The browser flags of the app's browser tests (tests/support/server.mjs): with them,
// Chromium gives WebGL through SwiftShader, which MapLibre draws with.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---------------------------------------------------------------------------------------
// The server (as benches/lighthouse.mjs starts and stops it)

/** Starts `balade serve --demo` on a free port; resolves to { url, stop }. */
function startServer(dir) {
  return startDemoServer({ bin: BIN, repo: REPO, pwaDir: PWA_DIR, dir });
}

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------
// Tiles: the server's covering rule, in JS

/** app/src/basemap.rs `tile_of`: the tile holding a point (Web Mercator, clamped). */
function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const rad = (Math.min(Math.max(lat, -85.051128), 85.051128) * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  const clamp = (v) => Math.min(Math.max(v, 0), n - 1);
  return [clamp(x), clamp(y)];
}

/**
 * app/src/basemap.rs `covering`: for each trace point, every tile of the box `bufferM`
 * around it, at zooms `lo`..=`hi`. Keys "z/x/y", sorted as the server sorts (z, x, y).
 */
function covering(points, bufferM, lo, hi) {
  const tiles = new Map();
  const dlat = bufferM / 110_574;
  for (const [lon, lat] of points) {
    const dlon = bufferM / (111_320 * Math.max(Math.cos((lat * Math.PI) / 180), 0.01));
    for (let z = lo; z <= hi; z += 1) {
      const [x0, y0] = tileOf(lon - dlon, lat + dlat, z);
      const [x1, y1] = tileOf(lon + dlon, lat - dlat, z);
      for (let x = x0; x <= x1; x += 1) {
        for (let y = y0; y <= y1; y += 1) tiles.set(`${z}/${x}/${y}`, [z, x, y]);
      }
    }
  }
  return [...tiles.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
}

/** The trace's points, in order, from the circuit's GeoJSON geometry. */
function tracePoints(geometry) {
  if (geometry.type === 'LineString') return geometry.coordinates;
  if (geometry.type === 'MultiLineString') return geometry.coordinates.flat();
  throw new Error(`unexpected trace geometry: ${geometry.type}`);
}

/** The tile parts of a manifest as [z, x, y, bytes]. */
function manifestTiles(manifest) {
  return manifest.parts
    .filter((p) => p.kind === 'tile')
    .map((p) => {
      const m = p.url.match(/^\/tiles\/(\d+)\/(\d+)\/(\d+)$/);
      if (!m) throw new Error(`unexpected tile URL ${p.url}`);
      return [Number(m[1]), Number(m[2]), Number(m[3]), p.bytes];
    });
}

/**
 * Whether the manifest's tiles are the rule's at the manifest's zooms: a vector tile the
 * basemap lacks is left out of the package, so the manifest may be a subset, never more.
 */
function compareWithRule(vectorTiles, ruleTiles) {
  const rule = new Set(ruleTiles.map(([z, x, y]) => `${z}/${x}/${y}`));
  const have = new Set(vectorTiles.map(([z, x, y]) => `${z}/${x}/${y}`));
  return {
    extra: [...have].filter((k) => !rule.has(k)),
    missing: [...rule].filter((k) => !have.has(k)),
  };
}

const countByZoom = (tiles) => {
  const counts = {};
  for (const [z] of tiles) counts[z] = (counts[z] ?? 0) + 1;
  return counts;
};

// ---------------------------------------------------------------------------------------
// Rendering: a page of our own with MapLibre and the app's style, tiles from the server

/** The label fonts as the app registers them (basemap-vector.js FONTS), Latin subset. */
const FONTS = [
  { family: 'Noto Sans Regular', weight: '400', style: 'normal', file: 'noto-sans-latin-400-normal.woff2' },
  { family: 'Noto Sans Medium', weight: '500', style: 'normal', file: 'noto-sans-latin-500-normal.woff2' },
  { family: 'Noto Sans Italic', weight: '400', style: 'italic', file: 'noto-sans-latin-400-italic.woff2' },
];

/**
 * The page: one 256×256 MapLibre map with the style of basemap-vector.js `vectorStyle`
 * (`@protomaps/basemaps` light flavour, French labels, no glyphs URL: labels drawn on the
 * device in Noto Sans, no sprite: empty icons). `window.renderTile(z, x, y)` shows tile
 * z/x/y exactly (MapLibre's tiles are 512 px: zoom z − 1, centred on the tile's centre)
 * and resolves to its PNG as a data URL once MapLibre is idle.
 */
function pageHtml(basemap) {
  const fonts = JSON.stringify(FONTS.map(({ file, ...f }) => ({ ...f, url: `/fonts/${file}` })));
  // The source's zooms as the app sets them (beyond max_zoom MapLibre overzooms the last tiles).
  const zoomRange = {};
  if (basemap.min_zoom != null) zoomRange.minzoom = basemap.min_zoom;
  if (basemap.max_zoom != null) zoomRange.maxzoom = basemap.max_zoom;
  return `<!doctype html>
<html><head><meta charset="utf-8">
<style>html, body { margin: 0 } #map { width: ${TILE_PX}px; height: ${TILE_PX}px }</style>
<script src="/maplibre-gl.js"></script><script src="/basemaps.js"></script>
</head><body><div id="map"></div><script>
const EMPTY_IMAGE = { width: 1, height: 1, data: new Uint8Array(4) };
window.tileErrors = [];
window.ready = (async () => {
  const faces = ${fonts}.map((f) => new FontFace(f.family, 'url(' + f.url + ') format("woff2")', { weight: f.weight, style: f.style, display: 'block' }));
  faces.forEach((f) => document.fonts.add(f));
  await Promise.all(faces.map((f) => f.load()));
  const source = { type: 'vector', tiles: [location.origin + '/tiles/{z}/{x}/{y}'], ...${JSON.stringify(zoomRange)} };
  const map = new maplibregl.Map({
    container: 'map',
    style: { version: 8, sources: { protomaps: source }, layers: basemaps.layers('protomaps', basemaps.namedFlavor('light'), { lang: 'fr' }) },
    validateStyle: false, interactive: false, attributionControl: false,
    preserveDrawingBuffer: true, pixelRatio: 1, fadeDuration: 0, center: [0, 0], zoom: 1,
  });
  map.on('styleimagemissing', (e) => { if (!map.hasImage(e.id)) map.addImage(e.id, EMPTY_IMAGE); });
  map.on('error', (e) => window.tileErrors.push(String(e.error?.message ?? e.error ?? e)));
  await new Promise((resolve) => map.once('idle', resolve));
  window.map = map;
})();
window.renderTile = async (z, x, y) => {
  await window.ready;
  const n = 2 ** z;
  const lon = ((x + 0.5) / n) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * (y + 0.5)) / n))) * 180) / Math.PI;
  const idle = new Promise((resolve) => map.once('idle', resolve));
  map.jumpTo({ center: [lon, lat], zoom: z - 1 });
  await idle;
  const labels = map.queryRenderedFeatures().filter((f) => f.layer.type === 'symbol').length;
  return { png: map.getCanvas().toDataURL('image/png'), labels, size: [map.getCanvas().width, map.getCanvas().height] };
};
</script></body></html>`;
}

/**
 * Serves the page, MapLibre, the style's code and the fonts from node_modules, and relays
 * /tiles/ to the Balade server (one origin for all: MapLibre's worker fetches the tiles,
 * and the server's own pages carry a policy this page would not fit). Resolves to
 * { url, close }.
 */
function startPageServer(baladeUrl, basemap) {
  const files = {
    '/maplibre-gl.js': path.join(MODULES, 'maplibre-gl/dist/maplibre-gl.js'),
    '/basemaps.js': path.join(MODULES, '@protomaps/basemaps/dist/basemaps.js'),
    ...Object.fromEntries(FONTS.map((f) => [`/fonts/${f.file}`, path.join(MODULES, '@fontsource/noto-sans/files', f.file)])),
  };
  const types = { '.js': 'text/javascript', '.woff2': 'font/woff2' };
  const html = pageHtml(basemap);
  const server = createServer(async (req, res) => {
    try {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      } else if (files[req.url]) {
        res.writeHead(200, { 'content-type': types[path.extname(req.url)] }).end(readFileSync(files[req.url]));
      } else if (req.url.startsWith('/tiles/')) {
        const up = await fetch(baladeUrl + req.url);
        const body = Buffer.from(await up.arrayBuffer());
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/octet-stream' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Renders every tile; resolves to [[z, x, y, pngBytes]] and the count of labels drawn. */
async function renderTiles(pageUrl, tiles) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: TILE_PX, height: TILE_PX }, deviceScaleFactor: 1 });
    await page.goto(pageUrl);
    await page.evaluate(() => window.ready);
    const out = [];
    let labels = 0;
    for (const [z, x, y] of tiles) {
      const r = await page.evaluate(([tz, tx, ty]) => window.renderTile(tz, tx, ty), [z, x, y]);
      if (r.size[0] !== TILE_PX || r.size[1] !== TILE_PX) throw new Error(`canvas ${r.size.join('×')}, not ${TILE_PX}×${TILE_PX}`);
      const png = Buffer.from(r.png.slice(r.png.indexOf(',') + 1), 'base64');
      if (SAVE_DIR) {
        mkdirSync(path.join(SAVE_DIR, String(z), String(x)), { recursive: true });
        writeFileSync(path.join(SAVE_DIR, String(z), String(x), `${y}.png`), png);
      }
      out.push([z, x, y, png.length]);
      labels += r.labels;
    }
    const errors = await page.evaluate(() => window.tileErrors);
    if (errors.length) throw new Error(`MapLibre errors while drawing:\n${errors.join('\n')}`);
    return { tiles: out, labels };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------------------
// Report

const sum = (tiles) => tiles.reduce((s, t) => s + t[3], 0);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const zoomsText = (counts) =>
  Object.entries(counts)
    .map(([z, n]) => `z${z}: ${n}`)
    .join(', ');

function printReport({ manifest, vector, raster, rule, labels, points }) {
  const partsTotal = manifest.parts.reduce((s, p) => s + p.bytes, 0);
  const otherBytes = manifest.total_bytes - sum(vector);
  const rows = [
    ['', 'tiles', 'tile bytes', 'mean / tile', 'package total', 'zooms'],
    ['vector (MVT)', vector.length, sum(vector), Math.round(sum(vector) / vector.length), manifest.total_bytes, `${manifest.basemap.min_zoom}–${manifest.basemap.max_zoom}`],
    ['raster (PNG 256 px)', raster.length, sum(raster), Math.round(sum(raster) / raster.length), otherBytes + sum(raster), `${RASTER_ZOOMS[0]}–${RASTER_ZOOMS[1]}`],
  ];
  console.log(`Offline package of ${manifest.name} (${CIRCUIT}), version ${manifest.version}`);
  console.log(`Trace: ${points} points; tiles within ${BUFFER_M} m of it (the server's covering rule).\n`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('   '));
  console.log(`\nbytes in KiB: vector tiles ${kb(sum(vector))}, package ${kb(manifest.total_bytes)}; raster tiles ${kb(sum(raster))}, package ${kb(otherBytes + sum(raster))}`);
  console.log(`raster / vector: tiles ×${(raster.length / vector.length).toFixed(1)}, tile bytes ×${(sum(raster) / sum(vector)).toFixed(1)}, package ×${((otherBytes + sum(raster)) / manifest.total_bytes).toFixed(2)}`);
  console.log(`non-tile parts (same in both): ${manifest.parts.length - vector.length} parts, ${otherBytes} bytes${partsTotal === manifest.total_bytes ? '' : ` (parts sum to ${partsTotal}, total_bytes says ${manifest.total_bytes})`}`);
  console.log(`\nvector tiles per zoom: ${zoomsText(countByZoom(vector))}`);
  console.log(`vector bytes per zoom: ${zoomsText(bytesByZoom(vector))}`);
  console.log(`raster tiles per zoom: ${zoomsText(countByZoom(raster))}`);
  console.log(`raster bytes per zoom: ${zoomsText(bytesByZoom(raster))}`);
  const ok = rule.extra.length === 0 && rule.missing.length === 0;
  console.log(
    `\ncovering rule in JS vs the vector manifest at z${manifest.basemap.min_zoom}–${manifest.basemap.max_zoom}: ${
      ok ? 'same tiles' : `${rule.extra.length} tile(s) the rule does not give${rule.extra.length ? ` (${rule.extra.slice(0, 5).join(' ')})` : ''}, ${rule.missing.length} the basemap lacks${rule.missing.length ? ` (${rule.missing.slice(0, 5).join(' ')})` : ''}`
    }`,
  );
  console.log(`labels drawn over all raster tiles: ${labels} (Noto Sans, local glyph rendering as in the app)`);
  console.log(
    '\nNote: the raster tiles are drawn from the demo\'s thin territory basemap (land, commune limits and names, circuit paths),' +
      '\nso absolute raster sizes are small next to a full topographic map (IGN Plan, OSM); the comparison is of the same content.' +
      "\nPNG as Chromium's canvas encodes it (no palette or optimiser pass a tile server may apply).",
  );
}

function bytesByZoom(tiles) {
  const bytes = {};
  for (const [z, , , b] of tiles) bytes[z] = (bytes[z] ?? 0) + b;
  return bytes;
}

async function main() {
  if (!existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (cargo build, or BALADE_BIN)`);
  if (!existsSync(path.join(PWA_DIR, 'index.html'))) throw new Error(`${PWA_DIR} missing: npm run build`);
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM} (CHROMIUM_PATH); none is downloaded`);
  const dir = mkdtempSync(path.join(tmpdir(), 'balade-package-sizes-'));
  const server = await startServer(dir);
  let pages;
  try {
    const basemap = await getJson(`${server.url}/api/v1/basemap`);
    if (basemap.kind !== 'vector') throw new Error(`the demo's basemap is ${basemap.kind}, not vector`);
    const manifest = await getJson(`${server.url}/api/v1/circuits/${CIRCUIT}/offline`);
    const circuit = await getJson(`${server.url}/api/v1/circuits/${CIRCUIT}`);
    const points = tracePoints(circuit.geometry);
    const vector = manifestTiles(manifest);
    if (!vector.length) throw new Error('the vector package has no tiles');
    const rule = compareWithRule(vector, covering(points, BUFFER_M, manifest.basemap.min_zoom, manifest.basemap.max_zoom));
    const rasterSet = covering(points, BUFFER_M, RASTER_ZOOMS[0], RASTER_ZOOMS[1]);
    process.stderr.write(`rendering ${rasterSet.length} raster tiles…\n`);
    pages = await startPageServer(server.url, basemap);
    const { tiles: raster, labels } = await renderTiles(pages.url, rasterSet);
    printReport({ manifest, vector, raster, rule, labels, points: points.length });
  } finally {
    await pages?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
