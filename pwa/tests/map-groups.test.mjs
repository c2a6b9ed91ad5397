// Browser tests of the grouping of close markers on the sheet's map (issue 17: 44 px
// markers must not cover each other). The circuit's points of interest are replaced, in the
// API's answer, by two made-up ones a few metres apart far from the start, so that what is
// grouped does not depend on the demo data.
//
// Needs `npm run build` (dist/) and the server binary (BALADE_BIN). Chromium: /usr/bin/chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BrowserEnv } from './support/server.mjs';

const CIRCUIT = 'provins-remparts';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const env = new BrowserEnv('balade-pwa-map-groups-');
let baseUrl = '';

/** The point of the trace farthest from its start (so that no POI meets the start's pin). */
function farPoint(geometry) {
  const line = geometry.type === 'MultiLineString' ? geometry.coordinates.flat() : geometry.coordinates;
  const [x0, y0] = line[0];
  return line.reduce((best, p) => (Math.hypot(p[0] - x0, p[1] - y0) > Math.hypot(best[0] - x0, best[1] - y0) ? p : best));
}

/**
 * Opens the sheet with the circuit's points of interest replaced by two, `apartM` metres
 * apart east–west at the trace's farthest point. Resolves to the page and the two names.
 */
async function openSheetWithTwoPois(apartM) {
  const { context, page, errors } = await env.newPage({ ...PHONE, serviceWorkers: 'block' });
  const names = ['Lavoir du Durteint', 'Moulin de la Ruelle'];
  await page.route(
    (url) => url.pathname === `/api/v1/circuits/${CIRCUIT}`,
    async (route) => {
      const response = await route.fetch();
      const circuit = await response.json();
      const [lon, lat] = farPoint(circuit.geometry);
      const dLon = apartM / (111_320 * Math.cos((lat * Math.PI) / 180));
      circuit.properties.pois_along = names.map((name, i) => ({
        id: `test:${i}`,
        name,
        kind: 'heritage',
        lon: lon + (i - 0.5) * dLon,
        lat,
        distance_m: 2000 + i * apartM,
      }));
      await route.fulfill({ response, json: circuit });
    },
  );
  await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
  // On a phone the map loads as it nears the screen.
  await page.locator('.map--sheet').scrollIntoViewIfNeeded();
  await page.locator('.map--sheet .leaflet-marker-icon').first().waitFor();
  return { context, page, errors, names };
}

/** The accessible names (titles) of the markers drawn on the sheet's map. */
const markerNames = (page) =>
  page.locator('.map--sheet .leaflet-marker-pane .leaflet-marker-icon').evaluateAll((els) => els.map((e) => e.getAttribute('title')));

describe('close markers on the sheet’s map', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });
  after(() => env.tearDown());

  test('two close points of interest are one marker with their count; Enter on it splits them; zooming out groups them again', async () => {
    const { context, page, errors, names } = await openSheetWithTwoPois(60);
    try {
      const map = page.getByRole('region', { name: /^Carte du circuit/ });
      const group = map.getByRole('button', { name: '2 points d’intérêt', exact: true });
      await group.waitFor();
      assert.equal((await group.textContent())?.trim(), '2', 'the group shows the count');
      const before = await markerNames(page);
      assert.ok(!before.some((n) => n?.startsWith('1. ') || n?.startsWith('2. ')), `the two markers are not drawn apart: ${before}`);

      await group.focus();
      await page.keyboard.press('Enter');
      const first = map.getByRole('button', { name: `1. ${names[0]} (Patrimoine)`, exact: true });
      const second = map.getByRole('button', { name: `2. ${names[1]} (Patrimoine)`, exact: true });
      await first.waitFor();
      await second.waitFor();
      assert.equal(await group.count(), 0, 'the group is gone once split');
      // Activated from the keyboard: the focus went on to the first of them.
      await page.waitForFunction(() => document.activeElement?.getAttribute('title')?.startsWith('1. '));
      // Their 44 px icons no longer overlap.
      const [a, b] = await Promise.all([first.boundingBox(), second.boundingBox()]);
      assert.ok(a && b);
      assert.ok(Math.abs(a.x - b.x) >= 44 || Math.abs(a.y - b.y) >= 44, `icons overlap: ${JSON.stringify([a, b])}`);

      // Zoomed out far enough, they are one again.
      for (let i = 0; i < 3; i += 1) {
        await map.getByRole('button', { name: 'Zoom arrière' }).click();
        await page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim'));
      }
      await group.waitFor();
      assert.equal(await first.count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('“Voir sur la carte” before the map is loaded: the map loads and shows the point’s popup', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, serviceWorkers: 'block' });
    try {
      const { properties } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const first = [...properties.pois_along].sort((a, b) => a.distance_m - b.distance_m)[0];
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.locator('.sheet__summary').waitFor();
      assert.equal(await page.locator('.map--sheet.leaflet-container').count(), 0, 'no map yet on the first screen');
      await page.getByRole('button', { name: `Voir sur la carte : ${first.name}`, exact: true }).click();
      // The first point is next to the start: zoomed in until it stands alone, its popup open.
      await page.locator('.map--sheet .leaflet-popup strong', { hasText: `1. ${first.name}` }).waitFor();
      assert.equal(await page.getByRole('button', { name: new RegExp(`^1\\. ${first.name}`) }).count(), 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a click on a group of points at the same place lists them; “Voir sur la carte” opens one', async () => {
    const { context, page, errors, names } = await openSheetWithTwoPois(0.5);
    try {
      const map = page.getByRole('region', { name: /^Carte du circuit/ });
      const group = map.getByRole('button', { name: '2 points d’intérêt', exact: true });
      await group.click();
      // No zoom can split them: the list of the group.
      const popup = page.locator('.map--sheet .leaflet-popup');
      await popup.waitFor();
      assert.deepEqual(
        await popup.locator('li').allTextContents(),
        names.map((n, i) => `${i + 1}. ${n} (Patrimoine)`),
      );

      // From the list of the sheet: the map shows where it is (still grouped: the list).
      await page.getByRole('button', { name: `Voir sur la carte : ${names[1]}`, exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll('.map--sheet .leaflet-popup li').length === 2);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
