// End-to-end test of the basemap tiles against the real Balade server (demo data), fed by a
// tiny upstream tile server started here (solid-colour 256×256 PNG, requests counted):
// tiles on the list and sheet maps online, tiles in the offline download, and tiles drawn
// from Cache Storage once the network is off (the upstream is not asked again).
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { solidPng } from '../scripts/png.mjs';
import { storedRecord, waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const CIRCUIT = process.env.BALADE_OFFLINE_CIRCUIT || 'provins-remparts';
const NO_BASEMAP_NOTE = 'Aucun fond de carte configuré';

const env = new BrowserEnv('balade-pwa-tiles-');
let baseUrl = '';
let upstream = null;
const newPage = (options) => env.newPage(options);
const apiJson = (context, pathAndQuery) => env.apiJson(context, pathAndQuery);

// --- Upstream tile server ----------------------------------------------------------------

const TILE_PNG = solidPng(256, 256, [0xd8, 0xe8, 0xc8]);

/** Upstream tiles on 127.0.0.1:<random port>: `/{z}/{x}/{y}.png`, every request counted. */
function startUpstream() {
  const state = { requests: 0, paths: [], server: null, port: 0 };
  state.server = http.createServer((req, res) => {
    state.requests += 1;
    state.paths.push(req.url);
    const m = /^\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url || '');
    // 1/0/0 is the one tile this upstream does not have (the maps never go below zoom 3).
    const ok = m && Number(m[2]) < 2 ** Number(m[1]) && Number(m[3]) < 2 ** Number(m[1]) && req.url !== '/1/0/0.png';
    if (req.method !== 'GET' || !ok) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no tile');
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': TILE_PNG.length });
    res.end(TILE_PNG);
  });
  return new Promise((resolve, reject) => {
    state.server.once('error', reject);
    state.server.listen(0, '127.0.0.1', () => {
      state.port = state.server.address().port;
      resolve(state);
    });
  });
}

// --- Tiles in the page -------------------------------------------------------------------

/**
 * Waits until the map in `selector` shows at least one loaded tile, then returns the paths
 * of its loaded tiles (image decoded: naturalWidth > 0).
 */
async function loadedTiles(page, selector) {
  await page.waitForFunction(
    (sel) =>
      [...document.querySelectorAll(`${sel} .leaflet-tile-pane img.leaflet-tile-loaded`)].some((img) => img.naturalWidth > 0),
    selector,
  );
  return page.$$eval(`${selector} .leaflet-tile-pane img.leaflet-tile-loaded`, (imgs) =>
    imgs.filter((img) => img.naturalWidth > 0).map((img) => ({ path: new URL(img.src).pathname, width: img.naturalWidth })),
  );
}

/** Waits until the map has chosen its background ('tiles' or 'none'). */
async function basemapState(page, selector) {
  await page.waitForFunction((sel) => Boolean(document.querySelector(sel)?.dataset.basemap), selector);
  return page.$eval(selector, (el) => el.dataset.basemap);
}

const SHEET_MAP = '[role="region"][aria-label^="Carte du circuit "]';
const LIST_MAP = '[role="region"][aria-label="Carte des points de départ des circuits"]';
const GUIDE_MAP = '[role="region"][aria-label^="Carte du guidage sur "]';

describe('Basemap tiles, online and offline', () => {
  before(async () => {
    const tmp = env.prepare();
    upstream = await startUpstream();
    baseUrl = await env.startServer([
      '--basemap',
      `http://127.0.0.1:${upstream.port}/{z}/{x}/{y}.png`,
      '--tile-cache',
      path.join(tmp, 'tiles'),
    ]);
    await env.launchBrowser();
  });

  after(() => env.tearDown(() => new Promise((res) => (upstream?.server ? upstream.server.close(res) : res()))));

  test('the server announces its basemap and serves upstream tiles same-origin', async () => {
    const { context } = await newPage({ serviceWorkers: 'block' });
    try {
      const info = await apiJson(context, '/api/v1/basemap');
      assert.equal(info.tiles, '/tiles/{z}/{x}/{y}');
      // A tile no other check asks for: fetched from the upstream once, then from the disk.
      const before = upstream.requests;
      for (let i = 0; i < 2; i += 1) {
        const res = await context.request.get(`${baseUrl}/tiles/5/16/11`);
        assert.equal(res.status(), 200);
        assert.match(res.headers()['content-type'] || '', /^image\/png/);
        assert.match(res.headers()['cache-control'] || '', /max-age=86400/);
        assert.deepEqual(Buffer.from(await res.body()), TILE_PNG);
      }
      assert.equal(upstream.requests, before + 1, 'one upstream request for two fetches');
      // A tile the upstream does not have: 404 JSON.
      const missing = await context.request.get(`${baseUrl}/tiles/1/0/0`);
      assert.equal(missing.status(), 404);
      assert.equal(typeof (await missing.json()).error, 'string');
    } finally {
      await context.close();
    }
  });

  test('tiles on the maps, downloaded with the circuit, drawn from the cache with the network off', async (t) => {
    const { context, page, errors } = await newPage();
    try {
      const sheet = await apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const manifest = await apiJson(context, `/api/v1/circuits/${CIRCUIT}/offline?lang=fr`);
      const name = sheet.properties.name;
      const tileParts = manifest.parts.filter((p) => p.kind === 'tile');
      assert.ok(tileParts.length > 0, 'the offline manifest lists tile parts');
      assert.ok(tileParts.every((p) => /^\/tiles\/\d+\/\d+\/\d+$/.test(p.url)), 'tile parts are /tiles/z/x/y');
      assert.equal(manifest.basemap?.tiles, '/tiles/{z}/{x}/{y}');
      t.diagnostic(`${tileParts.length} tile parts, zooms ${manifest.basemap.min_zoom}-${manifest.basemap.max_zoom}`);

      // (a) Online: the list and the sheet draw tiles, no "no basemap" note.
      await page.goto(`${baseUrl}/#/`);
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      // The list's map is behind the list/map toggle.
      await page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Carte' }).click();
      assert.equal(await basemapState(page, LIST_MAP), 'tiles');
      const listTiles = await loadedTiles(page, LIST_MAP);
      assert.ok(listTiles.length > 0);
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await waitForServiceWorker(page);
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      assert.equal(await basemapState(page, SHEET_MAP), 'tiles');
      const online = await loadedTiles(page, SHEET_MAP);
      assert.ok(online.length > 0, 'the sheet map shows loaded tiles');
      assert.ok(online.every((tile) => tile.width === 256 && tile.path.startsWith('/tiles/')));
      assert.equal(await page.getByText(NO_BASEMAP_NOTE).count(), 0);
      assert.ok(upstream.requests > 0, 'the server fetched tiles from the upstream');
      assert.ok(await page.locator(`${SHEET_MAP} .leaflet-control-attribution`).getByText('Fond de carte').count());
      // The traces stay above the tiles.
      assert.equal(await page.locator(`${SHEET_MAP} .leaflet-overlay-pane path.trace`).count() > 0, true);

      // (b) Download: the tile parts land in Cache Storage.
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      const record = await storedRecord(page, CIRCUIT);
      assert.equal(record.basemap?.tiles, '/tiles/{z}/{x}/{y}');
      assert.equal(record.manifest.filter((p) => p.kind === 'tile').length, tileParts.length);
      const cached = await page.evaluate(async (cacheName) => {
        const cache = await caches.open(cacheName);
        const out = [];
        for (const req of await cache.keys()) {
          const res = await cache.match(req);
          out.push({ path: new URL(req.url).pathname, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength });
        }
        return out;
      }, `balade-offline-${CIRCUIT}`);
      const cachedPaths = new Set(cached.map((c) => c.path));
      for (const part of tileParts) assert.ok(cachedPaths.has(part.url), `${part.url} in Cache Storage`);
      for (const c of cached.filter((e) => e.path.startsWith('/tiles/'))) {
        assert.equal(c.bytes, TILE_PNG.length, `${c.path} size`);
        assert.match(c.type || '', /^image\/png/);
      }

      // (c) Network off, reload, open the downloaded circuit: tiles from the cache only.
      // The HTTP cache (tiles are max-age=86400) is emptied, so that only Cache Storage can
      // answer.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      const upstreamBefore = upstream.requests;
      const tileResponses = [];
      page.on('response', (res) => {
        if (new URL(res.url()).pathname.startsWith('/tiles/')) tileResponses.push(res);
      });
      await env.cutNetwork();
      const response = await page.reload();
      assert.ok(response?.fromServiceWorker(), 'the shell should come from the service worker');
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await page.getByText(/^Hors ligne : copie téléchargée le /).waitFor();
      assert.equal(await basemapState(page, SHEET_MAP), 'tiles');
      const offline = await loadedTiles(page, SHEET_MAP);
      assert.ok(offline.length > 0, 'the offline sheet map shows loaded tiles');
      const wanted = new Set(tileParts.map((p) => p.url));
      for (const tile of offline) assert.ok(wanted.has(tile.path), `${tile.path} comes from the download`);
      assert.ok(tileResponses.length > 0);
      for (const res of tileResponses) assert.ok(res.fromServiceWorker(), `${res.url()} from the service worker`);
      assert.equal(await page.getByText(NO_BASEMAP_NOTE).count(), 0);
      t.diagnostic(`tiles loaded: online ${online.length}, offline ${offline.length}`);

      // The guidance map too, still offline.
      await page.getByRole('button', { name: 'Démarrer le guidage' }).click();
      await page.getByRole('heading', { level: 1, name: `Guidage : ${name}` }).waitFor();
      assert.equal(await basemapState(page, GUIDE_MAP), 'tiles');
      const guideTiles = await loadedTiles(page, GUIDE_MAP);
      for (const tile of guideTiles) assert.ok(wanted.has(tile.path), `${tile.path} comes from the download`);
      await page.getByRole('button', { name: 'Arrêter' }).click();

      assert.equal(upstream.requests, upstreamBefore, 'no upstream request while offline');
      assert.deepEqual(errors, []);
    } finally {
      await env.restoreNetwork();
      await context.close();
    }
  });
});
