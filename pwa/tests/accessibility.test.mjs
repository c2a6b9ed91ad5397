// Accessibility audit of the PWA's pages with axe-core (WCAG 2.0/2.1 A and AA rules, see
// support/axe.mjs), against the real Balade server (demo data). A page fails on any
// "serious" or "critical" violation; moderate and minor ones are only reported as diagnostics.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root,
// or BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv } from './support/server.mjs';

const CIRCUIT = 'provins-remparts';

const env = new BrowserEnv('balade-pwa-a11y-');
let baseUrl = '';

describe('accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('circuit list', async (t) => {
    const { context, page, errors } = await env.newPage(AUDITED);
    try {
      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await page.locator('main article').first().waitFor();
      await audit(t, page, 'list');
      // The map of start points, behind the list/map toggle.
      await page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Carte' }).click();
      await page.locator('.leaflet-marker-pane .leaflet-marker-icon').first().waitFor();
      await page.locator('.map[data-basemap]').waitFor();
      await audit(t, page, 'list (map)');
      // The filter sheet open.
      await page.getByRole('button', { name: 'Filtres', exact: true }).click();
      await page.getByRole('dialog', { name: 'Filtres' }).getByRole('button', { name: /^Facile \(/ }).waitFor();
      await audit(t, page, 'list with the filter sheet open');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('circuit sheet, then the downloaded circuits page', async (t) => {
    const { context, page, errors } = await env.newPage(AUDITED);
    try {
      const { properties } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();
      await page.locator('.leaflet-overlay-pane path.trace').first().waitFor();
      await page.locator('.map[data-basemap]').waitFor();
      await page.getByRole('img', { name: /^Profil altimétrique : / }).or(page.getByText(/Profil altimétrique indisponible/)).waitFor();
      await audit(t, page, 'sheet');
      // Map markers are named by their title, not by the bare number drawn on them: a point
      // of interest "1. Tour César (Patrimoine)", the start, or a group of markers that would
      // overlap ("3 points d’intérêt", "2 points : Départ et arrivée, 1 point d’intérêt").
      const names = await page
        .locator('.map--sheet .leaflet-marker-pane .leaflet-marker-icon')
        .evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
      for (const name of names) {
        assert.match(name, /^(\d+\. .+ \(.+\)|Départ( et arrivée)?|Arrivée|\d+ points d’intérêt|\d+ points : .+)$/, `marker named "${name}"`);
      }
      // Every point is on the map, on its own or counted in a group (start and finish: 1 or 2).
      const drawn = names.reduce((sum, name) => sum + Number(name.match(/^(\d+) points/)?.[1] ?? 1), 0);
      const located = properties.pois_along.filter((p) => Number.isFinite(p.lon) && Number.isFinite(p.lat)).length;
      assert.ok(drawn === located + 1 || drawn === located + 2, `${drawn} points drawn for ${located} points of interest: ${names}`);

      // A popup open on the map (its close button, its content): a marker of its own (a
      // group zooms in instead).
      await page.locator('.map--sheet .leaflet-marker-pane .leaflet-marker-icon:not(.dot--group)').first().click();
      // Once Leaflet's fade-in is over (axe would measure a half-transparent text).
      await page.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
      await audit(t, page, 'sheet with a map popup');

      // Download it, so that the offline page lists one circuit with its buttons.
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Téléchargés' }).click();
      await page.getByRole('heading', { level: 1, name: 'Circuits téléchargés' }).waitFor();
      await page.getByRole('link', { name: `Ouvrir ${properties.name}` }).waitFor();
      await audit(t, page, 'offline list');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('guidance, with a point of interest reached', async (t) => {
    const { context, page, errors } = await env.newPage({ ...AUDITED, permissions: ['geolocation'] });
    try {
      const { properties } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const poi = guide.pois[0];
      const { properties: poiProps } = await env.apiJson(context, `/api/v1/pois/${encodeURIComponent(poi.id)}`);
      // Standing on the first point of interest: its card opens on the first fix.
      await context.setGeolocation({ latitude: poi.lat, longitude: poi.lon, accuracy: 5 });
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}/guide`);
      await page.getByRole('heading', { level: 1, name: `Guidage : ${properties.name}` }).waitFor();
      await page.waitForFunction(() => Number(document.querySelector('.guide')?.dataset.fixes) >= 1);
      await page.locator('.poi-card').first().waitFor();
      if (poiProps.description) await page.locator('.poi-card__body p').first().waitFor();
      await page.locator('.map[data-basemap]').waitFor();
      await audit(t, page, 'guide');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
