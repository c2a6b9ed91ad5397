// End-to-end test of the vector basemap (issue 17) against the real Balade server: with
// `serve --demo` and no `--basemap`, the server builds a vector basemap of the demo territory
// (Protomaps schema), which the maps draw with MapLibre GL JS (basemap-vector.js):
//  (a) online, the sheet map draws it: `data-basemap="vector"`, features drawn after
//      MapLibre's `idle`, and pixels of more than one colour under the traces;
//  (b) its tiles go into the offline package; with the server STOPPED (not only the
//      browser's idea of being offline: the service worker's requests fail too), the
//      downloaded circuit's sheet still draws the basemap from Cache Storage;
//  (c) `--basemap none`: no basemap, the note "Aucun fond de carte configuré".
// Phone viewport. Figures of the Grand Morin circuit's package are printed as diagnostics.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storedRecord, waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const NO_BASEMAP_NOTE = 'Aucun fond de carte configuré';
const SHEET_MAP = '[role="region"][aria-label^="Carte du circuit "]';
const VECTOR_TILE = 'application/vnd.mapbox-vector-tile';

/** The demo's Grand Morin circuit (its id from the API, by name). */
async function grandMorin(env, context) {
  const list = await env.apiJson(context, '/api/v1/circuits');
  const found = list.features.find((f) => /Grand Morin/i.test(f.properties.name));
  assert.ok(found, 'the demo has the Grand Morin circuit');
  return found.properties;
}

/** Scrolls to the sheet's map (made when it comes near the screen). */
async function showSheetMap(page) {
  await page.locator('.map--sheet').scrollIntoViewIfNeeded();
  await page.locator(SHEET_MAP).waitFor();
}

/** Waits until the map in `selector` has chosen its background; returns `data-basemap`. */
async function basemapState(page, selector) {
  await page.waitForFunction((sel) => Boolean(document.querySelector(sel)?.dataset.basemap), selector);
  return page.$eval(selector, (el) => el.dataset.basemap);
}

/** Waits for MapLibre to report drawn basemap features (after an `idle`); returns their count. */
async function drawnFeatures(page, selector) {
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.basemapFeatures) > 0, selector);
  return Number(await page.$eval(selector, (el) => el.dataset.basemapFeatures));
}

/**
 * The colours of the map's pixels with everything Leaflet draws over the basemap hidden
 * (trace, markers, controls): a screenshot of the map, decoded in the page. Resolves to
 * `{ colours, share }`: the number of distinct colours and the most frequent one's share.
 */
async function basemapColours(page, selector) {
  // Hidden through the elements' style (the server's policy refuses an inline style sheet).
  await page.$$eval(
    `${selector} :is(.leaflet-overlay-pane, .leaflet-marker-pane, .leaflet-shadow-pane, .leaflet-tooltip-pane, .leaflet-popup-pane, .leaflet-control-container)`,
    (els) => els.forEach((el) => el.style.setProperty('visibility', 'hidden', 'important')),
  );
  const png = await page.locator(selector).screenshot();
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const top = Math.max(...counts.values());
    return { colours: counts.size, share: top / (data.length / 4) };
  }, png.toString('base64'));
  return colours;
}

describe('Vector basemap (serve --demo): drawn online', () => {
  const env = new BrowserEnv('balade-pwa-vector-');
  let baseUrl = '';
  before(async () => {
    baseUrl = await env.setUp();
  });
  after(() => env.tearDown());

  test('the server announces a vector basemap and the sheet map draws it', async (t) => {
    const { context, page, errors } = await env.newPage(PHONE);
    try {
      const info = await env.apiJson(context, '/api/v1/basemap');
      assert.equal(info.kind, 'vector');
      assert.equal(info.tiles, '/tiles/{z}/{x}/{y}');
      assert.equal(info.prefetch, true);
      const circuit = await grandMorin(env, context);

      // A tile of the circuit's area is a Mapbox Vector Tile.
      const manifest = await env.apiJson(context, `/api/v1/circuits/${encodeURIComponent(circuit.id)}/offline?lang=fr`);
      const tileParts = manifest.parts.filter((p) => p.kind === 'tile');
      assert.ok(tileParts.length > 0, 'the offline package lists vector tiles');
      const res = await context.request.get(`${baseUrl}${tileParts[0].url}`);
      assert.equal(res.status(), 200);
      assert.equal(res.headers()['content-type'], VECTOR_TILE);

      const tileResponses = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/tiles/')) tileResponses.push(r);
      });
      const origins = new Set();
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.protocol === 'http:' || url.protocol === 'https:') origins.add(url.origin);
      });
      await page.goto(`${baseUrl}/#/circuits/${encodeURIComponent(circuit.id)}`);
      await page.getByRole('heading', { level: 1, name: circuit.name, exact: true }).waitFor();
      await showSheetMap(page);
      assert.equal(await basemapState(page, SHEET_MAP), 'vector');
      const features = await drawnFeatures(page, SHEET_MAP);
      t.diagnostic(`online: ${features} basemap features drawn, ${tileResponses.length} tile responses`);
      // MapLibre's canvas sits in the map, the trace above it.
      assert.equal(await page.locator(`${SHEET_MAP} .leaflet-gl-layer canvas`).count(), 1);
      assert.ok((await page.locator(`${SHEET_MAP} .leaflet-overlay-pane path`).count()) > 0, 'the trace is drawn');
      assert.equal(await page.getByText(NO_BASEMAP_NOTE).count(), 0);
      // Credits: the server's and the style's.
      const credits = page.locator(`${SHEET_MAP} .leaflet-control-attribution`);
      await credits.getByText('Protomaps').waitFor();
      assert.ok((await credits.textContent())?.includes(info.attribution), 'the server’s attribution is shown');
      // Tiles came from this origin, as vector tiles; nothing from another origin.
      assert.ok(tileResponses.some((r) => r.status() === 200 && r.headers()['content-type'] === VECTOR_TILE));
      assert.deepEqual([...origins], [baseUrl], 'every request goes to this origin');
      // The labels' fonts: this build's Noto Sans files, loaded.
      const fonts = await page.evaluate(() =>
        [...document.fonts].filter((f) => f.family.replace(/"/g, '').startsWith('Noto Sans') && f.status === 'loaded').map((f) => f.family),
      );
      assert.ok(fonts.length >= 3, `label fonts loaded: ${fonts.join(', ')}`);

      // Pixels: the basemap draws more than one colour under the (hidden) traces.
      const { colours, share } = await basemapColours(page, SHEET_MAP);
      t.diagnostic(`online: ${colours} colours, the most frequent covers ${(share * 100).toFixed(1)} %`);
      assert.ok(colours > 1, 'the map is not all one colour');
      assert.ok(share < 0.995, 'the basemap draws more than a background');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe('Vector basemap: offline package, server stopped', () => {
  const env = new BrowserEnv('balade-pwa-vector-offline-');
  let baseUrl = '';
  before(async () => {
    baseUrl = await env.setUp();
  });
  after(() => env.tearDown());

  test('the downloaded circuit draws its vector tiles with the server stopped', async (t) => {
    const { context, page, errors } = await env.newPage(PHONE);
    try {
      const circuit = await grandMorin(env, context);
      const manifest = await env.apiJson(context, `/api/v1/circuits/${encodeURIComponent(circuit.id)}/offline?lang=fr`);
      assert.equal(manifest.basemap?.kind, 'vector');
      const tileParts = manifest.parts.filter((p) => p.kind === 'tile');
      assert.ok(tileParts.length > 0);
      const tileBytes = tileParts.reduce((a, p) => a + p.bytes, 0);
      const totalBytes = manifest.parts.reduce((a, p) => a + p.bytes, 0);
      const zooms = [...new Set(tileParts.map((p) => Number(p.url.split('/')[2])))].sort((a, b) => a - b);
      t.diagnostic(
        `package of ${circuit.id}: ${totalBytes} bytes in ${manifest.parts.length} parts (manifest total_bytes ${manifest.total_bytes}); ` +
          `${tileParts.length} vector tiles, ${tileBytes} bytes, zooms ${zooms.join(',')}`,
      );

      await page.goto(`${baseUrl}/#/circuits/${encodeURIComponent(circuit.id)}`);
      await page.getByRole('heading', { level: 1, name: circuit.name, exact: true }).waitFor();
      await waitForServiceWorker(page);
      await page.getByRole('heading', { level: 1, name: circuit.name, exact: true }).waitFor();
      await showSheetMap(page);
      assert.equal(await basemapState(page, SHEET_MAP), 'vector');
      await drawnFeatures(page, SHEET_MAP);

      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      const record = await storedRecord(page, circuit.id);
      assert.equal(record.basemap?.kind, 'vector');
      const cached = await page.evaluate(async (cacheName) => {
        const cache = await caches.open(cacheName);
        const out = [];
        for (const req of await cache.keys()) {
          const res = await cache.match(req);
          out.push({ path: new URL(req.url).pathname, type: res?.headers.get('content-type') });
        }
        return out;
      }, `balade-offline-${circuit.id}`);
      const cachedTiles = cached.filter((c) => c.path.startsWith('/tiles/'));
      assert.equal(cachedTiles.length, tileParts.length, 'every vector tile of the package is in Cache Storage');
      for (const c of cachedTiles) assert.equal(c.type, VECTOR_TILE, `${c.path} type`);

      // The server goes away (the relay stays: connections to it fail). The HTTP cache is
      // emptied, so that only the service worker's caches can answer.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      await env.server.stop();
      const tileResponses = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/tiles/')) tileResponses.push(r);
      });
      const response = await page.reload();
      assert.ok(response?.fromServiceWorker(), 'the shell comes from the service worker');
      await page.getByRole('heading', { level: 1, name: circuit.name, exact: true }).waitFor();
      await page.getByText(/^Hors ligne : copie téléchargée le /).waitFor();
      await showSheetMap(page);
      assert.equal(await basemapState(page, SHEET_MAP), 'vector');
      // The package holds the tile zooms of the raster basemaps' rule (`offline_zooms`,
      // Leaflet's zooms); MapLibre's 512 px tiles are asked one zoom lower than Leaflet's.
      // When the opening view asks for a zoom the package lacks, zoom in to one it holds.
      const minZoom = zooms[0];
      const tileZoom = () => page.$eval(SHEET_MAP, (el) => Number(el.dataset.basemapTileZoom));
      await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.basemapTileZoom !== undefined, SHEET_MAP);
      const opening = await tileZoom();
      t.diagnostic(`offline: opening view asks for zoom ${opening} tiles, the package starts at ${minZoom}`);
      for (let z = opening; z < minZoom; z = await tileZoom()) {
        await page.locator(SHEET_MAP).getByRole('button', { name: 'Zoom avant' }).click();
        await page.waitForFunction(([sel, before]) => Number(document.querySelector(sel)?.dataset.basemapTileZoom) > before, [SHEET_MAP, z]);
      }
      const features = await drawnFeatures(page, SHEET_MAP);
      const wanted = new Set(tileParts.map((p) => p.url));
      const drawn = tileResponses.filter((r) => r.status() === 200);
      t.diagnostic(`offline: ${features} features drawn from ${drawn.length} cached tiles (${tileResponses.length} asked)`);
      assert.ok(drawn.length > 0, 'tiles were served offline');
      for (const r of tileResponses) assert.ok(r.fromServiceWorker(), `${r.url()} from the service worker`);
      for (const r of drawn) assert.ok(wanted.has(new URL(r.url()).pathname), `${r.url()} comes from the package`);
      assert.equal(await page.getByText(NO_BASEMAP_NOTE).count(), 0);
      const { colours } = await basemapColours(page, SHEET_MAP);
      assert.ok(colours > 1, 'the offline map is not all one colour');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe('No basemap (--basemap none)', () => {
  const env = new BrowserEnv('balade-pwa-vector-none-');
  let baseUrl = '';
  before(async () => {
    baseUrl = await env.setUp(['--basemap', 'none']);
  });
  after(() => env.tearDown());

  test('the maps say that no basemap is configured', async () => {
    const { context, page, errors } = await env.newPage(PHONE);
    try {
      const info = await env.apiJson(context, '/api/v1/basemap');
      assert.equal(info.tiles, null);
      const circuit = await grandMorin(env, context);
      await page.goto(`${baseUrl}/#/circuits/${encodeURIComponent(circuit.id)}`);
      await page.getByRole('heading', { level: 1, name: circuit.name, exact: true }).waitFor();
      await showSheetMap(page);
      assert.equal(await basemapState(page, SHEET_MAP), 'none');
      await page.locator(SHEET_MAP).getByText(NO_BASEMAP_NOTE).waitFor();
      assert.equal(await page.locator(`${SHEET_MAP} .leaflet-gl-layer`).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
