// Browser test of the back-office's section "Circuits et points d'intérêt" (/admin): an
// editor of Provins changes a point of interest and the public API shows it; a second,
// stale form of the same record is told the record changed meanwhile, with the current
// value; the history shows the change, and going back to the source's values puts the
// public text back; an editor of another commune is refused with the server's reason; an
// admin unpublishes a circuit and it leaves the public list. axe-core on the form.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv } from './support/server.mjs';

const PASSWORD = 'un mot de passe de randonneur';
const PROVINS_EDITOR = { email: 'editrice@provins.fr', territory: '77379' };
const OTHER_EDITOR = { email: 'editeur@moret.fr', territory: '77284' };
const ADMIN = { email: 'admin@balade.test' };
const CIRCUIT = { id: 'provins-remparts', name: 'Provins, les remparts et la ville haute' };
const POI = { id: 'provins-remparts.les-remparts-et-la-tour-aux-engins', name: 'Les remparts et la tour aux Engins' };

const env = new BrowserEnv('balade-pwa-admin-records-');
let baseUrl = '';

/** `balade user add` with the test password on standard input. */
function addUser(email, role, territory = '') {
  const args = ['user', 'add', email, '--role', role, '--password-stdin'];
  if (territory) args.push('--territory', territory);
  return env.balade(args, { input: `${PASSWORD}\n` });
}

/** Opens /admin in a fresh context and logs in; resolves once the section is there. */
async function loggedIn(email, options = {}) {
  const opened = await env.newPage(options);
  const { page } = opened;
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Circuits et points d’intérêt', exact: true }).waitFor();
  return opened;
}

/** The section, in French or English; the page has other sections. */
const section = (page, name = 'Circuits et points d’intérêt') => page.getByRole('region', { name, exact: true });

/** Searches the circuit, opens it; resolves once its form is shown. */
async function openCircuit(page) {
  await section(page).getByRole('searchbox', { name: 'Rechercher' }).fill('Provins');
  await section(page).getByRole('button', { name: 'Rechercher', exact: true }).click();
  await section(page).getByRole('button', { name: CIRCUIT.name, exact: true }).click();
  await section(page).getByRole('heading', { level: 4, name: `Circuit : ${CIRCUIT.name}`, exact: true }).waitFor();
}

/** Opens the circuit, then its point of interest; resolves once the POI's form is shown. */
async function openPoi(page) {
  await openCircuit(page);
  await section(page).getByRole('navigation', { name: 'Points d’intérêt du circuit' }).getByRole('button', { name: POI.name, exact: true }).click();
  await section(page).getByRole('heading', { level: 4, name: `Point d’intérêt : ${POI.name}`, exact: true }).waitFor();
}

/** The POI's description as the public API gives it. */
async function publicDescription(context) {
  const body = await env.apiJson(context, `/api/v1/pois/${encodeURIComponent(POI.id)}`);
  return body.properties.description;
}

/**
 * Resolves once `check()` resolves to true; the public API catches up with an edit a moment
 * after it is saved (its lists are rebuilt in the background).
 */
async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`still not true after ${timeoutMs / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The text of the alert that says something matching `re`. */
async function alertMatching(page, re) {
  const alert = section(page).getByRole('alert').filter({ hasText: re });
  await alert.waitFor();
  return (await alert.textContent()).trim();
}

describe('back-office: circuits and points of interest (/admin)', () => {
  before(async () => {
    baseUrl = await env.setUp();
    await addUser(PROVINS_EDITOR.email, 'editor', PROVINS_EDITOR.territory);
    await addUser(OTHER_EDITOR.email, 'editor', OTHER_EDITOR.territory);
    await addUser(ADMIN.email, 'admin');
  });

  after(() => env.tearDown());

  test('an editor saves a change, a stale form is told, the history shows it, and the source comes back', async (t) => {
    const first = await loggedIn(PROVINS_EDITOR.email, AUDITED);
    const second = await loggedIn(PROVINS_EDITOR.email);
    try {
      const original = await publicDescription(first.context);
      assert.ok(original.length > 0);
      await openPoi(first.page);
      await openPoi(second.page);
      await audit(t, first.page, 'record form');

      const description = section(first.page).getByLabel('Description', { exact: true });
      assert.equal(await description.inputValue(), original);
      const edited = 'Le chemin des fossés longe les courtines ; la tour aux Engins domine la porte de Jouy.';
      await description.fill(edited);
      await section(first.page).getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await section(first.page).getByRole('status').filter({ hasText: 'Modifications enregistrées.' }).waitFor();
      await eventually(async () => (await publicDescription(first.context)) === edited, 'the public API shows the edit');
      // The field is now marked as set by a person.
      assert.equal(await section(first.page).getByLabel('Description', { exact: true }).getAttribute('aria-describedby') !== null, true);
      await section(first.page).getByText('modifié à la main', { exact: true }).waitFor();

      // The second form still holds version 0: its change is refused, with the current value shown.
      await section(second.page).getByLabel('Description', { exact: true }).fill('Un autre texte, écrit sans savoir.');
      await section(second.page).getByRole('button', { name: 'Enregistrer', exact: true }).click();
      assert.match(await alertMatching(second.page, /modifiée entre-temps/), /^Cette fiche a été modifiée entre-temps/);
      const conflict = section(second.page).getByRole('table', { name: 'Valeurs actuelles et les vôtres' });
      const row = conflict.getByRole('row').filter({ hasText: 'Description' });
      assert.match(await row.textContent(), /la tour aux Engins domine la porte de Jouy\..*Un autre texte, écrit sans savoir\./);
      assert.equal(await publicDescription(second.context), edited);
      // Reloading on the current version shows the first editor's text.
      await section(second.page).getByRole('button', { name: 'Recharger la version actuelle', exact: true }).click();
      assert.equal(await section(second.page).getByLabel('Description', { exact: true }).inputValue(), edited);
      await section(second.page).getByText('Version 1', { exact: true }).waitFor();

      // The history: version 1, by the editor, before → after.
      const history = section(first.page).getByRole('table', { name: 'Historique', exact: true });
      const entry = history.getByRole('row').filter({ hasText: edited });
      await entry.waitFor();
      const entryText = await entry.textContent();
      assert.ok(entryText.startsWith('1'), entryText);
      assert.ok(entryText.includes(PROVINS_EDITOR.email), entryText);
      assert.ok(entryText.includes(`${original} → ${edited}`), entryText);

      await section(first.page).getByRole('button', { name: 'Revenir au texte de la source', exact: true }).click();
      await section(first.page).getByRole('status').filter({ hasText: 'Version rétablie.' }).waitFor();
      await eventually(async () => (await publicDescription(first.context)) === original, 'the public API shows the source text');
      assert.equal(await section(first.page).getByLabel('Description', { exact: true }).inputValue(), original);
      // Version 1 can be brought back, by a button that names it.
      await section(first.page).getByRole('button', { name: 'Revenir à cette version (version 1)', exact: true }).waitFor();

      assert.deepEqual(first.errors, []);
      assert.deepEqual(second.errors, []);
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });

  test('an editor of another commune is refused, with the reason', async () => {
    const { context, page, errors } = await loggedIn(OTHER_EDITOR.email);
    try {
      const before = await publicDescription(context);
      await openPoi(page);
      await section(page).getByLabel('Description', { exact: true }).fill('Un texte venu d’ailleurs.');
      await section(page).getByRole('button', { name: 'Enregistrer', exact: true }).click();
      const text = await alertMatching(page, /territor/);
      assert.match(text, /^Modification refusée : .*outside your territory/);
      assert.equal(await publicDescription(context), before);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('an admin unpublishes a circuit: it leaves the public list', async () => {
    const { context, page, errors } = await loggedIn(ADMIN.email);
    try {
      const listed = async () => (await env.apiJson(context, '/api/v1/circuits')).features.map((f) => f.id);
      assert.ok((await listed()).includes(CIRCUIT.id));
      await openCircuit(page);
      const published = section(page).getByLabel('Publié', { exact: true });
      assert.equal(await published.isChecked(), true);
      await published.uncheck();
      await section(page).getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await section(page).getByRole('status').filter({ hasText: 'Modifications enregistrées.' }).waitFor();
      await eventually(async () => !(await listed()).includes(CIRCUIT.id), 'the circuit leaves the public list');
      // The staff list still has it, marked as not published.
      await section(page).getByRole('button', { name: 'Rechercher', exact: true }).click();
      await section(page).getByRole('listitem').filter({ hasText: CIRCUIT.name }).filter({ hasText: 'non publié' }).waitFor();

      // In English, the form and the list follow.
      await page.getByLabel('Langue / Language').selectOption('en');
      const english = section(page, 'Circuits and points of interest');
      await english.getByRole('button', { name: 'Save', exact: true }).waitFor();
      assert.equal(await english.getByLabel('Published', { exact: true }).isChecked(), false);
      await english.getByRole('listitem').filter({ hasText: CIRCUIT.name }).filter({ hasText: 'not published' }).waitFor();
      await english.getByRole('heading', { level: 4, name: `Circuit: ${CIRCUIT.name}`, exact: true }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
