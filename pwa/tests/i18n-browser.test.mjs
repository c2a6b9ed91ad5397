// Browser test of the language of the app's own texts: the browser's preferred language,
// the FR/EN switch in the header, and the saved choice (localStorage `balade.lang`); a
// circuit downloaded in the app's language when the browser prefers another one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storedRecord } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const env = new BrowserEnv('balade-pwa-i18n-');
let baseUrl = '';

describe('language of the app', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('an English browser gets English texts; the switch goes to French and is kept', async () => {
    const { context, page, errors } = await env.newPage({ locale: 'en-GB', serviceWorkers: 'block' });
    try {
      const apiRequests = [];
      page.on('request', (req) => {
        if (req.url().includes('/api/v1/circuits')) apiRequests.push(req.url());
      });
      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Find a trail' }).waitFor();
      await page.getByRole('button', { name: 'Search', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Filters', exact: true }).click();
      await page.getByRole('dialog', { name: 'Filters' }).getByRole('button', { name: 'Reset', exact: true }).waitFor();
      await page.getByRole('dialog', { name: 'Filters' }).getByRole('button', { name: 'Close', exact: true }).click();
      await page.getByRole('link', { name: 'Downloaded', exact: true }).waitFor();
      await page.getByText(/^\d+ trails$/).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      const select = page.getByLabel('Langue / Language');
      assert.equal(await select.inputValue(), 'en');
      // The list asks the API for its content in English.
      assert.ok(apiRequests.some((u) => new URL(u).searchParams.get('lang') === 'en'), apiRequests.join('\n'));

      // The switch: French at once, focus kept on the switch.
      await select.focus();
      await select.selectOption('fr');
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      await page.getByRole('button', { name: 'Rechercher', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Téléchargés', exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
      assert.equal(await page.evaluate(() => localStorage.getItem('balade.lang')), 'fr');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'lang-select');

      // The saved choice wins over the browser's language after a reload.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      assert.equal(await page.getByLabel('Langue / Language').inputValue(), 'fr');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');

      // A sheet in English: its headings follow.
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('heading', { level: 1, name: 'Find a trail' }).waitFor();
      await page.getByRole('main').getByRole('article').first().getByRole('link').click();
      await page.getByRole('heading', { level: 2, name: 'Key figures' }).waitFor();
      await page.getByRole('button', { name: 'Start guidance' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('an English app on a French browser downloads the circuit in English', async () => {
    const { context, page, errors } = await env.newPage({ locale: 'fr-FR', serviceWorkers: 'block' });
    try {
      const res = await context.request.get(`${baseUrl}/api/v1/circuits/provins-remparts?lang=en`);
      assert.equal(res.status(), 200);
      const sheet = await res.json();
      await page.goto(`${baseUrl}/#/circuits/provins-remparts`);
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('button', { name: 'Download for offline use' }).click();
      await page.getByText(/^Trail downloaded for offline use on /).waitFor();
      const record = await storedRecord(page, 'provins-remparts');
      assert.deepEqual(record.parts['/api/v1/circuits/provins-remparts?lang=en'], sheet);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
