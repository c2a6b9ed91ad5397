// Browser test of the back-office's "Accounts" section (/admin, admins only): an editor
// added from the page is listed and can log in, without the section; disabled from the
// page, their session ends; a refusal of the server is said with its reason; axe-core on
// the section. The first admin is made with `balade user add` on the test server's database.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv } from './support/server.mjs';

const PASSWORD = 'un mot de passe de randonneur';
const ADMIN = 'admin@balade.test';
const EDITOR = { email: 'guide@provins.fr', territory: '77379, 200072130', password: 'les remparts de Provins' };
const SHORT = { email: 'court@balade.test', password: 'trop court' };

const env = new BrowserEnv('balade-pwa-users-');
let baseUrl = '';

const section = (page) => page.locator('#users');

async function logIn(page, email, password) {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
}

/** The accounts' table as shown: one array of cell texts per row. */
function shownAccounts(page) {
  return section(page)
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll('th, td'), (c) => c.textContent.trim())));
}

/** Fills the form that adds an account and sends it. */
async function addAccount(page, { email, role, territory = '', password }) {
  const form = section(page).locator('form');
  await form.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await form.getByLabel('Rôle', { exact: true }).selectOption(role);
  await form.getByLabel('Territoire (codes séparés par des virgules)', { exact: true }).fill(territory);
  await form.getByLabel('Mot de passe', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Ajouter le compte', exact: true }).click();
}

describe('back-office accounts (/admin)', () => {
  before(async () => {
    baseUrl = await env.setUp();
    await env.balade(['user', 'add', ADMIN, '--role', 'admin', '--password-stdin'], { input: `${PASSWORD}\n` });
  });

  after(() => env.tearDown());

  test('an editor added from the page logs in without the section, and is logged out once disabled', async (t) => {
    const admin = await env.newPage(AUDITED);
    const editor = await env.newPage();
    try {
      const { page } = admin;
      await logIn(page, ADMIN, PASSWORD);
      await page.getByRole('heading', { level: 2, name: 'Comptes', exact: true }).waitFor();
      await section(page).locator('tbody tr').first().waitFor();
      assert.deepEqual(await shownAccounts(page), [[ADMIN, 'administrateur', '–', 'actif', '']], 'one cannot disable oneself');
      // The hints are the fields' descriptions.
      const territory = section(page).getByLabel('Territoire (codes séparés par des virgules)', { exact: true });
      const hint = await page.locator(`#${await territory.getAttribute('aria-describedby')}`).textContent();
      assert.match(hint, /^Codes INSEE des communes ou SIREN des intercommunalités/);
      const password = section(page).getByLabel('Mot de passe', { exact: true });
      assert.equal(await page.locator(`#${await password.getAttribute('aria-describedby')}`).textContent(), 'Au moins 12 caractères.');

      // A refusal: the server's reason, in the alert; nothing added.
      await addAccount(page, { email: SHORT.email, role: 'moderator', password: SHORT.password });
      const refusal = section(page).getByRole('alert');
      await refusal.waitFor();
      assert.match(await refusal.textContent(), /^Le serveur répond : .*12/);
      assert.equal((await shownAccounts(page)).length, 1);

      await addAccount(page, { ...EDITOR, role: 'editor' });
      await section(page).getByRole('status').filter({ hasText: `Compte ${EDITOR.email} ajouté (éditeur).` }).waitFor();
      assert.equal(await section(page).getByRole('alert').count(), 0, 'the refusal is gone');
      await section(page).locator(`tr[data-email="${EDITOR.email}"]`).waitFor();
      const rows = await shownAccounts(page);
      const added = rows.find((r) => r[0] === EDITOR.email);
      assert.ok(added, rows.join(' | '));
      assert.deepEqual([added[1], added[3]], ['éditeur', 'actif']);
      // The codes in the server's order.
      assert.deepEqual(added[2].split(', ').sort(), ['200072130', '77379']);
      assert.equal(await section(page).getByLabel('Adresse e-mail', { exact: true }).inputValue(), '', 'the form is emptied');
      await audit(t, page, 'accounts section');

      // The new editor logs in (another browser context) and has no accounts section.
      await logIn(editor.page, EDITOR.email, EDITOR.password);
      await editor.page.getByRole('heading', { level: 2, name: 'Imports', exact: true }).waitFor();
      assert.equal(await editor.page.getByRole('heading', { name: 'Comptes', exact: true }).count(), 0);
      assert.equal(await editor.page.locator('#users').count(), 0);
      assert.equal((await editor.context.request.get(`${baseUrl}/api/v1/admin/users`)).status(), 403);

      // Disabling is asked twice; going back leaves the account as it was.
      await section(page).getByRole('button', { name: `Désactiver ${EDITOR.email}`, exact: true }).click();
      const cancel = section(page).getByRole('button', { name: `Annuler ${EDITOR.email}`, exact: true });
      const confirm = section(page).getByRole('button', { name: `Confirmer la désactivation de ${EDITOR.email}`, exact: true });
      await confirm.waitFor();
      assert.equal(await confirm.evaluate((el) => el === document.activeElement), true, 'the confirmation has the focus');
      await cancel.click();
      await section(page).getByRole('button', { name: `Désactiver ${EDITOR.email}`, exact: true }).waitFor();
      assert.equal((await editor.context.request.get(`${baseUrl}/api/v1/auth/me`)).status(), 200);

      await section(page).getByRole('button', { name: `Désactiver ${EDITOR.email}`, exact: true }).click();
      await confirm.click();
      await section(page).getByRole('status').filter({ hasText: `Compte ${EDITOR.email} désactivé` }).waitFor();
      await section(page).locator(`tr[data-email="${EDITOR.email}"] td`).filter({ hasText: 'désactivé' }).waitFor();
      assert.equal(await section(page).getByRole('button', { name: `Désactiver ${EDITOR.email}`, exact: true }).count(), 0);

      // The editor's next step finds the session gone: the login form.
      await editor.page.reload();
      await editor.page.getByRole('heading', { level: 1, name: 'Connexion à l’administration', exact: true }).waitFor();
      await editor.page.getByLabel('Adresse e-mail', { exact: true }).fill(EDITOR.email);
      await editor.page.getByLabel('Mot de passe', { exact: true }).fill(EDITOR.password);
      await editor.page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await editor.page.getByRole('alert').filter({ hasText: /./ }).waitFor();
      assert.equal((await editor.context.request.get(`${baseUrl}/api/v1/auth/me`)).status(), 401);

      // In English, the same table.
      await page.getByLabel('Langue / Language').selectOption('en');
      await page.getByRole('heading', { level: 2, name: 'Accounts', exact: true }).waitFor();
      const english = (await shownAccounts(page)).find((r) => r[0] === EDITOR.email);
      assert.deepEqual([english[1], english[3]], ['editor', 'disabled']);
      await section(page).getByLabel('Territory (codes separated by commas)', { exact: true }).waitFor();
      assert.deepEqual(admin.errors, []);
      assert.deepEqual(editor.errors, []);
    } finally {
      await admin.context.close();
      await editor.context.close();
    }
  });
});
