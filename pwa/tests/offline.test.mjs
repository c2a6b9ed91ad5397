// End-to-end test of the walker's offline journey against the real Balade server (demo data):
// download a circuit, find it in #/offline, cut the network, reload, open it from the offline
// copy, then follow it in guidance mode with a replayed walk (POI cards, off-route alert,
// progress). A second test covers a full disk, then updates (only the changed part) and
// deletes the copy from #/offline.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH). Skipped, with
// the reason, when the server has no offline manifest endpoint yet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { guideInput } from '../src/guide-data.js';
import { createGuide } from '../src/guidance.js';
import { storedRecord, waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const CIRCUIT = process.env.BALADE_OFFLINE_CIRCUIT || 'provins-remparts';
const STEP_M = 20;
const DETOUR_M = 80;

const env = new BrowserEnv('balade-pwa-offline-');
let baseUrl = '';
const newPage = (options) => env.newPage(options);
const apiJson = (context, pathAndQuery) => env.apiJson(context, pathAndQuery);

/** SHA-256 in lowercase hex, as the manifest gives it. */
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Names of the offline caches left in the page's origin. */
const offlineCaches = (page) => page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('balade-offline-')));

// --- A replayed walk -------------------------------------------------------------------

const R = 6371008.8;
const RAD = Math.PI / 180;

/** Local plane around the trace's first point. */
function plane(origin) {
  const cos = Math.cos(origin[1] * RAD);
  return {
    to: ([lon, lat]) => [(lon - origin[0]) * RAD * cos * R, (lat - origin[1]) * RAD * R],
    from: ([x, y]) => [origin[0] + x / (RAD * cos * R), origin[1] + y / (RAD * R)],
  };
}

/** Points every `step` metres along the trace, each with its along distance and direction. */
function samples(segments, step) {
  const pts = segments.flat();
  const pl = plane(pts[0]);
  const out = [];
  let along = 0;
  for (const seg of segments) {
    const xy = seg.map(pl.to);
    for (let i = 1; i < xy.length; i += 1) {
      const [ax, ay] = xy[i - 1];
      const [bx, by] = xy[i];
      const len = Math.hypot(bx - ax, by - ay);
      if (len === 0) continue;
      const dir = [(bx - ax) / len, (by - ay) / len];
      let d = out.length === 0 ? 0 : Math.ceil(along / step) * step - along;
      for (; d < len; d += step) out.push({ along: along + d, xy: [ax + dir[0] * d, ay + dir[1] * d], dir });
      along += len;
    }
  }
  return { pl, out };
}

const fix = (pl, xy) => {
  const [lon, lat] = pl.from(xy);
  return { lon, lat, accuracy: 5 };
};

/** Runs fixes through a fresh guide: the events (with their fix index) and the last progress. */
function simulate(input, fixes) {
  const g = createGuide(input);
  const events = [];
  fixes.forEach((f, i) => {
    for (const e of g.update(f)) events.push({ fix: i, ...e });
  });
  return { events, progress: g.progress() };
}

/**
 * From the start past the second POI (and at least 300 m), then DETOUR_M metres to the left
 * of the trace for 4 fixes, back on the trace, and a few more fixes. The detour moves further
 * along until the guide (run here in Node) reports off_route during it and back_on_route
 * after it. Returns the fixes and what the guide makes of them.
 */
function planWalk(guide) {
  const { pl, out } = samples(guide.segments, STEP_M);
  const input = guideInput(guide);
  const onTrace = out.map((s) => ({ ...fix(pl, s.xy), role: 'trace' }));
  const all = simulate(input, onTrace);
  const second = all.events.filter((e) => e.type === 'poi')[1];
  assert.ok(second, 'the walk should pass at least two POIs');
  let k = second.fix;
  while (k < out.length && out[k].along < Math.max(out[second.fix].along + 60, 300)) k += 1;
  for (; k + 8 < out.length; k += 5) {
    const fixes = onTrace.slice(0, k + 1);
    for (let j = 1; j <= 4; j += 1) {
      const s = out[k + j];
      const left = [-s.dir[1], s.dir[0]];
      fixes.push({ ...fix(pl, [s.xy[0] + left[0] * DETOUR_M, s.xy[1] + left[1] * DETOUR_M]), role: 'detour' });
    }
    for (let j = 5; j <= 8; j += 1) fixes.push({ ...onTrace[k + j], role: 'back' });
    const run = simulate(input, fixes);
    const off = run.events.filter((e) => e.type === 'off_route');
    const back = run.events.filter((e) => e.type === 'back_on_route');
    if (off.length === 1 && fixes[off[0].fix].role === 'detour' && back.length === 1 && fixes[back[0].fix].role === 'back') {
      return { fixes, ...run };
    }
  }
  assert.fail('no place on the trace gives a clean detour');
}

describe('Walker on the trail, offline', () => {
  before(async () => {
    env.prepare();
    baseUrl = await env.startServer();
    const probe = await fetch(`${baseUrl}/api/v1/circuits/${CIRCUIT}/offline?lang=fr`);
    const guideProbe = await fetch(`${baseUrl}/api/v1/circuits/${CIRCUIT}/guide`);
    if (probe.status !== 200 || guideProbe.status !== 200) {
      throw new Error(`server answers no offline manifest / guide (offline → ${probe.status}, guide → ${guideProbe.status})`);
    }
    await env.launchBrowser();
  });

  after(() => env.tearDown());

  test('download, reload with the network off, open the offline copy, follow it with guidance', async (t) => {
    const { context, page, errors } = await newPage({ permissions: ['geolocation'] });
    try {
      const sheet = await apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const guide = await apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const manifest = await apiJson(context, `/api/v1/circuits/${CIRCUIT}/offline?lang=fr`);
      const name = sheet.properties.name;
      const walk = planWalk(guide);
      const poiEvents = walk.events.filter((e) => e.type === 'poi');
      const offAt = walk.events.find((e) => e.type === 'off_route')?.fix;
      const backAt = walk.events.find((e) => e.type === 'back_on_route')?.fix;
      assert.ok(poiEvents.length >= 2, 'the planned walk should reach two POIs');
      assert.ok(offAt !== undefined && walk.fixes[offAt].role === 'detour', 'the detour should raise off_route');
      assert.ok(backAt !== undefined && walk.fixes[backAt].role === 'back', 'coming back should raise back_on_route');
      t.diagnostic(
        `${walk.fixes.length} fixes; POIs ${poiEvents.map((e) => `${e.id}@${e.fix}`).join(', ')}; off_route @${offAt}, back_on_route @${backAt}`,
      );
      await context.setGeolocation({ latitude: walk.fixes[0].lat, longitude: walk.fixes[0].lon, accuracy: 5 });

      // Online: open the sheet and download it.
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await waitForServiceWorker(page);
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      const stored = await storedRecord(page, CIRCUIT);
      assert.equal(stored.version, manifest.version);
      const jsonParts = manifest.parts.filter((p) => p.kind !== 'tile' && p.kind !== 'media').map((p) => p.url);
      assert.deepEqual(Object.keys(stored.parts).sort(), [...jsonParts].sort());

      // The downloaded circuits page lists it.
      await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Téléchargés' }).click();
      await page.getByRole('heading', { level: 1, name: 'Circuits téléchargés' }).waitFor();
      const item = page.locator('.offline-item', { has: page.getByRole('heading', { level: 2, name, exact: true }) });
      await item.waitFor();
      // Its size and date, never its version hash (meaningless to walkers).
      assert.match(await item.innerText(), / · téléchargé le /);
      assert.ok(!(await item.innerText()).includes(manifest.version.slice(0, 8)), 'no version hash shown');
      await item.getByRole('link', { name: `Ouvrir ${name}` }).waitFor();

      // Network off, full reload, open the circuit: the offline copy.
      await env.cutNetwork();
      const response = await page.reload();
      assert.ok(response?.fromServiceWorker(), 'the shell should come from the service worker');
      await page.getByRole('heading', { level: 1, name: 'Circuits téléchargés' }).waitFor();
      await item.getByRole('link', { name: `Ouvrir ${name}` }).click();
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await page.getByText(/^Hors ligne : copie téléchargée le /).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.leaflet-overlay-pane path.trace').length >= 1);
      await page.getByRole('img', { name: /^Profil altimétrique : / }).waitFor();
      assert.equal(await page.locator('ol.pois > li').count(), sheet.properties.pois_along.length);

      // Guidance, still offline.
      await page.getByRole('button', { name: 'Démarrer le guidage' }).click();
      await page.getByRole('heading', { level: 1, name: `Guidage : ${name}` }).waitFor();
      const fixCount = (n) =>
        page.waitForFunction((k) => Number(document.querySelector('.guide')?.dataset.fixes) >= k, n);
      const doneM = () => page.evaluate(() => Number(document.querySelector('.guide').dataset.doneM));
      // Walking order: the cards already seen (collapsed list), then the newest, open one.
      const cardIds = () =>
        page.evaluate(() =>
          [...document.querySelectorAll('.guide__seen .poi-card'), ...document.querySelectorAll('.guide__current .poi-card')].map((e) => e.dataset.poiId),
        );
      const alert = page.getByRole('alert').filter({ hasText: 'Vous vous écartez du parcours' });

      await fixCount(1);
      const firstDone = await doneM();
      let midDone = null;
      for (let i = 1; i < walk.fixes.length; i += 1) {
        const f = walk.fixes[i];
        await context.setGeolocation({ latitude: f.lat, longitude: f.lon, accuracy: f.accuracy });
        await fixCount(i + 1);
        const expected = poiEvents.filter((e) => e.fix <= i).map((e) => e.id);
        assert.deepEqual(await cardIds(), expected, `POI cards after fix ${i}`);
        if (f.role === 'detour' && i < offAt) assert.equal(await alert.count(), 0, 'no alert before the third off fix');
        if (i === offAt) {
          await alert.waitFor();
          assert.match(await alert.innerText(), /^Vous vous écartez du parcours : à \d+ m, direction (nord|nord-est|est|sud-est|sud|sud-ouest|ouest|nord-ouest)$/);
        }
        if (i === backAt) await alert.waitFor({ state: 'detached' });
        if (f.role === 'detour' && midDone === null) midDone = await doneM();
      }
      assert.ok(midDone > firstDone, `distance done should grow (${firstDone} → ${midDone})`);
      const lastDone = await doneM();
      assert.ok(lastDone > midDone, `distance done should keep growing (${midDone} → ${lastDone})`);
      assert.ok(Math.abs(lastDone - walk.progress.done_m) < 1, 'same progress as the guide in Node');
      t.diagnostic(`distance done: ${firstDone} → ${midDone} → ${lastDone} m`);

      // Cards: walking order, each once, with the POI's name and text.
      const ids = await cardIds();
      assert.deepEqual(ids, poiEvents.map((e) => e.id));
      assert.equal(new Set(ids).size, ids.length);
      const firstPoi = guide.pois.find((p) => p.id === ids[0]);
      // Only the newest card is open: the first one is under "Déjà vus (N)".
      if (ids.length > 1) await page.locator('details.guide__seen summary').filter({ hasText: `Déjà vus (${ids.length - 1})` }).click();
      const card = page.getByRole('dialog', { name: firstPoi.name });
      await card.waitFor();
      const description = sheet.properties.pois_along.find((p) => p.id === ids[0])?.description;
      if (description) await card.getByText(description.split('\n')[0].slice(0, 40)).waitFor();

      // Figures and stop.
      const figures = page.locator('dl.guide__progress');
      assert.match(await figures.innerText(), /Parcouru[\s\S]*Restant[\s\S]*Temps restant estimé[\s\S]*Prochain point/);
      await page.getByRole('button', { name: 'Arrêter' }).click();
      await page.getByText('Guidage arrêté.').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await env.restoreNetwork();
      await context.close();
    }
  });

  test('a full disk leaves nothing behind; the downloaded circuits page updates and deletes a copy', async (t) => {
    // No service worker here, so that page.route() sees the app's requests.
    const { context, page, errors } = await newPage({ serviceWorkers: 'block' });
    try {
      const sheet = await apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const name = sheet.properties.name;
      await page.goto(`${baseUrl}/#/offline`);
      await page.getByText('Aucun circuit téléchargé.').waitFor();
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();

      // A full disk: a clear message, nothing stored.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: baseUrl, quotaSize: 1 });
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByRole('alert').filter({ hasText: 'Espace de stockage insuffisant' }).waitFor();
      await page.getByText('Ce circuit n’est pas disponible hors ligne.').waitFor();
      assert.equal(await storedRecord(page, CIRCUIT), null);
      assert.deepEqual(await offlineCaches(page), []);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: baseUrl });

      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      assert.equal(await page.getByRole('alert').filter({ hasText: 'Espace de stockage insuffisant' }).count(), 0);
      await page.goto(`${baseUrl}/#/offline`);
      await page.getByText('1 circuit téléchargé', { exact: true }).waitFor();
      // Up to date: said, and no update offered.
      await page.getByText('Déjà à jour.').waitFor();
      assert.equal(await page.getByRole('button', { name: `Mettre à jour ${name}` }).isVisible(), false);

      // The profile changes on the server: only that part is fetched again (and checked
      // against its new size and SHA-256).
      const profileUrl = `/api/v1/circuits/${CIRCUIT}/profile`;
      const profile = await apiJson(context, profileUrl);
      const changedProfile = JSON.stringify(profile.map(([d, e], i) => (i === 0 ? [d, e + 1] : [d, e])));
      let changedVersion = null;
      await page.route(/\/offline\?lang=fr$/, async (route) => {
        const response = await route.fetch();
        const m = await response.json();
        m.version = changedVersion = `0000${m.version.slice(4)}`;
        Object.assign(m.parts.find((part) => part.kind === 'profile'), { bytes: Buffer.byteLength(changedProfile), hash: sha256(changedProfile) });
        await route.fulfill({ response, json: m });
      });
      await page.route(`**${profileUrl}`, (route) => route.fulfill({ contentType: 'application/json', body: changedProfile }));
      // The server's version now differs: the page offers the update.
      await page.reload();
      await page.getByText('Une mise à jour est disponible.').waitFor();
      const requested = [];
      const onRequest = (req) => requested.push(new URL(req.url()).pathname);
      page.on('request', onRequest);
      await page.getByRole('button', { name: `Mettre à jour ${name}` }).click();
      await page.getByText('Mis à jour : 1 partie téléchargée.').waitFor();
      page.off('request', onRequest);
      assert.deepEqual(requested, [`/api/v1/circuits/${CIRCUIT}/offline`, `/api/v1/circuits/${CIRCUIT}/profile`]);
      assert.equal((await storedRecord(page, CIRCUIT)).version, changedVersion);
      assert.doesNotMatch(await page.locator('main').innerText(), /[0-9a-f]{12,}/, 'no version hash shown');
      assert.deepEqual((await storedRecord(page, CIRCUIT)).parts[profileUrl], JSON.parse(changedProfile));
      await page.unroute(/\/offline\?lang=fr$/);
      await page.unroute(`**${profileUrl}`);

      // Online, the copy stands in for a failing server, not for a circuit the server says is gone.
      const sheetUrl = new RegExp(`/api/v1/circuits/${CIRCUIT}\\?lang=fr$`);
      await page.route(sheetUrl, (route) => route.fulfill({ status: 503, json: { error: 'busy' } }));
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await page.getByText(/^Hors ligne : copie téléchargée le /).waitFor();
      await page.unroute(sheetUrl);
      await page.route(sheetUrl, (route) => route.fulfill({ status: 404, json: { error: 'no such circuit' } }));
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Circuit introuvable' }).waitFor();
      await page.unroute(sheetUrl);
      await page.goto(`${baseUrl}/#/offline`);
      await page.getByRole('button', { name: `Supprimer ${name}` }).click();
      await page.getByText('Aucun circuit téléchargé.').waitFor();
      assert.equal(await storedRecord(page, CIRCUIT), null);
      assert.deepEqual(await offlineCaches(page), []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('an incomplete download stores nothing; guidance also works online without a download', async (t) => {
    const { context, page, errors } = await newPage({ serviceWorkers: 'block', permissions: ['geolocation'] });
    try {
      const sheet = await apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const guide = await apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const name = sheet.properties.name;
      const walk = planWalk(guide);
      const first = walk.fixes[0];
      const firstPois = walk.events.filter((e) => e.fix === 0 && e.type === 'poi').map((e) => e.id);

      // The manifest announces a bigger guide than what arrives: refused, nothing kept.
      await page.route(/\/offline\?lang=fr$/, async (route) => {
        const response = await route.fetch();
        const m = await response.json();
        m.parts.find((part) => part.kind === 'guide').bytes += 1000;
        await route.fulfill({ response, json: m });
      });
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByRole('alert').filter({ hasText: /^Téléchargement incomplet : / }).waitFor();
      assert.equal(await storedRecord(page, CIRCUIT), null);
      assert.deepEqual(await offlineCaches(page), []);
      await page.unroute(/\/offline\?lang=fr$/);

      // The manifest announces the right size but another SHA-256 for the last part: the
      // part is refused by name, nothing kept.
      let altered = '';
      await page.route(/\/offline\?lang=fr$/, async (route) => {
        const response = await route.fetch();
        const m = await response.json();
        const last = m.parts.at(-1);
        last.hash = `${last.hash.slice(0, -1)}${last.hash.endsWith('0') ? '1' : '0'}`;
        altered = last.url;
        await route.fulfill({ response, json: m });
      });
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      const corrupt = page.getByRole('alert').filter({ hasText: /^Téléchargement altéré : / });
      await corrupt.waitFor();
      assert.equal(await corrupt.innerText(), `Téléchargement altéré : ${altered} ne correspond pas à l’empreinte SHA-256 annoncée par le serveur. Réessayez.`);
      await page.getByText('Ce circuit n’est pas disponible hors ligne.').waitFor();
      assert.equal(await storedRecord(page, CIRCUIT), null);
      assert.deepEqual(await offlineCaches(page), []);
      await page.unroute(/\/offline\?lang=fr$/);

      // The local write is aborted without an error (what a browser may do under pressure):
      // a clear message, nothing kept, the download can be tried again.
      await page.evaluate(() => {
        const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function abortAfterPut(...args) {
          IDBObjectStore.prototype.put = put;
          const request = put.apply(this, args);
          request.addEventListener('success', () => this.transaction.abort());
          return request;
        };
      });
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByRole('alert').filter({ hasText: /^Écriture locale annulée : le circuit n’a pas été enregistré\./ }).waitFor();
      await page.getByText('Ce circuit n’est pas disponible hors ligne.').waitFor();
      assert.equal(await storedRecord(page, CIRCUIT), null);
      assert.deepEqual(await offlineCaches(page), []);
      assert.equal(await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).isEnabled(), true);

      // Guidance from the API.
      await context.setGeolocation({ latitude: first.lat, longitude: first.lon, accuracy: 5 });
      await page.getByRole('button', { name: 'Démarrer le guidage' }).click();
      await page.getByRole('heading', { level: 1, name: `Guidage : ${name}` }).waitFor();
      await page.waitForFunction(() => Number(document.querySelector('.guide')?.dataset.fixes) >= 1);
      assert.equal(await page.getByText('Guidage depuis la copie hors ligne.').count(), 0);
      const ids = await page.$$eval('.poi-card', (els) => els.map((e) => e.dataset.poiId));
      assert.deepEqual(ids, firstPois);
      for (const id of firstPois) {
        const poi = await apiJson(context, `/api/v1/pois/${encodeURIComponent(id)}`);
        const card = page.getByRole('dialog', { name: poi.properties.name });
        if (poi.properties.description) await card.getByText(poi.properties.description.slice(0, 30)).waitFor();
      }
      await page.getByRole('button', { name: 'Arrêter' }).click();
      await page.getByText('Guidage arrêté.').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
