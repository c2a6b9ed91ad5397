// Browser test of the open-data page (/donnees, /data): it lists the exports of
// GET /api/v1/exports with their sizes, each link downloads, the licence is linked, the
// filters are explained with an example that answers; English with the walkers' language
// choice; axe-core; the walkers' footer leads there; the server's CSP never gets in the way.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from '../src/format.js';
import { setLang } from '../src/i18n.js';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv } from './support/server.mjs';

const LABELS = {
  fr: { geojson: 'GeoJSON', gpx: 'GPX', csv: 'CSV', 'schema-randonnee': 'Schéma national des itinéraires de randonnée' },
  en: { geojson: 'GeoJSON', gpx: 'GPX', csv: 'CSV', 'schema-randonnee': 'French national hiking trail schema' },
};
const EXAMPLE = '/api/v1/exports/geojson?commune=77379';

const env = new BrowserEnv('balade-pwa-data-');
let baseUrl = '';

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();

/** The size the page should show for `bytes` in `lang`. */
function sizeIn(lang, bytes) {
  setLang(lang);
  return plain(formatBytes(bytes));
}

/** Asserts the table shows every export of `catalogue` with its label and size in `lang`. */
async function assertTable(page, catalogue, lang) {
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), catalogue.exports.length);
  assert.equal(catalogue.exports.length, 4);
  for (const e of catalogue.exports) {
    const row = page.locator(`tr[data-format="${e.format}"]`);
    assert.equal(plain(await row.locator('th').textContent()), LABELS[lang][e.format], e.format);
    assert.equal(plain(await row.locator('td').nth(1).textContent()), sizeIn(lang, e.bytes), e.format);
    assert.equal(await row.getByRole('link').getAttribute('href'), e.url, e.format);
    assert.equal(new Date(await row.locator('time').getAttribute('datetime')).getTime(), new Date(e.modified).getTime(), e.format);
  }
}

describe('open-data page (/donnees)', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('lists the exports with their sizes, each link downloads, the licence is linked', async () => {
    const { context, page, errors } = await env.newPage({ acceptDownloads: true });
    try {
      const catalogue = await env.apiJson(context, '/api/v1/exports');
      await page.goto(`${baseUrl}/donnees`);
      await page.getByRole('heading', { level: 1, name: 'Données ouvertes' }).waitFor();
      await page.getByRole('table', { name: 'Fichiers publiés' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
      await assertTable(page, catalogue, 'fr');

      for (const e of catalogue.exports) {
        const link = page.locator(`tr[data-format="${e.format}"]`).getByRole('link');
        assert.equal(plain(await link.textContent()), `Télécharger (${LABELS.fr[e.format]})`);
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        assert.equal(await download.failure(), null, e.format);
        const res = await context.request.get(`${baseUrl}${e.url}`);
        assert.equal(res.status(), 200, e.url);
        assert.equal((await res.body()).length, e.bytes, e.url);
      }

      const licence = page.getByRole('link', { name: catalogue.licence.name, exact: true });
      assert.equal(await licence.getAttribute('href'), catalogue.licence.url);
      await page.getByText('?commune= (code INSEE ou nom)', { exact: false }).waitFor();
      await page.getByText('?intercommunality= (SIREN ou nom)', { exact: false }).waitFor();
      const example = page.getByRole('link', { name: EXAMPLE, exact: true });
      assert.equal(await example.getAttribute('href'), EXAMPLE);
      const filtered = await context.request.get(`${baseUrl}${EXAMPLE}`);
      assert.equal(filtered.status(), 200);
      assert.ok((await filtered.json()).features.length > 0);

      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('/data is the same page; English with the walkers’ language choice, kept on reload', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      const catalogue = await env.apiJson(context, '/api/v1/exports');
      await page.goto(`${baseUrl}/data`);
      await page.getByRole('table', { name: 'Fichiers publiés' }).waitFor();
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('heading', { level: 1, name: 'Open data' }).waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('balade.lang')), 'en');

      await page.reload();
      await page.getByRole('table', { name: 'Published files' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      assert.deepEqual(await page.locator('thead th').allTextContents(), ['Format', 'File', 'Size', 'Updated on']);
      await assertTable(page, catalogue, 'en');
      const first = catalogue.exports[0];
      const expectedDay = new Date(first.modified).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
      assert.equal(await page.locator(`tr[data-format="${first.format}"] time`).textContent(), expectedDay);
      await page.getByRole('link', { name: 'Download (GPX)', exact: true }).waitFor();
      await page.getByText('?commune= (INSEE code or name)', { exact: false }).waitFor();
      await page.getByRole('link', { name: catalogue.licence.name, exact: true }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the walkers’ footer links to the page', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await page.getByRole('contentinfo').getByRole('link', { name: 'Données ouvertes', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Données ouvertes' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/donnees');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('passes axe in French and in English', async (t) => {
    const { context, page } = await env.newPage(AUDITED);
    try {
      await page.goto(`${baseUrl}/donnees`);
      await page.getByRole('table', { name: 'Fichiers publiés' }).waitFor();
      await audit(t, page, 'open data (fr)');
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('table', { name: 'Published files' }).waitFor();
      await audit(t, page, 'open data (en)');
    } finally {
      await context.close();
    }
  });
});
