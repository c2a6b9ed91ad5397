// Browser test of the back-office's "Embed on your website" section (/admin, any staff): an
// editor picks the commune 77379, the preview lists its circuits (the Provins loop among
// them), the code to copy pins the widget with the SRI hash the server publishes and names
// the commune, the iframe code points at /embed; the copy button fills the clipboard;
// axe-core on the section.
//
// Needs `npm run build` (dist/, with dist/widget/v1/) and the server binary (`cargo build`
// at the repo root, or BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv } from './support/server.mjs';

const PASSWORD = 'les remparts de Provins';
const EDITOR = 'guide@provins.fr';
const COMMUNE = '77379'; // Provins
const CIRCUIT = 'provins-remparts';

const env = new BrowserEnv('balade-pwa-embed-');
let baseUrl = '';

/** Logs the editor in and picks the commune: the section, and its preview once it lists `name`. */
async function pickCommune(page, name) {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(EDITOR);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  const section = page.getByRole('region', { name: 'Intégrer sur votre site' });
  await section.getByRole('heading', { level: 2, name: 'Intégrer sur votre site' }).waitFor();
  // The communes by name come from the public list's facets; the code is typed.
  await section.getByLabel('Communes', { exact: true }).locator('option[value="Provins"]').waitFor({ state: 'attached' });
  await section.getByLabel('Ou codes INSEE des communes', { exact: true }).fill(COMMUNE);
  const widget = section.locator('balade-circuits');
  await page.waitForFunction((c) => document.querySelector('#embed balade-circuits')?.getAttribute('commune') === c, COMMUNE);
  await widget.getByRole('button', { name, exact: true }).waitFor();
  return { section, widget };
}

describe('back-office: embed on your website (/admin)', () => {
  before(async () => {
    baseUrl = await env.setUp();
    await env.balade(['user', 'add', EDITOR, '--role', 'editor', '--territory', COMMUNE, '--password-stdin'], { input: `${PASSWORD}\n` });
  });

  after(() => env.tearDown());

  test('an editor picks a commune, sees the preview and copies a pinned snippet', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
      const published = await env.apiJson(context, '/widget/v1/integrity.json');
      const integrity = published['balade-circuits.js'];
      assert.match(integrity, /^sha384-/);
      const list = await env.apiJson(context, `/api/v1/circuits?commune=${COMMUNE}&lang=fr`);
      const names = list.features.map((f) => f.properties.name);
      const { properties: loop } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}?lang=fr`);

      // The page keeps the server's CSP: the widget's file and style pass it.
      const { section, widget } = await pickCommune(page, loop.name);
      assert.deepEqual(await widget.getByRole('list', { name: 'Circuits' }).locator('h3').allTextContents(), names);

      const script = section.getByLabel('Code du widget (script et élément)');
      await page.waitForFunction(() => /integrity="sha384-/.test(document.querySelector('#embed textarea')?.value || ''));
      const code = await script.inputValue();
      assert.ok(code.includes(`src="${baseUrl}/widget/v1/balade-circuits.js"`), code);
      assert.ok(code.includes(`integrity="${integrity}"`), code);
      assert.ok(code.includes('crossorigin="anonymous"'), code);
      assert.match(code, new RegExp(`<balade-circuits[^>]* commune="${COMMUNE}"[^>]*></balade-circuits>`));
      assert.equal(await script.getAttribute('readonly'), '');

      const frameCode = await section.getByLabel(/une iframe$/).inputValue();
      assert.ok(frameCode.includes(`src="${baseUrl}/embed?commune=${COMMUNE}&amp;`), frameCode);
      assert.match(frameCode, /<iframe [^>]*title="[^"]+"/);

      await section.getByRole('button', { name: 'Copier le code', exact: true }).click();
      await section.getByRole('status').filter({ hasText: 'Code copié.' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);

      // The other choices reach the widget and the code.
      await section.getByLabel('Langue du widget').selectOption('en');
      await widget.getByRole('list', { name: 'Walks' }).waitFor();
      assert.match(await script.inputValue(), /lang="en"/);

      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the section passes axe with its preview shown', async (t) => {
    const { context, page } = await env.newPage(AUDITED);
    try {
      const { properties: loop } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}?lang=fr`);
      await pickCommune(page, loop.name);
      await audit(t, page, 'embed section');
    } finally {
      await context.close();
    }
  });
});
