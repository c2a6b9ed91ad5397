// Browser test of the walker's landing on a phone (390×844): results first (search on top,
// cards within the first screen, filters in a sheet with chips and a duration range, zero
// counts hidden, list/map toggle, sorting), the sheet's top actions (download next to
// start guidance, share, favourites), no version hash shown, the offline home listing the
// downloaded circuits, theme labels and the "French only" notice in English, the install
// button, and axe on the list with its filter sheet open and on the sheet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITED, audit } from './support/axe.mjs';
import { waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const CIRCUIT = 'provins-remparts';
const env = new BrowserEnv('balade-pwa-landing-');
let baseUrl = '';

const cardNames = (page) => page.$$eval('main article h2', (els) => els.map((e) => e.textContent.trim()));
const waitForCards = (page, n) => page.waitForFunction((k) => document.querySelectorAll('main article').length === k, n);

describe('landing on a phone: results first', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('search on top, first card in the first screen, filters in a sheet, map toggle, sort', async (t) => {
    const { context, page, errors } = await env.newPage({ ...PHONE, ...AUDITED, serviceWorkers: 'block' });
    try {
      const all = await env.apiJson(context, '/api/v1/circuits');
      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Trouver un circuit' }).waitFor();
      // Space is reserved while loading: placeholder cards.
      await waitForCards(page, all.features.length);
      const search = page.getByRole('searchbox', { name: 'Recherche' });
      const firstCard = page.locator('main article').first();
      const [searchBox, cardBox] = [await search.boundingBox(), await firstCard.boundingBox()];
      t.diagnostic(`search top ${searchBox.y}, first card top ${cardBox.y}`);
      assert.ok(searchBox.y < cardBox.y, 'the search field comes before the cards');
      assert.ok(cardBox.y < 844, `first card at ${cardBox.y} px, beyond the first screen`);
      assert.equal(await page.locator('.map--list').isVisible(), false, 'no map under the list');

      // The filter sheet: chips with counts, zero counts absent, "Territoire".
      await page.getByRole('button', { name: 'Filtres', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Filtres' });
      await dialog.waitFor();
      const difficulty = dialog.getByRole('group', { name: 'Difficulté' });
      for (const [value, n] of Object.entries({ easy: 0, medium: 0, hard: 0, very_hard: 0, ...all.facets.difficulty })) {
        const chip = difficulty.locator(`button[data-value="${value}"]`);
        assert.equal(await chip.count(), n > 0 ? 1 : 0, `difficulty ${value} (${n})`);
      }
      assert.equal(all.facets.difficulty.very_hard ?? 0, 0, 'demo data: no very hard circuit');
      assert.equal(await dialog.getByRole('button', { name: /^Très difficile/ }).count(), 0);
      await dialog.getByLabel('Territoire', { exact: true }).waitFor();
      assert.equal(await page.getByText('Intercommunalité', { exact: true }).count(), 0);
      await dialog.getByRole('spinbutton', { name: 'Au moins' }).waitFor();
      await dialog.getByRole('spinbutton', { name: 'Au plus' }).waitFor();
      await audit(t, page, 'list with the filter sheet open');

      // A chip filters the list.
      const oneWay = await env.apiJson(context, '/api/v1/circuits?type=one_way');
      const chip = dialog.getByRole('group', { name: 'Type de circuit' }).getByRole('button', { name: /^Aller simple/ });
      assert.equal(await chip.getAttribute('aria-pressed'), 'false');
      await chip.click();
      await waitForCards(page, oneWay.total);
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
      assert.deepEqual((await cardNames(page)).sort(), oneWay.features.map((f) => f.properties.name).sort());
      // Duration range: at most 120 minutes.
      const upTo = await env.apiJson(context, '/api/v1/circuits?type=one_way&duration_max=120');
      await dialog.getByRole('spinbutton', { name: 'Au plus' }).fill('120');
      await waitForCards(page, upTo.total);
      await dialog.getByRole('button', { name: 'Voir les circuits' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Filtres (2)' }).waitFor();
      await page.getByRole('button', { name: 'Filtres (2)' }).click();
      await dialog.getByRole('button', { name: 'Réinitialiser' }).click();
      await waitForCards(page, all.features.length);
      await dialog.getByRole('button', { name: 'Voir les circuits' }).click();

      // Sorting by duration orders the cards.
      await page.getByLabel('Trier par').selectOption('duration');
      const byDuration = [...all.features].sort((a, b) => a.properties.duration_min - b.properties.duration_min);
      await page.waitForFunction(
        (first) => document.querySelector('main article h2')?.textContent.trim() === first,
        byDuration[0].properties.name,
      );
      const durations = await page.$$eval('main article', (els) => els.map((e) => e.querySelector('h2').textContent.trim()));
      const minutes = new Map(all.features.map((f) => [f.properties.name, f.properties.duration_min]));
      const shown = durations.map((n) => minutes.get(n));
      assert.deepEqual(shown, [...shown].sort((a, b) => a - b));
      assert.match(new URL(page.url()).hash, /sort=duration/);

      // The list/map toggle shows the map and its start markers.
      const mapButton = page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Carte' });
      assert.equal(await mapButton.getAttribute('aria-pressed'), 'false');
      await mapButton.click();
      assert.equal(await mapButton.getAttribute('aria-pressed'), 'true');
      await page.locator('.map--list').waitFor();
      await page.locator('.leaflet-marker-pane .leaflet-marker-icon').first().waitFor();
      assert.equal(await page.locator('main article').first().isVisible(), false);
      await page.getByRole('group', { name: 'Affichage' }).getByRole('button', { name: 'Liste' }).click();
      await page.locator('main article').first().waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the sheet: download next to start guidance, no version hash, favourites kept, share; offline home', async (t) => {
    const { context, page, errors } = await env.newPage({ ...PHONE, ...AUDITED });
    try {
      const { properties } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();
      await waitForServiceWorker(page);
      await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();
      const start = page.getByRole('button', { name: 'Démarrer le guidage' });
      const download = page.getByRole('button', { name: 'Télécharger pour hors ligne' });
      const [s, d] = [await start.boundingBox(), await download.boundingBox()];
      t.diagnostic(`start guidance at ${s.y}, download at ${d.y}`);
      assert.ok(d.y + d.height < 844, 'download within the first screen');
      assert.ok(Math.abs(d.y - s.y) < 120, 'download next to start guidance');
      assert.ok(s.height >= 44 && d.height >= 44, 'touch targets of 44 px');
      await page.getByRole('img', { name: /^Profil altimétrique : / }).waitFor();
      await audit(t, page, 'sheet (phone)');

      await download.click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      assert.equal(await download.isVisible(), false, 'no download offered once downloaded and up to date');
      const visible = await page.evaluate(() => document.body.innerText);
      assert.doesNotMatch(visible, /[0-9a-f]{12,}/, 'a version hash is shown');
      await page.goto(`${baseUrl}/#/offline`);
      await page.getByText('1 circuit téléchargé', { exact: true }).waitFor();
      await page.getByText('Déjà à jour.').waitFor();
      assert.equal(await page.getByRole('button', { name: `Mettre à jour ${properties.name}` }).isVisible(), false);
      assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /[0-9a-f]{12,}/);

      // Favourites: toggled on the sheet, kept after a reload, a filter on the list.
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      const fav = page.getByRole('button', { name: 'Ajouter aux favoris' });
      assert.equal(await fav.getAttribute('aria-pressed'), 'false');
      await fav.click();
      assert.equal(await fav.getAttribute('aria-pressed'), 'true');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Ajouter aux favoris' }).getAttribute('aria-pressed'), 'true');

      // Share: without Web Share, the link is copied.
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
      await page.evaluate(() => {
        Object.defineProperty(navigator, 'share', { value: undefined, configurable: true });
      });
      await page.getByRole('button', { name: 'Partager' }).click();
      await page.getByText('Lien copié dans le presse-papiers.').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());
      // With Web Share, the system's sheet gets the circuit's name and link.
      await page.evaluate(() => {
        Object.defineProperty(navigator, 'share', { value: async (data) => { window.__shared = data; }, configurable: true });
      });
      await page.getByRole('button', { name: 'Partager' }).click();
      await page.waitForFunction(() => window.__shared);
      assert.deepEqual(await page.evaluate(() => [window.__shared.title, window.__shared.url]), [properties.name, page.url()]);

      await page.goto(`${baseUrl}/#/`);
      await page.locator('main article').first().waitFor();
      await page.getByRole('button', { name: 'Favoris (1)' }).click();
      await waitForCards(page, 1);
      assert.deepEqual(await cardNames(page), [properties.name]);
      await page.getByRole('button', { name: 'Favoris (1)' }).click();

      // Offline (the network really cut): a list never seen offline gives the downloaded circuits.
      await env.cutNetwork();
      await page.goto(`${baseUrl}/#/?q=jamais-vu`);
      await page.reload();
      await page.getByText('Hors ligne : voici les circuits téléchargés sur ce téléphone.').waitFor();
      await waitForCards(page, 1);
      assert.deepEqual(await cardNames(page), [properties.name]);
      assert.equal(await page.getByText('Impossible de charger les circuits.').count(), 0);
      await page.getByText(/Vous êtes hors ligne/).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await env.restoreNetwork();
      await context.close();
    }
  });

  test('in English: theme labels translated, "Content in French only", guidance offers the download', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, locale: 'en-GB', serviceWorkers: 'block', permissions: ['geolocation'] });
    try {
      const all = await env.apiJson(context, '/api/v1/circuits');
      assert.ok('patrimoine' in all.facets.theme && 'eau' in all.facets.theme, 'demo themes');
      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Find a trail' }).waitFor();
      await page.locator('main article').first().waitFor();
      const tags = await page.$$eval('main .card__tags .tag', (els) => els.map((e) => e.textContent));
      assert.ok(tags.includes('Heritage'), tags.join(', '));
      assert.ok(!tags.includes('patrimoine'));
      await page.getByRole('button', { name: 'Filters', exact: true }).click();
      const themes = page.getByRole('dialog', { name: 'Filters' }).getByRole('group', { name: 'Theme' });
      await themes.getByRole('button', { name: /^Water \(\d+\)$/ }).waitFor();
      await themes.getByRole('button', { name: /^Heritage \(\d+\)$/ }).waitFor();
      await page.getByRole('dialog', { name: 'Filters' }).getByLabel('Area', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Close' }).click();

      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByText('Content in French only.').waitFor();
      await page.getByRole('button', { name: 'Download for offline use' }).waitFor();

      // Guidance online on a circuit not downloaded: the download is offered again.
      await page.getByRole('button', { name: 'Start guidance' }).click();
      const offer = page.getByRole('region', { name: 'Offline' });
      await offer.getByRole('button', { name: 'Download for offline use' }).click();
      await offer.getByText(/^Trail downloaded for offline use on /).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the install button appears only when the browser offers it', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, serviceWorkers: 'block' });
    try {
      await page.goto(`${baseUrl}/`);
      await page.locator('main article').first().waitFor();
      const install = page.getByRole('button', { name: 'Installer l’application' });
      assert.equal(await install.isVisible(), false);
      await page.evaluate(() => {
        const e = new Event('beforeinstallprompt', { cancelable: true });
        e.prompt = async () => {
          window.__prompted = true;
        };
        e.userChoice = Promise.resolve({ outcome: 'accepted' });
        window.dispatchEvent(e);
      });
      await install.click();
      assert.equal(await page.evaluate(() => window.__prompted), true);
      await install.waitFor({ state: 'hidden' });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
