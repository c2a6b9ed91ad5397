// Browser test of the communes and intercommunalities: the two filter selects of the list
// (built from the API's facets) and the communes/intercommunalities shown on the cards and
// the sheet, against the real Balade server (demo data).
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root,
// or BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { facetChoices, formatCount, withCount } from '../src/format.js';
import { BrowserEnv, UI_TIMEOUT_MS } from './support/server.mjs';

const env = new BrowserEnv('balade-pwa-communes-');
let baseUrl = '';
const apiJson = (context, pathAndQuery) => env.apiJson(context, pathAndQuery);

const FONTAINEBLEAU = "Communauté d'agglomération du Pays de Fontainebleau";
const FONTAINEBLEAU_CIRCUITS = ['barbizon-apremont', 'franchard-gorges', 'moret-loing'];
const GRAND_MORIN = 'grand-morin-guerard-coulommiers';
const GRAND_MORIN_COMMUNES = ['Guérard', 'Pommeuse', 'Coulommiers'];
const COULOMMIERS_CA = "Communauté d'agglomération Coulommiers Pays de Brie";

/** Waits until the page holds exactly `n` circuit cards (<article> in <main>). */
async function waitForCardCount(page, n) {
  await page.waitForFunction((expected) => document.querySelectorAll('main article').length === expected, n, {
    timeout: UI_TIMEOUT_MS,
  });
}

/**
 * Polls `read()` until it deep-equals `expected` (the page updates after each response),
 * then asserts it: a mismatch still fails, with the last value read.
 */
async function eventually(read, expected, message) {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  let actual = await read();
  while (!isDeepEqual(actual, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    actual = await read();
  }
  assert.deepEqual(actual, expected, message);
}

function isDeepEqual(a, b) {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** [value, text] of every option of a select, the "all" option included. */
function options(select) {
  return select.locator('option').evaluateAll((els) => els.map((o) => [o.value, o.textContent.trim()]));
}

/** The options a facet should give: "all" first, then the values with their counts. */
function expectedOptions(allText, facet, current = '') {
  return [['', allText], ...facetChoices(facet, current).map((v) => [v, withCount(v, facet[v] ?? 0)])];
}

/** Names of the circuit cards shown, sorted. */
async function cardNames(page) {
  const names = await page.locator('main article h2').allInnerTexts();
  return names.map((n) => n.trim()).sort();
}

/** term → definition of a `dl.places` list. */
async function placesOf(locator) {
  return locator.locator('div').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector('dt').textContent.trim(), r.querySelector('dd').textContent.trim()])),
  );
}

describe('communes et intercommunalités', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('les filtres intercommunalité et commune suivent les facettes de l’API', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      const all = await apiJson(context, '/api/v1/circuits');
      assert.equal(all.facets.intercommunality[FONTAINEBLEAU], 3, 'demo data: 3 circuits in the Fontainebleau CA');
      assert.ok(Object.keys(all.facets.commune).length >= 5, 'demo data: several communes');
      const byId = new Map(all.features.map((f) => [f.properties.id, f.properties]));
      const fontainebleauNames = FONTAINEBLEAU_CIRCUITS.map((id) => {
        assert.ok(byId.has(id), `demo circuit ${id} is missing`);
        return byId.get(id).name;
      }).sort();

      const listRequests = [];
      page.on('request', (req) => {
        if (new URL(req.url()).pathname.endsWith('/api/v1/circuits')) listRequests.push(new URL(req.url()).searchParams);
      });

      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await waitForCardCount(page, all.features.length);

      // Each card names its communes (walking order) and intercommunalities, labelled.
      for (const f of all.features) {
        const p = f.properties;
        const card = page.locator('main article', { has: page.getByRole('heading', { level: 2, name: p.name, exact: true }) });
        const expected = {};
        if (p.communes.length) expected[p.communes.length === 1 ? 'Commune traversée' : 'Communes traversées'] = p.communes.join(', ');
        if (p.intercommunalities.length) {
          expected[p.intercommunalities.length === 1 ? 'Territoire' : 'Territoires'] = p.intercommunalities.join(', ');
        }
        assert.ok(Object.keys(expected).length > 0, `${p.id}: the demo circuit has communes`);
        assert.deepEqual(await placesOf(card.locator('dl.places')), expected, p.id);
      }

      // Both selects, in the filter sheet, are labelled and hold the facet values with their counts.
      await page.getByRole('button', { name: 'Filtres', exact: true }).click();
      const interco = page.getByRole('dialog', { name: 'Filtres' }).getByLabel('Territoire', { exact: true });
      const commune = page.getByRole('dialog', { name: 'Filtres' }).getByLabel('Commune', { exact: true });
      assert.equal(await interco.evaluate((el) => el.tagName), 'SELECT');
      assert.equal(await commune.evaluate((el) => el.tagName), 'SELECT');
      await eventually(() => options(interco), expectedOptions('Tous', all.facets.intercommunality), 'intercommunality options');
      await eventually(() => options(commune), expectedOptions('Toutes', all.facets.commune), 'commune options');
      assert.ok((await options(interco)).some(([v, text]) => v === FONTAINEBLEAU && text === `${FONTAINEBLEAU} (3)`));

      // Fontainebleau CA → exactly its 3 circuits, asked to the API, kept in the URL.
      await interco.selectOption(FONTAINEBLEAU);
      await waitForCardCount(page, 3);
      assert.deepEqual(await cardNames(page), fontainebleauNames);
      await page.getByText(formatCount(3), { exact: true }).waitFor();
      assert.ok(
        listRequests.some((s) => s.get('intercommunality') === FONTAINEBLEAU),
        `no list request with intercommunality=: ${listRequests.map(String).join(' | ')}`,
      );
      assert.equal(new URL(page.url()).hash, `#/?${new URLSearchParams({ intercommunality: FONTAINEBLEAU })}`);

      // The commune select now offers the communes of those circuits (facet under that filter).
      const inFontainebleau = await apiJson(context, `/api/v1/circuits?intercommunality=${encodeURIComponent(FONTAINEBLEAU)}`);
      assert.equal(inFontainebleau.total, 3);
      assert.ok(!('Provins' in inFontainebleau.facets.commune), 'Provins is not in the Fontainebleau CA');
      await eventually(() => options(commune), expectedOptions('Toutes', inFontainebleau.facets.commune), 'commune options under the filter');

      // Then a commune: both filters sent, the intercommunality choice kept.
      await commune.selectOption('Barbizon');
      const barbizon = await apiJson(
        context,
        `/api/v1/circuits?intercommunality=${encodeURIComponent(FONTAINEBLEAU)}&commune=Barbizon`,
      );
      assert.ok(barbizon.total >= 1 && barbizon.total < 3, `Barbizon: ${barbizon.total} circuits`);
      await waitForCardCount(page, barbizon.total);
      assert.deepEqual(await cardNames(page), barbizon.features.map((f) => f.properties.name).sort());
      assert.equal(await interco.inputValue(), FONTAINEBLEAU);
      assert.ok(listRequests.some((s) => s.get('commune') === 'Barbizon' && s.get('intercommunality') === FONTAINEBLEAU));
      const hash = new URLSearchParams(new URL(page.url()).hash.replace(/^#\/\?/, ''));
      assert.equal(hash.get('commune'), 'Barbizon');
      assert.equal(hash.get('intercommunality'), FONTAINEBLEAU);

      // From the URL: a commune outside the intercommunality stays chosen, with a count of 0.
      await page.goto(`${baseUrl}/#/?${new URLSearchParams({ intercommunality: FONTAINEBLEAU, commune: 'Provins' })}`);
      await page.getByText(formatCount(0), { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Filtres (2)', exact: true }).click();
      assert.equal(await page.locator('main article').count(), 0);
      assert.equal(await commune.inputValue(), 'Provins');
      assert.equal(await interco.inputValue(), FONTAINEBLEAU);
      const none = await apiJson(
        context,
        `/api/v1/circuits?intercommunality=${encodeURIComponent(FONTAINEBLEAU)}&commune=Provins`,
      );
      await eventually(() => options(commune), expectedOptions('Toutes', none.facets.commune, 'Provins'), 'commune options with Provins');
      assert.ok((await options(commune)).some(([v, text]) => v === 'Provins' && text === withCount('Provins', 0)));

      // Reset: all circuits, no filter.
      await page.getByRole('button', { name: 'Réinitialiser' }).click();
      await waitForCardCount(page, all.features.length);
      assert.equal(await interco.inputValue(), '');
      assert.equal(await commune.inputValue(), '');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('la fiche nomme les communes traversées et l’intercommunalité, en français et en anglais', async () => {
    for (const [locale, terms] of [
      ['fr-FR', { communes: 'Communes traversées', interco: 'Territoire', heading: 'Trouver un circuit', filters: 'Filtres' }],
      ['en-GB', { communes: 'Communes crossed', interco: 'Area', heading: 'Find a trail', filters: 'Filters' }],
    ]) {
      const { context, page, errors } = await env.newPage({ locale, serviceWorkers: 'block' });
      try {
        const lang = locale.slice(0, 2);
        const { properties } = await apiJson(context, `/api/v1/circuits/${GRAND_MORIN}?lang=${lang}`);
        assert.deepEqual(properties.communes, GRAND_MORIN_COMMUNES);
        assert.deepEqual(properties.intercommunalities, [COULOMMIERS_CA]);

        await page.goto(`${baseUrl}/#/circuits/${GRAND_MORIN}`);
        await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();
        const places = page.locator('.sheet__header dl.places');
        assert.deepEqual(await placesOf(places), {
          [terms.communes]: GRAND_MORIN_COMMUNES.join(', '),
          [terms.interco]: COULOMMIERS_CA,
        });
        // The terms and names are exposed as such to assistive technologies.
        assert.deepEqual(await places.getByRole('term').allInnerTexts(), [terms.communes, terms.interco]);
        assert.deepEqual(await places.getByRole('definition').allInnerTexts(), [GRAND_MORIN_COMMUNES.join(', '), COULOMMIERS_CA]);

        // The list, in the same language, labels its filters.
        await page.goto(`${baseUrl}/`);
        await page.getByRole('heading', { level: 1, name: terms.heading }).waitFor();
        await page.getByRole('button', { name: terms.filters, exact: true }).click();
        await page.getByLabel(terms.interco, { exact: true }).locator(`option[value="${COULOMMIERS_CA}"]`).waitFor({ state: 'attached' });
        await page.getByLabel('Commune', { exact: true }).locator('option[value="Guérard"]').waitFor({ state: 'attached' });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
});
