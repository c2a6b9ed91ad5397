// Browser test of the back-office's imports (/admin, section "Imports"): an admin uploads a
// changed copy of a demo circuit, reads the update's before → after, commits, and the public
// API serves the new text; then a Mérimée extract with one bad line: the rejection with its
// line, one of the two new monuments left out, the plan reopened from the history, the
// commit, and the public API holding the other one only. An undetectable file is refused
// with the server's reason. axe-core on the plan view.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv, REPO, UI_TIMEOUT_MS } from './support/server.mjs';

const PASSWORD = 'un mot de passe de randonneur';
const ADMIN = 'admin@balade.test';
const MODERATOR = 'moderatrice@balade.test';
const WAYPOINT = 'provins-remparts.parking-de-la-porte-saint-jean';
const OLD_TEXT = 'Point de départ de la boucle';
const NEW_TEXT = 'Départ conseillé de la boucle';
/** The waypoint left out of the changed copy: planned as gone, kept unless ticked. */
const GONE = { name: 'La rose de Provins', id: 'provins-remparts.la-rose-de-provins' };
const MERIMEE = [
  'REF|TICO|COM|INSEE|ZONE|COOR',
  'PA77000101|Lavoir de la Voulzie|Provins|77379|Lambert93|0728950;6826350',
  'PA77000102|Pont de la Voulzie|Provins|77379|Lambert93|0728940;6826340',
  '..|Croix|Provins|77379|Lambert93|0728960;6826360',
  '',
].join('\n');

const env = new BrowserEnv('balade-pwa-imports-');
let baseUrl = '';
/** Files to upload, written in the test's temporary folder. */
const files = {};

/** The section of the page this test is about. */
const section = (page) => page.locator('#imports');

async function logIn(page, email = ADMIN) {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
}

/** Chooses `file` (and `kind`, a value of the select) and asks for the analysis. */
async function analyse(page, file, kind = '') {
  await section(page).getByLabel('Fichier à importer', { exact: true }).setInputFiles(file);
  await section(page).getByLabel('Type de données', { exact: true }).selectOption(kind);
  await section(page).getByRole('button', { name: 'Analyser le fichier', exact: true }).click();
}

/** The plan's counts as shown: { Créations: 2, … }. */
function shownCounts(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('.imports__job .imports__counts li'), (li) => [
        li.querySelector('span')?.textContent?.trim(),
        Number(li.querySelector('strong')?.textContent),
      ]),
    ),
  );
}

/** Polls `check` (an async predicate) until true or the UI timeout. */
async function eventually(check, what) {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`never true: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('back-office imports (/admin)', () => {
  before(async () => {
    const tmp = env.prepare();
    baseUrl = await env.startServer(['--jobs-dir', path.join(tmp, 'jobs')]);
    await env.launchBrowser();
    await env.balade(['user', 'add', ADMIN, '--role', 'admin', '--password-stdin'], { input: `${PASSWORD}\n` });
    await env.balade(['user', 'add', MODERATOR, '--role', 'moderator', '--password-stdin'], { input: `${PASSWORD}\n` });

    const gpx = readFileSync(path.join(REPO, 'fixtures/circuits/provins-remparts.gpx'), 'utf8');
    assert.equal(gpx.split(OLD_TEXT).length, 2, 'the waypoint text is in the fixture once');
    files.gpx = path.join(tmp, 'provins-remparts.gpx');
    const gone = gpx.match(new RegExp(`\\s*<wpt [^>]*>\\s*<ele>[^<]*</ele>\\s*<name>${GONE.name}</name>[\\s\\S]*?</wpt>`));
    assert.ok(gone, `the waypoint ${GONE.name} is in the fixture`);
    writeFileSync(files.gpx, gpx.replace(OLD_TEXT, NEW_TEXT).replace(gone[0], ''));
    files.merimee = path.join(tmp, 'merimee-provins.txt');
    writeFileSync(files.merimee, MERIMEE);
    files.unknown = path.join(tmp, 'notes.bin');
    writeFileSync(files.unknown, 'rien à importer\n');
  });

  after(() => env.tearDown());

  test('a changed circuit: the update read before → after, committed, served by the public API', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await logIn(page);
      await page.getByRole('heading', { level: 2, name: 'Imports', exact: true }).waitFor();
      await page.getByText('Aucun import pour l’instant.').waitFor();

      // A file of no known kind: the server's reason, in the alert.
      await analyse(page, files.unknown);
      const refusal = page.locator('.imports').getByRole('alert');
      await refusal.waitFor();
      assert.match(await refusal.textContent(), /^Le serveur répond : cannot tell the kind of `notes\.bin`: choose it/);

      // The analysis is followed live: one answer of the job is held back as still running.
      let polls = 0;
      let release = () => {};
      const released = new Promise((resolve) => {
        release = resolve;
      });
      await page.route(/\/api\/v1\/admin\/imports\/[0-9a-f]+$/, async (route) => {
        polls += 1;
        const response = await route.fetch();
        if (polls === 1) return route.fulfill({ response, json: { ...(await response.json()), status: 'running', progress: 7 } });
        if (polls === 2) await released;
        return route.fulfill({ response });
      });
      await analyse(page, files.gpx);
      await section(page).getByRole('status').filter({ hasText: '7 enregistrements lus' }).waitFor();
      release();
      await page.getByRole('heading', { level: 3, name: 'Plan de l’import de provins-remparts.gpx', exact: true }).waitFor();
      await page.unrouteAll();
      assert.equal(await page.locator('.imports').getByRole('alert').count(), 0, 'the refusal is gone');
      const counts = await shownCounts(page);
      assert.equal(counts['Modifications'], 1);
      assert.equal(counts['Créations'], 0);
      assert.equal(counts['Rejetés'], 0);
      assert.equal(counts['Absents du fichier'], 1);

      const update = page.locator(`tr[data-key$="${WAYPOINT.split('.')[1]}"]`);
      await update.waitFor();
      assert.equal(await update.locator('td').first().textContent(), 'modification');
      assert.equal(await update.locator('.imports__field').first().textContent(), 'description');
      assert.match(await update.locator('.imports__before').first().textContent(), new RegExp(`^${OLD_TEXT}`));
      assert.match(await update.locator('.imports__after').first().textContent(), new RegExp(`^${NEW_TEXT}`));
      assert.match(await update.textContent(), / → /);
      const exclude = section(page).getByRole('checkbox', { name: 'Exclure Parking de la porte Saint-Jean', exact: true });
      assert.equal(await exclude.isChecked(), false);
      await page.locator('.imports__range').filter({ hasText: '1–2 sur 2' }).waitFor();
      // On the map (under the server's Content Security Policy): the update and the vanished waypoint.
      const map = section(page).getByRole('region', { name: 'Carte des enregistrements du plan', exact: true });
      await map.getByRole('button', { name: 'Parking de la porte Saint-Jean (modification)', exact: true }).waitFor();
      await map.getByRole('button', { name: `${GONE.name} (absent du fichier)`, exact: true }).waitFor();
      assert.equal(await map.locator('.leaflet-marker-icon').count(), 2);
      assert.equal(await map.locator('.plan-pin--update').count(), 1);
      assert.equal(await map.locator('.plan-pin--delete').count(), 1);
      // A vanished waypoint is deleted only when ticked: unticked by default.
      const remove = section(page).getByRole('checkbox', { name: `Supprimer ${GONE.name}`, exact: true });
      assert.equal(await remove.isChecked(), false);
      assert.match(await page.locator('tr.imports__row--delete').textContent(), /supprimé seulement si coché/);

      await section(page).getByRole('button', { name: 'Valider l’import', exact: true }).click();
      await page.getByText(new RegExp(`^Import validé par ${ADMIN.replace('.', '\\.')} le `)).waitFor();

      const history = page.locator('.imports__history tbody tr');
      await eventually(async () => (await history.count()) === 1 && (await history.first().textContent()).includes('validé'), 'the history shows the commit');
      const row = await history.first().locator('th, td').allTextContents();
      assert.equal(row[0], 'provins-remparts.gpx');
      assert.equal(row[1], 'Circuit GPX');
      assert.equal(row[2], ADMIN);
      assert.equal(row[4], 'validé');
      assert.match(row[5], /Modifications 1/);

      const poi = await env.apiJson(context, `/api/v1/pois/${WAYPOINT}`);
      assert.match(poi.properties.description, new RegExp(`^${NEW_TEXT}`));
      const kept = await env.apiJson(context, `/api/v1/pois/${GONE.id}`);
      assert.equal(kept.properties.name, GONE.name, 'an unticked deletion leaves the record');
      const circuit = await env.apiJson(context, '/api/v1/circuits/provins-remparts');
      assert.ok(circuit.properties.pois.includes(WAYPOINT), 'the circuit still lists the waypoint');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a Mérimée extract: the rejection with its line, one monument left out, reopened from the history, committed', async (t) => {
    const { context, page, errors } = await env.newPage(AUDITED);
    try {
      await logIn(page);
      await analyse(page, files.merimee, 'ariane');
      const heading = page.getByRole('heading', { level: 3, name: 'Plan de l’import de merimee-provins.txt', exact: true });
      await heading.waitFor();
      assert.deepEqual(await shownCounts(page), {
        Créations: 2,
        Modifications: 0,
        Inchangés: 0,
        'Absents du fichier': 0,
        Rejetés: 1,
      });
      await page.locator('.imports__range').filter({ hasText: '1–3 sur 3' }).waitFor();
      const rejected = page.locator('tr.imports__row--rejected');
      assert.match(await rejected.textContent(), /Ligne 4, colonne 1 \(REF\) : malformed id `\.\.`/);
      assert.equal(await rejected.getByRole('checkbox').count(), 0);

      // The page's records on a map: one marker per located record, named by label and status.
      const { jobs } = await env.apiJson(context, '/api/v1/admin/imports');
      const { records } = await env.apiJson(context, `/api/v1/admin/imports/${jobs[0].id}/records?limit=50&offset=0`);
      const locatedRecords = records.filter((r) => Number.isFinite(r.lon) && Number.isFinite(r.lat));
      assert.equal(locatedRecords.length, 2, 'both monuments are located, the rejection is not');
      const map = section(page).getByRole('region', { name: 'Carte des enregistrements du plan', exact: true });
      await map.waitFor();
      const markers = map.locator('.leaflet-marker-icon');
      await eventually(async () => (await markers.count()) === locatedRecords.length, 'one marker per located record');
      await map.getByRole('button', { name: 'Lavoir de la Voulzie (création)', exact: true }).waitFor();
      assert.equal(await page.locator('.plan-map__note').textContent(), '2 des 3 enregistrements de cette page sont sur la carte.');
      assert.deepEqual(await page.locator('.plan-map__legend li:not([hidden])').allTextContents(), ['création', 'modification', 'absent du fichier']);
      // A marker's popup tells the same; the keyboard goes through the map and out of it.
      await map.getByRole('button', { name: 'Pont de la Voulzie (création)', exact: true }).press('Enter');
      await map.locator('.leaflet-popup').filter({ hasText: 'Pont de la Voulzie' }).filter({ hasText: 'création' }).waitFor();
      await map.focus();
      let left = false;
      for (let i = 0; i < 12 && !left; i += 1) {
        await page.keyboard.press('Tab');
        left = await map.evaluate((el) => !el.contains(document.activeElement));
      }
      assert.ok(left, 'Tab leaves the map');

      // The plan is the server's: it comes back from the history after a reload.
      await page.reload();
      await section(page).getByRole('button', { name: 'Ouvrir le plan merimee-provins.txt', exact: true }).click();
      await heading.waitFor();
      await page.locator('.imports__range').filter({ hasText: '1–3 sur 3' }).waitFor();

      await section(page).getByRole('checkbox', { name: 'Exclure Pont de la Voulzie', exact: true }).check();
      // The choice stays through the filters.
      await section(page).getByLabel('Statut', { exact: true }).selectOption('rejected');
      await page.locator('.imports__range').filter({ hasText: '1–1 sur 1' }).waitFor();
      assert.equal(await page.locator('tr.imports__row--rejected').count(), 1);
      await section(page).getByLabel('Statut', { exact: true }).selectOption('');
      await section(page).getByLabel('Rechercher', { exact: true }).fill('lavoir');
      await section(page).getByRole('button', { name: 'Filtrer', exact: true }).click();
      await page.locator('.imports__range').filter({ hasText: '1–1 sur 1' }).waitFor();
      // The range read the same for the rejection alone: the row tells the search's answer.
      await page.locator('.imports__row[data-key="heritage:PA77000101"]').waitFor();
      assert.equal(await page.locator('.imports__row').first().getAttribute('data-key'), 'heritage:PA77000101');
      // The map follows the page.
      await eventually(async () => (await page.locator('.plan-map .leaflet-marker-icon').count()) === 1, 'one marker for the filtered page');
      await section(page).getByLabel('Rechercher', { exact: true }).fill('');
      await section(page).getByLabel('Commune', { exact: true }).fill('Provins');
      await section(page).getByRole('button', { name: 'Filtrer', exact: true }).click();
      await page.locator('.imports__range').filter({ hasText: '1–2 sur 2' }).waitFor();
      assert.equal(await section(page).getByRole('checkbox', { name: 'Exclure Pont de la Voulzie', exact: true }).isChecked(), true);
      assert.equal(await section(page).getByRole('checkbox', { name: 'Exclure Lavoir de la Voulzie', exact: true }).isChecked(), false);
      assert.equal(await section(page).getByRole('button', { name: 'Précédents', exact: true }).isDisabled(), true);
      assert.equal(await section(page).getByRole('button', { name: 'Suivants', exact: true }).isDisabled(), true);

      await audit(t, page, 'plan of an import');
      // At tablet width, the wide tables scroll in their frames, not the section.
      await page.setViewportSize({ width: 768, height: 1024 });
      assert.ok(await section(page).evaluate((el) => el.scrollWidth <= el.clientWidth), 'no horizontal overflow of the section at 768 px');
      await page.setViewportSize({ width: 1280, height: 900 });

      // In English, the same plan.
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('heading', { level: 3, name: 'Plan of the import of merimee-provins.txt', exact: true }).waitFor();
      await section(page).getByRole('region', { name: 'Map of the plan’s records', exact: true }).getByRole('button', { name: 'Pont de la Voulzie (create)', exact: true }).waitFor();
      assert.equal(await page.locator('.imports__range').textContent(), '1–2 of 2');
      assert.equal(await section(page).getByRole('checkbox', { name: 'Exclude Pont de la Voulzie', exact: true }).isChecked(), true);
      await section(page).getByRole('button', { name: 'Commit the import', exact: true }).waitFor();
      await page.getByLabel('Langue / Language').selectOption('fr');

      await section(page).getByRole('button', { name: 'Valider l’import', exact: true }).click();
      await page.getByText(/^Import validé par /).waitFor();
      const history = page.locator('.imports__history tbody tr');
      await eventually(async () => (await history.first().textContent()).includes('validé'), 'the history shows the commit');
      const first = await history.first().locator('th, td').allTextContents();
      assert.deepEqual(first.slice(0, 2), ['merimee-provins.txt', 'Monuments historiques (Mérimée)']);
      assert.equal(await history.count(), 2);

      // The committed job cannot be committed twice.
      const jobId = await history.first().getAttribute('data-job');
      const again = await context.request.post(`${baseUrl}/api/v1/admin/imports/${jobId}/commit`, {
        headers: { Origin: baseUrl },
        data: { exclude: [], delete: [] },
      });
      assert.equal(again.status(), 409);

      const nearby = () => env.apiJson(context, '/api/v1/pois/nearby?lon=3.29&lat=48.56&radius=50000&limit=200');
      // The walkers' index follows the commit as soon as the server has reloaded it.
      await eventually(async () => (await nearby()).features.some((f) => f.id === 'PA77000101'), 'the kept monument is served');
      const ids = (await nearby()).features.map((f) => f.id);
      assert.ok(ids.includes('PA77000101'), ids.join(', '));
      assert.ok(!ids.includes('PA77000102'), 'the excluded monument is not imported');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a moderator may not import: the server’s refusal is said', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await logIn(page, MODERATOR);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/imports') && r.request().method() === 'POST');
      await analyse(page, files.gpx);
      assert.equal((await answer).status(), 403);
      const refusal = section(page).getByRole('alert');
      await refusal.waitFor();
      assert.match(await refusal.textContent(), /^Le serveur répond : ./);
      assert.equal(await section(page).locator('.imports__job').textContent(), '');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
