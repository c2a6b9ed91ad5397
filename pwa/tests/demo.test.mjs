// End-to-end test of the PWA against the real Balade server (demo data).
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root,
// or BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DIFFICULTY_LABELS, formatCount, formatDuration, formatLength, typeLabel, withCount } from '../src/format.js';
import { themeLabel } from '../src/themes.js';
import { BrowserEnv, UI_TIMEOUT_MS } from './support/server.mjs';

const env = new BrowserEnv('balade-pwa-test-');
let baseUrl = '';
const newPage = () => env.newPage();
const apiJson = (context, pathAndQuery) => env.apiJson(context, pathAndQuery);

/** Waits until the page holds exactly `n` circuit cards (<article> in <main>). */
async function waitForCardCount(page, n) {
  await page.waitForFunction((expected) => document.querySelectorAll('main article').length === expected, n, {
    timeout: UI_TIMEOUT_MS,
  });
}

describe('PWA Balade sur les données de démonstration', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('la liste affiche les circuits de démonstration et leurs départs sur la carte', async () => {
    const { context, page, errors } = await newPage();
    try {
      const api = await apiJson(context, '/api/v1/circuits');
      assert.ok(api.features.length >= 6, `au moins 6 circuits de démo attendus, l'API en renvoie ${api.features.length}`);
      const withStart = api.features.filter((f) => f.geometry?.type === 'Point').length;

      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await waitForCardCount(page, api.features.length);
      const articles = page.getByRole('main').getByRole('article');
      assert.ok((await articles.count()) >= 6);
      await page.getByText(formatCount(api.total), { exact: true }).waitFor();

      // Each card has a level-2 heading that links to the sheet.
      for (const f of api.features) {
        const link = page.getByRole('heading', { level: 2, name: f.properties.name, exact: true }).getByRole('link');
        assert.equal(await link.getAttribute('href'), `#/circuits/${encodeURIComponent(f.properties.id)}`);
      }

      // One marker (Leaflet keyboard button) per start point, on the map view.
      await page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Carte' }).click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon').length === n,
        withStart,
      );
      assert.equal(await page.getByRole('button', { name: /^Départ : / }).count(), withStart);
      // The demo's own vector basemap (no --basemap): drawn under the markers, no "no
      // basemap" note (that one: tests/vector-basemap.test.mjs, with --basemap none).
      await page.locator('.map--list[data-basemap="vector"][data-basemap-features]').waitFor();
      assert.equal(await page.getByText('Aucun fond de carte configuré').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('la fiche d’un circuit montre ses chiffres, sa trace et son profil', async () => {
    const { context, page, errors } = await newPage();
    try {
      const api = await apiJson(context, '/api/v1/circuits');
      // First demo circuit with an elevation profile.
      let chosen = null;
      let profile = null;
      for (const f of api.features) {
        const p = await apiJson(context, `/api/v1/circuits/${encodeURIComponent(f.properties.id)}/profile`);
        if (Array.isArray(p) && p.length >= 2) {
          chosen = f;
          profile = p;
          break;
        }
      }
      assert.ok(chosen, 'aucun circuit de démo n’a de profil altimétrique');
      const { id, name } = chosen.properties;
      const detail = await apiJson(context, `/api/v1/circuits/${encodeURIComponent(id)}`);

      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 2, name, exact: true }).getByRole('link').click();
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      assert.equal(new URL(page.url()).hash, `#/circuits/${encodeURIComponent(id)}`);

      const figures = page.locator('dl.figures--sheet');
      const figureValue = (term) =>
        figures.locator('div', { has: page.getByText(term, { exact: true }) }).getByRole('definition');
      assert.equal((await figureValue('Distance').innerText()).trim(), formatLength(detail.properties.length_m));
      assert.equal((await figureValue('Durée').innerText()).trim(), formatDuration(detail.properties.duration_min));

      // The trace is drawn by Leaflet (SVG).
      await page.waitForFunction(() => document.querySelectorAll('.leaflet-overlay-pane path').length >= 1);

      // Elevation profile: accessible SVG holding a line.
      const svg = page.getByRole('img', { name: new RegExp(`^Profil altimétrique : `) });
      await svg.waitFor();
      assert.ok((await svg.locator('path.profile-line').count()) >= 1);
      const d = await svg.locator('path.profile-line').getAttribute('d');
      assert.ok(d && d.split('L').length >= 2, 'le profil doit contenir une ligne');

      // Points of interest along the way, in order of distance.
      const pois = detail.properties.pois_along || [];
      if (pois.length) {
        const items = page.locator('ol.pois > li');
        assert.equal(await items.count(), pois.length);
        const sorted = [...pois].sort((a, b) => a.distance_m - b.distance_m);
        assert.equal((await items.first().getByRole('heading', { level: 3 }).innerText()).trim(), sorted[0].name);
      }

      // Landscape units crossed, as the API names them (every demo circuit crosses one).
      const units = detail.properties.landscapes || [];
      assert.ok(units.length >= 1, 'the demo circuit crosses a landscape unit');
      const unitList = page.getByRole('region', { name: 'Paysages traversés' }).getByRole('listitem');
      assert.deepEqual(await unitList.allInnerTexts(), units.map((u) => u.name));

      // Download links.
      for (const [format, label] of [
        ['gpx', 'GPX'],
        ['kml', 'KML'],
        ['geojson', 'GeoJSON'],
      ]) {
        const link = page.getByRole('link', { name: `Télécharger en ${label}` });
        const href = await link.getAttribute('href');
        assert.equal(href, `api/v1/circuits/${encodeURIComponent(id)}/download?format=${format}`);
        const res = await context.request.get(new URL(href, `${baseUrl}/`).href);
        assert.equal(res.status(), 200, `téléchargement ${format} → ${res.status()}`);
      }

      // Back to the list, then an unknown id.
      await page.getByRole('link', { name: /Retour à la liste/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await page.goto(`${baseUrl}/#/circuits/circuit-qui-n-existe-pas`);
      await page.getByRole('heading', { level: 1, name: 'Circuit introuvable' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('un filtre restreint la liste', async () => {
    const { context, page, errors } = await newPage();
    try {
      const all = await apiJson(context, '/api/v1/circuits');
      // A type present but not everywhere (preferably "one_way").
      const counts = new Map();
      for (const f of all.features) counts.set(f.properties.type, (counts.get(f.properties.type) || 0) + 1);
      const candidates = ['one_way', 'return', 'loop'].filter((t) => counts.get(t) > 0 && counts.get(t) < all.features.length);
      assert.ok(candidates.length, 'les circuits de démo devraient avoir des types variés');
      const type = candidates[0];
      const filtered = await apiJson(context, `/api/v1/circuits?type=${type}`);
      assert.ok(filtered.total < all.total, `type=${type} devrait donner moins de circuits que sans filtre`);
      assert.ok(filtered.features.length >= 1);

      await page.goto(`${baseUrl}/`);
      await waitForCardCount(page, all.features.length);
      await page.getByRole('button', { name: 'Filtres', exact: true }).click();
      const sheet = page.getByRole('dialog', { name: 'Filtres' });
      await sheet.getByRole('group', { name: 'Type de circuit' }).locator(`button[data-value="${type}"]`).click();
      await page.getByText(formatCount(filtered.total), { exact: true }).waitFor();
      await waitForCardCount(page, filtered.features.length);

      const articles = page.getByRole('main').getByRole('article');
      const n = await articles.count();
      assert.ok(n < all.features.length);
      for (let i = 0; i < n; i += 1) {
        assert.ok((await articles.nth(i).innerText()).includes(typeLabel(type)), `la carte ${i} devrait indiquer « ${typeLabel(type)} »`);
      }
      assert.match(new URL(page.url()).hash, new RegExp(`type=${type}`));
      await sheet.getByRole('button', { name: 'Voir les circuits' }).click();
      await page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Carte' }).click();
      await page.waitForFunction(
        (expected) => document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon').length === expected,
        filtered.features.filter((f) => f.geometry?.type === 'Point').length,
      );

      // Facet counts: with type=<type>, each difficulty chip shows the API's count for it;
      // a value with no circuit is not offered.
      assert.ok(filtered.facets?.difficulty, 'la réponse devrait contenir facets.difficulty');
      await page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Liste' }).click();
      await page.getByRole('button', { name: 'Filtres (1)', exact: true }).click();
      const difficultyChips = sheet.getByRole('group', { name: 'Difficulté', exact: true });
      for (const [value, label] of Object.entries(DIFFICULTY_LABELS)) {
        const n = filtered.facets.difficulty[value] ?? 0;
        const chip = difficultyChips.locator(`button[data-value="${value}"]`);
        if (n === 0) {
          assert.equal(await chip.count(), 0, `difficulty ${value}: no circuit, no chip`);
          continue;
        }
        assert.equal((await chip.textContent()).trim(), withCount(label, n));
      }
      // Themes: chips of the facet's themes (translated labels) with their counts.
      const themeChips = sheet.getByRole('group', { name: 'Thème', exact: true });
      const [themeName, themeCount] = Object.entries(filtered.facets.theme || {})[0] || [];
      if (themeName) {
        const chip = themeChips.locator(`button[data-value=${JSON.stringify(themeName)}]`);
        assert.equal((await chip.textContent()).trim(), withCount(themeLabel(themeName), themeCount));
        await chip.click();
        const withTheme = await apiJson(context, `/api/v1/circuits?type=${type}&theme=${encodeURIComponent(themeName)}`);
        await page.getByText(formatCount(withTheme.total), { exact: true }).waitFor();
        assert.match(new URL(page.url()).hash, /theme=/);
      }

      // Reset brings back the whole list.
      await page.getByRole('button', { name: 'Réinitialiser' }).click();
      await waitForCardCount(page, all.features.length);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('la coquille de l’application fonctionne hors ligne après une visite', async () => {
    const { context, page, errors } = await newPage();
    try {
      const all = await apiJson(context, '/api/v1/circuits');
      const first = all.features[0].properties;

      await page.goto(`${baseUrl}/`);
      await waitForCardCount(page, all.features.length);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      const controlled = await page
        .waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 5000 })
        .then(() => true, () => false);
      if (!controlled) {
        await page.reload();
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      }
      // A visit controlled by the service worker also caches the API responses.
      await page.reload();
      await waitForCardCount(page, all.features.length);
      await page.goto(`${baseUrl}/#/circuits/${encodeURIComponent(first.id)}`);
      await page.getByRole('heading', { level: 1, name: first.name, exact: true }).waitFor();
      await page.getByRole('img', { name: /^Profil altimétrique : / }).or(page.getByText(/Profil altimétrique indisponible/)).waitFor();
      await page.goto(`${baseUrl}/#/`);
      await waitForCardCount(page, all.features.length);

      await env.cutNetwork();
      const response = await page.reload();
      assert.ok(response, 'le rechargement devrait produire une réponse');
      assert.ok(response.fromServiceWorker(), 'index.html devrait venir du service worker');
      const banner = page.getByRole('banner');
      await banner.getByRole('link', { name: 'Balade' }).waitFor();
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await page.getByText(/Vous êtes hors ligne/).waitFor();
      // Circuits already seen stay visible, served from the API cache.
      await waitForCardCount(page, all.features.length);
      await page.getByText(/Hors ligne : résultats enregistrés/).waitFor();
      await page.getByRole('heading', { level: 2, name: first.name, exact: true }).getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: first.name, exact: true }).waitFor();

      // The network is back: the next answer from the server hides the banner.
      await env.restoreNetwork();
      await page.goto(`${baseUrl}/#/`);
      await waitForCardCount(page, all.features.length);
      await page.getByText(/Vous êtes hors ligne/).waitFor({ state: 'hidden' });
      assert.equal(await page.getByText(/Hors ligne : résultats enregistrés/).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await env.restoreNetwork();
      await context.close();
    }
  });
});
