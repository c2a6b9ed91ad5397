// Browser test of the back-office beyond the basics (/admin): a point of interest unpublished
// from its form leaves the public API and comes back when republished; an edit kept by an
// import is dropped for the source's value when asked, the plan narrowed by record kind, a
// whole filter left out at once, the job's CSV report downloaded; the history of a record
// tells the imports, and the creation of a record by one. axe-core on the plan view.
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
const CIRCUIT = { id: 'provins-remparts', name: 'Provins, les remparts et la ville haute' };
const ROSE = { id: 'provins-remparts.la-rose-de-provins', name: 'La rose de Provins' };
const ENGINS = { id: 'provins-remparts.les-remparts-et-la-tour-aux-engins', key: 'gpx:provins-remparts:wpt:les-remparts-et-la-tour-aux-engins', name: 'Les remparts et la tour aux Engins' };
const EDITED = 'Le chemin des fossés, au pied des courtines : une édition de l’équipe.';
const SOURCE_OLD = 'Le chemin qui suit les anciens fossés';
const SOURCE_NEW = 'Le sentier des anciens fossés longe les courtines';
const CIRCUIT_OLD = 'Une boucle au cœur';
const CIRCUIT_NEW = 'Une promenade au cœur';
const MONUMENT = { id: 'PA77000201', name: 'Lavoir des Bouchers' };
const REPORT_HEADER = 'status,kind,key,label,commune,lon,lat,field,before,after,line,reason';

const env = new BrowserEnv('balade-pwa-admin-more-');
let baseUrl = '';
/** Files to upload, written in the test's temporary folder. */
const files = {};

const records = (page) => page.getByRole('region', { name: 'Circuits et points d’intérêt', exact: true });
const imports = (page) => page.locator('#imports');

async function loggedIn(options = {}) {
  const opened = await env.newPage(options);
  const { page } = opened;
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(ADMIN);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await records(page).waitFor();
  return opened;
}

/** Finds the point by the points' search and opens it; resolves once its form is shown. */
async function findPoi(page, poi) {
  const search = records(page).getByRole('search', { name: 'Tous les points d’intérêt' });
  await search.getByRole('searchbox', { name: 'Mots du nom' }).fill(poi.name);
  await search.getByRole('button', { name: 'Chercher les points', exact: true }).click();
  await records(page).getByRole('button', { name: poi.name, exact: true }).click();
  await records(page).getByRole('heading', { level: 4, name: `Point d’intérêt : ${poi.name}`, exact: true }).waitFor();
}

async function save(page) {
  await records(page).getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await records(page).getByRole('status').filter({ hasText: 'Modifications enregistrées.' }).waitFor();
}

/** Chooses `file` (and `kind`) and asks for the analysis; resolves once its plan is shown. */
async function plan(page, file, kind = '') {
  await imports(page).getByLabel('Fichier à importer', { exact: true }).setInputFiles(file);
  await imports(page).getByLabel('Type de données', { exact: true }).selectOption(kind);
  await imports(page).getByRole('button', { name: 'Analyser le fichier', exact: true }).click();
  await page.getByRole('heading', { level: 3, name: `Plan de l’import de ${path.basename(file)}`, exact: true }).waitFor();
}

const range = (page, text) => page.locator('.imports__range').filter({ hasText: text }).waitFor();

const status = async (context, id) => (await context.request.get(`${baseUrl}/api/v1/pois/${encodeURIComponent(id)}`)).status();

/** Resolves once `check()` resolves to true (the public lists are rebuilt in the background). */
async function eventually(check, what) {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`still not true after ${UI_TIMEOUT_MS / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('back-office: publication, kept edits, report (/admin)', () => {
  before(async () => {
    const tmp = env.prepare();
    baseUrl = await env.startServer(['--jobs-dir', path.join(tmp, 'jobs')]);
    await env.launchBrowser();
    await env.balade(['user', 'add', ADMIN, '--role', 'admin', '--password-stdin'], { input: `${PASSWORD}\n` });

    const gpx = readFileSync(path.join(REPO, 'fixtures/circuits/provins-remparts.gpx'), 'utf8');
    assert.equal(gpx.split(SOURCE_OLD).length, 2, 'the waypoint text is in the fixture once');
    assert.equal(gpx.split(CIRCUIT_OLD).length, 2, 'the circuit text is in the fixture once');
    files.gpx = path.join(tmp, 'provins-remparts.gpx');
    writeFileSync(files.gpx, gpx.replace(SOURCE_OLD, SOURCE_NEW).replace(CIRCUIT_OLD, CIRCUIT_NEW));
    files.merimee = path.join(tmp, 'merimee-lavoir.txt');
    writeFileSync(files.merimee, ['REF|TICO|COM|INSEE|ZONE|COOR', `${MONUMENT.id}|${MONUMENT.name}|Provins|77379|Lambert93|0728970;6826370`, ''].join('\n'));
  });

  after(() => env.tearDown());

  test('a point unpublished from its form leaves the public API; republished, it is back', async () => {
    const { context, page, errors } = await loggedIn();
    try {
      assert.equal(await status(context, ROSE.id), 200);
      await findPoi(page, ROSE);
      const published = records(page).getByRole('checkbox', { name: 'Publié', exact: true });
      assert.equal(await published.isChecked(), true);
      await published.uncheck();
      await save(page);
      await eventually(async () => (await status(context, ROSE.id)) === 404, 'the unpublished point answers 404');
      // The form says the same after a reload.
      await page.reload();
      await records(page).waitFor();
      await findPoi(page, ROSE);
      assert.equal(await published.isChecked(), false);
      await published.check();
      await save(page);
      await eventually(async () => (await status(context, ROSE.id)) === 200, 'the republished point answers 200');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a kept edit taken from the source; the plan by kind; a filter left out; the report', async (t) => {
    const { context, page, errors } = await loggedIn(AUDITED);
    try {
      await findPoi(page, ENGINS);
      await records(page).getByLabel('Description', { exact: true }).fill(EDITED);
      await save(page);

      await plan(page, files.gpx);
      await range(page, '1–2 sur 2');
      // By kind: the circuit alone, then the point alone with its kept edit.
      const kind = imports(page).getByLabel('Type d’enregistrement', { exact: true });
      const rows = page.locator('tr.imports__row');
      await kind.selectOption('circuit');
      await page.locator(`tr.imports__row[data-key="gpx:${CIRCUIT.id}"]`).waitFor();
      await range(page, '1–1 sur 1');
      await eventually(async () => (await rows.count()) === 1, 'the circuit alone');
      await kind.selectOption('poi');
      const row = page.locator(`tr.imports__row[data-key="${ENGINS.key}"]`);
      await row.waitFor();
      await range(page, '1–1 sur 1');
      await eventually(async () => (await rows.count()) === 1, 'the point alone');
      // Only the edit changed, the source contradicts it: unchanged, the edit kept.
      assert.equal(await row.locator('td').first().textContent(), 'inchangé');
      const kept = row.locator('.imports__diff li').filter({ has: page.locator('.imports__kept') });
      assert.equal(await kept.locator('.imports__field').textContent(), 'description');
      assert.equal(await kept.locator('.imports__before').textContent(), EDITED);
      assert.match(await kept.locator('.imports__after').textContent(), new RegExp(`^${SOURCE_NEW}`));

      // Every record of the filter (the circuit) left out at once.
      await kind.selectOption('circuit');
      await page.locator(`tr.imports__row[data-key="gpx:${CIRCUIT.id}"]`).waitFor();
      await imports(page).getByRole('button', { name: 'Exclure tous ceux du filtre', exact: true }).click();
      await imports(page).getByRole('status').filter({ hasText: 'Enregistrements exclus : 1.' }).waitFor();
      assert.equal(await imports(page).getByRole('checkbox', { name: `Exclure ${CIRCUIT.name}`, exact: true }).isChecked(), true);

      await kind.selectOption('poi');
      await row.waitFor();
      const take = imports(page).getByRole('checkbox', { name: `Prendre la valeur de la source pour description ${ENGINS.name}`, exact: true });
      assert.equal(await take.isChecked(), false);
      await take.check();
      await audit(t, page, 'plan with its kind filter and kept edits');
      // The ticks outlive a change of filter.
      await kind.selectOption('');
      await range(page, '1–2 sur 2');
      assert.equal(await take.isChecked(), true);

      const sent = page.waitForRequest((r) => r.url().endsWith('/commit') && r.method() === 'POST');
      await imports(page).getByRole('button', { name: 'Valider l’import', exact: true }).click();
      const body = (await sent).postDataJSON();
      assert.deepEqual(body.take_source, [{ key: ENGINS.key, field: 'description' }]);
      assert.deepEqual(body.exclude, [`gpx:${CIRCUIT.id}`]);
      await page.getByText(/^Import validé par /).waitFor();

      // The public point has the source's text; the left-out circuit keeps its own.
      await eventually(
        async () => (await env.apiJson(context, `/api/v1/pois/${ENGINS.id}`)).properties.description.startsWith(SOURCE_NEW),
        'the public point shows the source’s new text',
      );
      const circuit = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT.id}`);
      assert.ok(circuit.properties.description.startsWith(CIRCUIT_OLD), 'the excluded circuit is unchanged');

      // The report, downloaded from the committed job, and linked from its history row.
      const link = imports(page).locator('.imports__job').getByRole('link', { name: 'Télécharger le rapport (CSV) provins-remparts.gpx', exact: true });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      assert.match(download.suggestedFilename(), /\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8');
      assert.equal(csv.split(/\r?\n/)[0].replace(/^\uFEFF/, ''), REPORT_HEADER);
      assert.ok(csv.includes(ENGINS.key), 'the report lists the point');
      const history = page.locator('.imports__history tbody tr').first();
      await eventually(async () => (await history.textContent()).includes('validé'), 'the history shows the commit');
      assert.equal(await history.getByRole('link').getAttribute('href'), await link.getAttribute('href'));

      // The point's history tells the import, by whom.
      await page.reload();
      await records(page).waitFor();
      await findPoi(page, ENGINS);
      assert.equal(await records(page).getByLabel('Description', { exact: true }).inputValue().then((v) => v.startsWith(SOURCE_NEW)), true);
      const imported = records(page).getByRole('table', { name: 'Historique', exact: true }).getByRole('row').filter({ hasText: 'import' });
      await imported.first().waitFor();
      assert.match(await imported.first().textContent(), new RegExp(ADMIN.replace('.', '\\.')));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a record created by an import: its history says so, in both languages', async () => {
    const { context, page, errors } = await loggedIn();
    try {
      await plan(page, files.merimee, 'ariane');
      await range(page, '1–1 sur 1');
      // Statuses other than create and update are not left out: nothing to exclude in a
      // filter of rejections.
      await imports(page).getByLabel('Statut', { exact: true }).selectOption('rejected');
      await range(page, '0–0 sur 0');
      await imports(page).getByRole('button', { name: 'Exclure tous ceux du filtre', exact: true }).click();
      await imports(page).getByRole('status').filter({ hasText: 'Enregistrements exclus : 0.' }).waitFor();
      await imports(page).getByRole('button', { name: 'Valider l’import', exact: true }).click();
      await page.getByText(/^Import validé par /).waitFor();

      await findPoi(page, MONUMENT);
      const history = records(page).getByRole('table', { name: 'Historique', exact: true });
      const first = history.getByRole('row').filter({ hasText: 'création' });
      await first.waitFor();
      assert.match(await first.textContent(), /import/);
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('table', { name: 'History', exact: true }).getByRole('row').filter({ hasText: 'created' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
