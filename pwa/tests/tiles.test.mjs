// End-to-end test of the basemap tiles against the real Balade server (demo data), fed by a
// tiny upstream tile server started here (solid-colour 256×256 PNG, requests counted):
// tiles on the list and sheet maps online, tiles in the offline download, and tiles drawn
// from Cache Storage once the network is off (the upstream is not asked again).
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
//
// Duplication: startServer/stopServer/newPage/waitForServiceWorker/storedRecord and the
// browser launch arguments are copied from offline.test.mjs (the browser tests share no
// helper module); startServer takes extra arguments here (--basemap, --tile-cache).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(__dirname, '../..');
const BIN = process.env.BALADE_BIN || path.join(REPO, 'target/debug/balade');
const PWA_DIR = path.join(REPO, 'pwa/dist');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const STARTUP_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 20_000;
const CIRCUIT = process.env.BALADE_OFFLINE_CIRCUIT || 'provins-remparts';
const NO_BASEMAP_NOTE = 'Aucun fond de carte configuré';

let server = null;
let serverExit = null;
let output = '';
let baseUrl = '';
let browser = null;
let tmp = null;
let upstream = null;

// --- Upstream tile server ----------------------------------------------------------------

// Minimal PNG encoder (RGBA 8 bits), mirrors scripts/make-icons.mjs (which writes files when
// imported, so it is not imported here).
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A width × height PNG of one colour [r, g, b]. */
function solidPng(width, height, [r, g, b]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const row = width * 4 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * row] = 0; // filter "None"
    for (let x = 0; x < width; x += 1) raw.set([r, g, b, 255], y * row + 1 + x * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

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

// --- Balade server (copied from offline.test.mjs, plus extra arguments) ------------------

/** Starts the server and waits for "listening on http://…" on stdout. */
function startServer(extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      BIN,
      ['serve', '--demo', '--addr', '127.0.0.1:0', '--db', `sqlite://${path.join(tmp, 'balade.db')}`, ...extraArgs],
      { cwd: REPO, env: { ...process.env, BALADE_PWA_DIR: PWA_DIR }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server = child;
    serverExit = new Promise((res) => child.once('exit', res));
    let settled = false;
    let buf = '';
    const finish = (err, url) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(url);
    };
    const timer = setTimeout(
      () => finish(new Error(`the server did not print "listening on" within ${STARTUP_TIMEOUT_MS / 1000} s.\nOutput:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const line of lines.concat(buf)) {
        const m = line.match(/listening on (http:\/\/[^\s]+)/);
        if (m) finish(null, m[1].replace(/\/+$/, ''));
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', (err) => finish(new Error(`cannot start ${BIN}: ${err.message}\nOutput:\n${output}`)));
    child.once('exit', (code, signal) => finish(new Error(`the server stopped before being ready (code ${code}, signal ${signal}).\nOutput:\n${output}`)));
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  let timer;
  const stopped = await Promise.race([
    serverExit.then(() => true),
    new Promise((res) => {
      timer = setTimeout(() => res(false), 5000);
    }),
  ]);
  clearTimeout(timer);
  if (!stopped) {
    server.kill('SIGKILL');
    await serverExit;
  }
}

process.on('exit', () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

async function apiJson(context, pathAndQuery) {
  const res = await context.request.get(`${baseUrl}${pathAndQuery}`);
  assert.equal(res.status(), 200, `GET ${pathAndQuery} → ${res.status()}`);
  return res.json();
}

async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  return { context, page, errors };
}

/** Waits until the service worker controls the page (reloads once if needed). */
async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const controlled = await page
    .waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 5000 })
    .then(
      () => true,
      () => false,
    );
  if (!controlled) {
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  }
}

/** The IndexedDB record of a downloaded circuit, as seen by the page (null when absent). */
function storedRecord(page, id) {
  return page.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('balade');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('circuits').objectStore('circuits').get(key);
          get.onsuccess = () => resolve(get.result ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
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
    if (!existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (run "cargo build" or set BALADE_BIN)`);
    if (!existsSync(path.join(PWA_DIR, 'index.html')) || !existsSync(path.join(PWA_DIR, 'sw.js'))) {
      throw new Error(`${PWA_DIR} incomplete: run "npm run build" in pwa/`);
    }
    tmp = mkdtempSync(path.join(tmpdir(), 'balade-pwa-tiles-'));
    upstream = await startUpstream();
    baseUrl = await startServer([
      '--basemap',
      `http://127.0.0.1:${upstream.port}/{z}/{x}/{y}.png`,
      '--tile-cache',
      path.join(tmp, 'tiles'),
    ]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer();
      await new Promise((res) => (upstream?.server ? upstream.server.close(res) : res()));
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

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
      await context.setOffline(true);
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
      await context.setOffline(false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
