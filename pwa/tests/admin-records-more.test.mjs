// Browser test of the back-office's records section, beyond the texts (/admin): an editor of
// Provins finds a point of interest by the points' search, changes one of its details and
// moves it by dragging its marker, and the public API follows; a photo is refused without
// its alt text, then added with it, and shows in the form and in the public point; a
// circuit's practical text is saved; an edit made in the page outlives a re-import of the
// circuit's GPX file by the command line. axe-core on the form with its map.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv, REPO, dbUrl } from './support/server.mjs';

const PASSWORD = 'un mot de passe de randonneur';
const EDITOR = { email: 'editrice@provins.fr', territory: '77379' };
const CIRCUIT = { id: 'provins-remparts', name: 'Provins, les remparts et la ville haute' };
const TOUR = { id: 'provins-remparts.tour-cesar', name: 'Tour César' };
const PORTE = { id: 'provins-remparts.porte-saint-jean', name: 'Porte Saint-Jean' };
const PHOTO = path.join(REPO, 'pwa/public/icons/icon-192.png');

const env = new BrowserEnv('balade-pwa-admin-records-more-');
let baseUrl = '';

/** Opens /admin in a fresh context and logs in; resolves once the section is there. */
async function loggedIn(email, options = {}) {
  const opened = await env.newPage(options);
  const { page } = opened;
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await section(page).waitFor();
  return opened;
}

const section = (page) => page.getByRole('region', { name: 'Circuits et points d’intérêt', exact: true });

/** Finds the point by the points' search and opens it; resolves once its form is shown. */
async function findPoi(page, poi) {
  const search = section(page).getByRole('search', { name: 'Tous les points d’intérêt' });
  await search.getByRole('searchbox', { name: 'Mots du nom' }).fill(poi.name);
  await search.getByRole('button', { name: 'Chercher les points', exact: true }).click();
  await section(page).getByRole('button', { name: poi.name, exact: true }).click();
  await section(page).getByRole('heading', { level: 4, name: `Point d’intérêt : ${poi.name}`, exact: true }).waitFor();
}

const save = (page) => section(page).getByRole('button', { name: 'Enregistrer', exact: true }).click();
const saved = (page) => section(page).getByRole('status').filter({ hasText: 'Modifications enregistrées.' }).waitFor();
const publicPoi = async (context, id) => (await env.apiJson(context, `/api/v1/pois/${encodeURIComponent(id)}`));

/** Resolves once `check()` resolves to true (the public lists are rebuilt in the background). */
async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`still not true after ${timeoutMs / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('back-office: points of interest, details, position, photos (/admin)', () => {
  before(async () => {
    baseUrl = await env.setUp();
    await env.balade(['user', 'add', EDITOR.email, '--role', 'editor', '--territory', EDITOR.territory, '--password-stdin'], { input: `${PASSWORD}\n` });
  });

  after(() => env.tearDown());

  test('a point found by the search: a detail and its position saved, the public API follows', async (t) => {
    const { context, page, errors } = await loggedIn(EDITOR.email, AUDITED);
    try {
      // Every point, one page at a time.
      const search = section(page).getByRole('search', { name: 'Tous les points d’intérêt' });
      await search.getByRole('button', { name: 'Chercher les points', exact: true }).click();
      const range = section(page).getByRole('status').filter({ hasText: /^1–20 sur \d+$/ });
      await range.waitFor();
      const total = Number((await range.textContent()).match(/sur (\d+)/)[1]);
      assert.ok(total > 20, `${total} points`);
      await section(page).getByRole('button', { name: 'Suivants', exact: true }).click();
      await section(page).getByRole('status').filter({ hasText: `21–${Math.min(40, total)} sur ${total}` }).waitFor();
      // By kind: only heritage.
      await search.getByLabel('Type de point', { exact: true }).selectOption('heritage');
      await search.getByRole('searchbox', { name: 'Mots du nom' }).fill('tour');
      await search.getByRole('button', { name: 'Chercher les points', exact: true }).click();
      const row = section(page).getByRole('listitem').filter({ has: page.getByRole('button', { name: TOUR.name, exact: true }) });
      await row.waitFor();
      assert.match(await row.textContent(), /Patrimoine/);

      await findPoi(page, TOUR);
      const map = section(page).getByRole('region', { name: 'Position du point', exact: true });
      const pin = map.getByTitle('Position du point (à faire glisser)', { exact: true });
      await pin.waitFor();
      await audit(t, page, 'point form with its map');

      await section(page).getByLabel('Période', { exact: true }).fill('XIIe siècle');
      await save(page);
      await saved(page);
      await eventually(async () => (await publicPoi(context, TOUR.id)).properties.details?.period === 'XIIe siècle', 'the public point shows the period');

      // The marker dragged: the inputs follow, and the save moves the public point.
      const lon = section(page).getByLabel('Longitude', { exact: true });
      const lat = section(page).getByLabel('Latitude', { exact: true });
      const before = [Number(await lon.inputValue()), Number(await lat.inputValue())];
      await map.scrollIntoViewIfNeeded();
      const box = await pin.boundingBox();
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + 60, y + 40, { steps: 10 });
      await page.mouse.up();
      await eventually(async () => Number(await lon.inputValue()) > before[0], 'the longitude follows the marker east');
      const after = [Number(await lon.inputValue()), Number(await lat.inputValue())];
      assert.ok(after[1] < before[1], `the latitude follows the marker south: ${before} → ${after}`);
      await save(page);
      await saved(page);
      await eventually(async () => {
        const [plon, plat] = (await publicPoi(context, TOUR.id)).geometry.coordinates;
        return Math.abs(plon - after[0]) < 1e-6 && Math.abs(plat - after[1]) < 1e-6;
      }, 'the public point moved');

      // The inputs are the keyboard's way: a typed latitude moves the marker too.
      await pin.waitFor();
      await map.scrollIntoViewIfNeeded();
      const dragged = await pin.boundingBox();
      await lat.fill(String(before[1]));
      await lat.press('Tab');
      await eventually(async () => (await pin.boundingBox()).y < dragged.y - 20, 'the marker follows the typed latitude north');
      await save(page);
      await saved(page);
      await eventually(async () => Math.abs((await publicPoi(context, TOUR.id)).geometry.coordinates[1] - before[1]) < 1e-6, 'the typed latitude is saved');

      // In English, the map's name follows.
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('region', { name: 'Position of the point', exact: true }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a photo needs its alt text; added, it shows in the form and the public point', async () => {
    const { context, page, errors } = await loggedIn(EDITOR.email);
    try {
      await findPoi(page, TOUR);
      const media = section(page).getByRole('region', { name: 'Photos et médias', exact: true });
      const form = media.getByRole('form', { name: 'Ajouter une photo', exact: true });
      const send = form.getByRole('button', { name: 'Envoyer la photo', exact: true });

      await send.click();
      await form.getByRole('alert').filter({ hasText: 'Choisissez d’abord une photo.' }).waitFor();
      await form.getByLabel('Photo (JPEG, PNG ou WebP)', { exact: true }).setInputFiles(PHOTO);
      await send.click();
      await form.getByRole('alert').filter({ hasText: 'Le texte alternatif est obligatoire.' }).waitFor();
      const alt = form.getByLabel('Texte alternatif (obligatoire)', { exact: true });
      assert.equal(await alt.getAttribute('aria-invalid'), 'true');
      assert.match(await alt.evaluate((el) => el.getAttribute('aria-describedby')), /media-alt-hint/);

      // The server's reason when the file is no image.
      await alt.fill('Un texte');
      await form.getByLabel('Photo (JPEG, PNG ou WebP)', { exact: true }).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('pas une image') });
      await send.click();
      await form.getByRole('alert').filter({ hasText: /^Le serveur répond : .*image/ }).waitFor();
      assert.equal((await publicPoi(context, TOUR.id)).properties.media.length, 0);

      await form.getByLabel('Photo (JPEG, PNG ou WebP)', { exact: true }).setInputFiles(PHOTO);
      const text = 'Le donjon de la tour César vu depuis la rue du Palais';
      await alt.fill(text);
      await form.getByLabel('Auteur', { exact: true }).fill('Office de tourisme de Provins');
      await form.getByLabel('Licence', { exact: true }).fill('CC BY 4.0');
      await send.click();

      const after = section(page).getByRole('region', { name: 'Photos et médias', exact: true });
      await after.getByRole('status').filter({ hasText: 'Photo ajoutée.' }).waitFor();
      const thumb = after.getByRole('img', { name: text, exact: true });
      await thumb.waitFor();
      await page.waitForFunction((name) => [...document.querySelectorAll('img')].some((i) => i.alt === name && i.complete && i.naturalWidth > 0), text);
      const item = after.getByRole('listitem').filter({ has: page.getByRole('img', { name: text, exact: true }) });
      assert.match(await item.textContent(), /Auteur : Office de tourisme de Provins/);
      assert.match(await item.textContent(), /Licence : CC BY 4\.0/);
      // Audited: the history has it.
      await section(page).getByRole('table', { name: 'Historique', exact: true }).getByRole('row').filter({ hasText: 'media' }).first().waitFor();

      await eventually(async () => (await publicPoi(context, TOUR.id)).properties.media.some((m) => m.alt === text), 'the public point has the photo');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a circuit’s practical text is saved and shown publicly', async () => {
    const { context, page, errors } = await loggedIn(EDITOR.email);
    try {
      await section(page).getByRole('searchbox', { name: 'Rechercher', exact: true }).fill('Provins');
      await section(page).getByRole('button', { name: 'Rechercher', exact: true }).click();
      await section(page).getByRole('button', { name: CIRCUIT.name, exact: true }).click();
      await section(page).getByRole('heading', { level: 4, name: `Circuit : ${CIRCUIT.name}`, exact: true }).waitFor();
      const parking = 'Parking gratuit de la porte Saint-Jean, hors jours de fête.';
      await section(page).getByLabel('Stationnement', { exact: true }).fill(parking);
      await save(page);
      await saved(page);
      await eventually(
        async () => (await env.apiJson(context, `/api/v1/circuits/${CIRCUIT.id}`)).properties.practical?.parking === parking,
        'the public circuit shows the parking',
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('an edit made in the page outlives a re-import of the circuit’s GPX file', async () => {
    const { context, page, errors } = await loggedIn(EDITOR.email);
    try {
      await findPoi(page, PORTE);
      const edited = 'La porte Saint-Jean, flanquée de deux tours, ouvre la ville haute vers l’ouest.';
      await section(page).getByLabel('Description', { exact: true }).fill(edited);
      await save(page);
      await saved(page);
      await eventually(async () => (await publicPoi(context, PORTE.id)).properties.description === edited, 'the public point shows the edit');

      const out = await env.balade(['import', 'gpx', '--db', dbUrl(env.tmp), path.join(REPO, 'fixtures/circuits/provins-remparts.gpx')]);
      assert.match(out, /imported \d+, updated \d+, rejected 0/);

      await page.reload();
      await section(page).waitFor();
      await findPoi(page, PORTE);
      assert.equal(await section(page).getByLabel('Description', { exact: true }).inputValue(), edited);
      assert.equal((await publicPoi(context, PORTE.id)).properties.description, edited);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
