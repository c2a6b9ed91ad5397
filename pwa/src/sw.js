/* Balade's service worker.
 * Template: at build time, the plugin in vite.config.js replaces the two markers below
 * (precache list = Vite's output + the public/ folder, version = hash of their content)
 * and writes the result to dist/sw.js. The application does not import this file.
 *
 * Strategies:
 *  - application shell (index.html, built JS/CSS, manifest, icons): versioned precache,
 *    served from the cache first;
 *  - /api/: network first, falling back to the last cached response (marked
 *    "x-balade-from-cache: 1"), else a 503 JSON;
 *  - basemap tiles (/tiles/, raster images or vector tiles): cache first from any cache
 *    (the "balade-offline-<id>" caches of downloaded circuits included), else the network,
 *    else a 404 (Leaflet, or MapLibre for vector tiles, then leaves an empty square);
 *  - the vector basemap's code (MapLibre, its worker, the label fonts): built files,
 *    precached with the shell like every file the app's pages reach;
 *  - media of downloaded circuits: from their "balade-offline-<id>" cache (cache first,
 *    like every other non-API request);
 *  - on activation, old "balade-*" caches are deleted (never "balade-offline-*");
 *  - Background Sync ('sync' event, tag "balade-outbox"): sends the walker's contributions
 *    waiting in IndexedDB with the page's own code (outbox.js, bundled in at build time);
 *  - the back-office (the /admin page, the files only it uses, the staff API under
 *    /api/v1/auth/ and /api/v1/admin/): not answered here, so never cached nor served
 *    from a cache; the browser goes to the network as if there were no worker.
 */
import { flushOutbox, SYNC_TAG } from './outbox.js';

const VERSION = '__BALADE_SW_VERSION__';
/** @type {string[]} */
const PRECACHE = /* __BALADE_PRECACHE__ */ [];
/** The back-office's own built files (its page included). @type {string[]} */
const STAFF_ONLY = /* __BALADE_STAFF_ONLY__ */ [];

/**
 * This worker's global scope, with its service-worker events typed (the `webworker` lib
 * types `self` as any worker's, whose `typeof globalThis` part the cast must go around).
 */
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const SHELL_CACHE = `balade-shell-${VERSION}`;
const API_CACHE = 'balade-api-v1';
const API_CACHE_MAX_ENTRIES = 200;

const SCOPE = new URL(sw.registration.scope);
const API_PREFIX = new URL('api/', SCOPE).pathname;
const TILES_PREFIX = '/tiles/';
const INDEX_URL = new URL('./', SCOPE).href;
const INDEX_HTML_URL = new URL('index.html', SCOPE).href;
const ADMIN_PAGE = new URL('admin', SCOPE).pathname;
const STAFF_FILES = new Set(STAFF_ONLY.map((path) => new URL(path, SCOPE).pathname));
const STAFF_API = ['api/v1/auth/', 'api/v1/admin/'].map((path) => new URL(path, SCOPE).pathname);

/** A request of the back-office, which this worker leaves alone. @param {string} path */
function forStaff(path) {
  return (
    path === ADMIN_PAGE ||
    path.startsWith(`${ADMIN_PAGE}/`) ||
    STAFF_FILES.has(path) ||
    STAFF_API.some((prefix) => path.startsWith(prefix))
  );
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // "reload": do not take a stale copy from the HTTP cache.
      await cache.addAll(PRECACHE.map((path) => new Request(new URL(path, SCOPE), { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, API_CACHE]);
      const names = await caches.keys();
      // Downloaded circuits (balade-offline-<id>) belong to the user: never removed here.
      const stale = (n) => n.startsWith('balade-') && !n.startsWith('balade-offline-') && !keep.has(n);
      await Promise.all(names.filter(stale).map((n) => caches.delete(n)));
      await sw.clients.claim();
    })(),
  );
});

// The network is back (or the browser retries): send the outbox, then tell the open pages.
// A rejection makes the browser try again later (network failure, 5xx, 429).
sw.addEventListener('sync', (event) => {
  const sync = /** @type {ExtendableEvent & { tag: string }} */ (/** @type {unknown} */ (event));
  if (sync.tag !== SYNC_TAG) return;
  sync.waitUntil(
    (async () => {
      const result = await flushOutbox({ base: sw.registration.scope });
      const pages = await sw.clients.matchAll({ type: 'window' });
      for (const page of pages) page.postMessage({ type: 'balade-outbox', sent: result.sent.length, rejected: result.rejected.length });
      if (result.left > 0) throw new Error('outbox: some items wait for the network');
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return;
  if (forStaff(url.pathname)) return;

  if (url.pathname.startsWith(API_PREFIX)) {
    event.respondWith(networkFirst(event));
  } else if (url.pathname.startsWith(TILES_PREFIX)) {
    event.respondWith(tile(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(navigation(request, url));
  } else {
    event.respondWith(cacheFirst(event));
  }
});

/** An answer made here because the network failed: marked so that the app knows it is offline. */
function jsonError(status, message) {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-balade-from-cache': '1' },
  });
}

async function trimApiCache(cache) {
  const keys = await cache.keys();
  const excess = keys.length - API_CACHE_MAX_ENTRIES;
  for (let i = 0; i < excess; i += 1) await cache.delete(keys[i]);
}

async function networkFirst(event) {
  const { request } = event;
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      const copy = response.clone();
      event.waitUntil(
        cache
          .delete(request)
          .then(() => cache.put(request, copy))
          .then(() => trimApiCache(cache))
          .catch(() => {}),
      );
    }
    return response;
  } catch {
    const cached = await cache.match(request);
    if (!cached) {
      // The app sends its language with the requests whose answer it shows (`lang`).
      const en = new URL(request.url).searchParams.get('lang') === 'en';
      return jsonError(
        503,
        en
          ? 'Offline: this data has not been viewed on this device yet.'
          : 'Hors ligne : ces données n’ont pas encore été consultées sur cet appareil.',
      );
    }
    const headers = new Headers(cached.headers);
    headers.set('x-balade-from-cache', '1');
    return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
  }
}

async function navigation(request, url) {
  const cache = await caches.open(SHELL_CACHE);
  const isShell = url.href.split('#')[0].split('?')[0];
  if (isShell === INDEX_URL || isShell === INDEX_HTML_URL) {
    const cached = (await cache.match(INDEX_URL)) || (await cache.match(INDEX_HTML_URL));
    if (cached) return cached;
  }
  try {
    return await fetch(request);
  } catch {
    const shell = (await cache.match(INDEX_URL)) || (await cache.match(INDEX_HTML_URL));
    return shell || Response.error();
  }
}

async function cacheFirst(event) {
  const { request } = event;
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Built resources (versioned names) not precached: keep them too.
  if (response.ok && response.type === 'basic' && new URL(request.url).pathname.startsWith(new URL('assets/', SCOPE).pathname)) {
    const copy = response.clone();
    event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.put(request, copy)).catch(() => {}));
  }
  return response;
}

/**
 * A basemap tile (an image, or a vector tile asked by MapLibre's worker): any cache first
 * (downloaded circuits' caches included), then the network. `ignoreVary`: a tile is the
 * same whatever the request's headers (the server's `Vary` names encodings and CORS).
 */
async function tile(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  try {
    return await fetch(request);
  } catch {
    return jsonError(404, 'Tuile absente : hors ligne et pas de copie sur cet appareil.');
  }
}
