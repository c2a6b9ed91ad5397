// Browser test of the back-office's "Moderation" section (/admin, moderators and admins):
// contributions sent through the public API are in the queue with their counts; a moderator
// publishes a review (the public list then has it), rejects a correction, moves a report
// to "in progress" then "resolved", rejects two reviews at once; the history tells who
// decided what; the reports' export is a GeoJSON file without any e-mail; an editor has
// no such section and the API refuses it; axe-core on the section.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv, REPO } from './support/server.mjs';

const PASSWORD = 'un mot de passe de randonneur';
const MODERATOR = 'moderatrice@balade.test';
const EDITOR = 'editeur@balade.test';
const WALKER_EMAIL = 'randonneuse@example.org';
const REVIEWS = [
  { name: 'Marie', rating: 5, text: 'Très belle boucle,\nbien balisée.' },
  { name: 'Paul', rating: 2, text: 'Trop de boue.' },
  // Markup from a walker is text, never markup.
  { name: 'Jeanne', rating: 1, text: '<b>gras</b> <img src=x>' },
];
const REPORT = { lon: 3.2915, lat: 48.5603, category: 'fallen_tree', message: 'Un chêne barre le chemin après le lavoir.' };
const PROPOSED = 'Le nom proposé par un randonneur';

const env = new BrowserEnv('balade-pwa-moderation-');
let baseUrl = '';
/** The demo circuit the contributions are about. */
let circuit = { id: '', name: '' };

const section = (page) => page.getByRole('region', { name: 'Modération', exact: true });
const item = (page, name) => section(page).getByRole('article', { name, exact: true });

/** A public write from outside the browser, as a walker's phone would send it. */
async function post(urlPath, body, device) {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Balade-Device': device },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  assert.equal(res.status, 202, `POST ${urlPath} → ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Opens /admin in a fresh context and logs in; resolves once the session is shown. */
async function loggedIn(email, options = {}) {
  const opened = await env.newPage(options);
  const { page } = opened;
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
  return opened;
}

/** Waits for the section's status to say `text`. */
const said = (page, text) => section(page).getByRole('status').filter({ hasText: text }).first().waitFor();

describe('back-office moderation (/admin)', () => {
  /** Ids of what was sent. */
  const sent = { reviews: /** @type {string[]} */ ([]), report: '', correction: '' };

  before(async () => {
    baseUrl = await env.setUp();
    await env.balade(['user', 'add', MODERATOR, '--role', 'moderator', '--password-stdin'], { input: `${PASSWORD}\n` });
    await env.balade(['user', 'add', EDITOR, '--role', 'editor', '--territory', '77379', '--password-stdin'], { input: `${PASSWORD}\n` });
    const list = await (await fetch(`${baseUrl}/api/v1/circuits`)).json();
    circuit = { id: list.features[0].id, name: list.features[0].properties.name };
    for (const [i, r] of REVIEWS.entries()) {
      sent.reviews.push((await post(`/api/v1/circuits/${encodeURIComponent(circuit.id)}/reviews`, r, `device-review-${i}`)).id);
    }
    sent.correction = (await post('/api/v1/corrections', { target: `circuit:${circuit.id}`, field: 'name', text: PROPOSED }, 'device-correction')).id;
    sent.report = (await post('/api/v1/reports', { ...REPORT, email: WALKER_EMAIL, circuit: circuit.id }, 'device-report')).id;
  });

  after(() => env.tearDown());

  test('a moderator works through the queue', async (t) => {
    const { page, context, errors } = await loggedIn(MODERATOR, AUDITED);
    try {
      await section(page).getByRole('heading', { level: 2, name: 'Modération', exact: true }).waitFor();
      // The counts, each a filter.
      await section(page).getByRole('button', { name: 'File à traiter (5)', exact: true }).waitFor();
      for (const name of ['Avis en attente (3)', 'Corrections en attente (1)', 'Signalements nouveau (1)', 'Avis publié (0)']) {
        await section(page).getByRole('button', { name, exact: true }).waitFor();
      }
      assert.equal(await section(page).getByRole('button', { name: 'File à traiter (5)', exact: true }).getAttribute('aria-pressed'), 'true');
      await item(page, 'Avis de Marie').waitFor();
      assert.equal(await section(page).getByRole('article').count(), 5);

      // A review as plain text, its stars and its rating.
      const jeanne = item(page, 'Avis de Jeanne');
      assert.match(await jeanne.textContent(), /<b>gras<\/b> <img src=x>/);
      assert.equal(await jeanne.locator('b, img').count(), 0);
      assert.match(await item(page, 'Avis de Marie').textContent(), /★★★★★ Note : 5 sur 5/);

      // The correction: the record's name now beside the proposed text.
      const correctionName = `Correction du nom de « ${circuit.name} »`;
      const correction = item(page, correctionName);
      await correction.waitFor();
      const compared = await correction.locator('dd').allTextContents();
      assert.deepEqual(compared, [circuit.name, PROPOSED]);

      // The report: its category in French, message, position, the contact without the address.
      const reportName = 'Signalement : Arbre tombé';
      const report = item(page, reportName);
      const reportText = await report.textContent();
      assert.match(reportText, /Un chêne barre le chemin/);
      assert.match(reportText, /Position : 48\.56030, 3\.29150/);
      assert.match(reportText, /Le randonneur a laissé un moyen de le recontacter\./);
      assert.ok(!(await section(page).textContent()).includes(WALKER_EMAIL), 'the e-mail is never shown');
      // On the map, a marker named by the report.
      await section(page).locator(`.leaflet-marker-icon[title="${reportName} (nouveau)"]`).waitFor();

      await audit(t, page, 'moderation section');

      // Publish one review: the public list then has it.
      await item(page, 'Avis de Marie').getByRole('button', { name: 'Publier Avis de Marie', exact: true }).click();
      await said(page, 'Avis de Marie : publié.');
      await section(page).getByRole('button', { name: 'Avis publié (1)', exact: true }).waitFor();
      await item(page, 'Avis de Marie').waitFor({ state: 'detached' });
      const publicList = await env.apiJson(context, `/api/v1/circuits/${encodeURIComponent(circuit.id)}/reviews`);
      assert.deepEqual(publicList.reviews.map((r) => [r.name, r.rating]), [['Marie', 5]]);

      // Reject the correction.
      await correction.getByRole('button', { name: `Rejeter ${correctionName}`, exact: true }).click();
      await said(page, `${correctionName} : rejetée.`);
      await section(page).getByRole('button', { name: 'Corrections rejetée (1)', exact: true }).waitFor();

      // The report: in progress, then resolved.
      await report.getByLabel(`Nouvel état ${reportName}`, { exact: true }).selectOption({ label: 'En cours' });
      await report.getByRole('button', { name: `Mettre à jour ${reportName}`, exact: true }).click();
      await said(page, `${reportName} : en cours.`);
      await section(page).getByRole('button', { name: 'Signalements en cours (1)', exact: true }).waitFor();
      assert.equal(await report.getByLabel(`Nouvel état ${reportName}`, { exact: true }).inputValue(), 'in_progress');
      await report.getByLabel(`Nouvel état ${reportName}`, { exact: true }).selectOption({ label: 'Résolu' });
      await report.getByRole('button', { name: `Mettre à jour ${reportName}`, exact: true }).click();
      await said(page, `${reportName} : résolu.`);
      await section(page).getByRole('button', { name: 'Signalements résolu (1)', exact: true }).waitFor();

      // Two reviews rejected at once.
      await section(page).getByRole('checkbox', { name: 'Sélectionner : Avis de Paul', exact: true }).check();
      await section(page).getByRole('checkbox', { name: 'Sélectionner : Avis de Jeanne', exact: true }).check();
      assert.equal(await section(page).getByRole('checkbox', { name: 'Tout sélectionner', exact: true }).isChecked(), true, 'every item of the page');
      await section(page).getByRole('button', { name: 'Rejeter la sélection', exact: true }).click();
      await said(page, 'Traitées : 2. Échecs : 0.');
      await section(page).getByRole('button', { name: 'Avis rejeté (2)', exact: true }).waitFor();
      await section(page).getByRole('button', { name: 'File à traiter (0)', exact: true }).waitFor();
      await section(page).getByText('Aucune contribution ne correspond.', { exact: true }).waitFor();

      // Every status: the history of each decision, with the moderator's e-mail.
      await section(page).getByLabel('État', { exact: true }).selectOption('all');
      await item(page, 'Avis de Marie').waitFor();
      const history = async (name) => {
        await item(page, name).getByRole('button', { name: `Historique ${name}`, exact: true }).click();
        const table = item(page, name).getByRole('table');
        await table.waitFor();
        return table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent.trim())));
      };
      // The moderator's decisions, whatever the log's order and whatever else it keeps.
      const decisions = (rows) => rows.filter((r) => r[1] === MODERATOR).map((r) => r.slice(1)).sort();
      assert.deepEqual(decisions(await history('Avis de Marie')), [[MODERATOR, 'publier', 'en attente → publié']]);
      assert.deepEqual(decisions(await history('Avis de Paul')), [[MODERATOR, 'rejeter', 'en attente → rejeté']]);
      assert.deepEqual(decisions(await history(correctionName)), [[MODERATOR, 'rejeter', 'en attente → rejetée']]);
      assert.deepEqual(decisions(await history(reportName)), [
        [MODERATOR, 'en cours', 'nouveau → en cours'],
        [MODERATOR, 'résolu', 'en cours → résolu'],
      ].sort());

      // The export, under the filters: the report, and no e-mail anywhere.
      const geojson = section(page).getByRole('link', { name: 'Exporter GeoJSON', exact: true });
      const href = await geojson.getAttribute('href');
      assert.match(href, /^\/api\/v1\/admin\/reports\/export\?format=geojson/);
      const res = await context.request.get(`${baseUrl}${href}`);
      assert.equal(res.status(), 200);
      const raw = await res.text();
      const collection = JSON.parse(raw);
      assert.equal(collection.type, 'FeatureCollection');
      assert.deepEqual(collection.features.map((f) => f.id ?? f.properties?.id), [sent.report]);
      assert.ok(!/email/i.test(raw) && !raw.includes(WALKER_EMAIL), raw);
      const csvHref = await section(page).getByRole('link', { name: 'Exporter CSV', exact: true }).getAttribute('href');
      const csv = await context.request.get(`${baseUrl}${csvHref}`);
      assert.equal(csv.status(), 200);
      assert.ok(!/email/i.test(await csv.text()));
      // A filter goes into the export's address.
      await section(page).getByLabel('Catégorie (signalements)', { exact: true }).selectOption('litter');
      await section(page).locator('a[href*="category=litter"]').first().waitFor();
      assert.match(await geojson.getAttribute('href'), /[?&]category=litter(&|$)/);

      await audit(t, page, 'moderation section, every status');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('an editor has no moderation section, and the API refuses it', async () => {
    const { page, context, errors } = await loggedIn(EDITOR);
    try {
      await page.getByRole('heading', { level: 2, name: 'Imports', exact: true }).waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Modération', exact: true }).count(), 0);
      assert.equal(await page.locator('#moderation').count(), 0);
      assert.equal((await context.request.get(`${baseUrl}/api/v1/admin/moderation`)).status(), 403);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a published review flagged by a walker comes back with the reason', async () => {
    const flag = await fetch(`${baseUrl}/api/v1/reviews/${sent.reviews[0]}/flag`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Balade-Device': 'device-flag' },
      body: JSON.stringify({ reason: 'Propos sans rapport avec le circuit' }),
    });
    assert.equal(flag.status, 202);
    const { page, context, errors } = await loggedIn(MODERATOR);
    try {
      await section(page).getByRole('button', { name: 'Avis signalé (1)', exact: true }).click();
      // Once the flagged reviews are loaded, the chip is pressed.
      await section(page).getByRole('button', { name: 'Avis signalé (1)', exact: true, pressed: true }).waitFor();
      const marie = item(page, 'Avis de Marie');
      assert.equal(await section(page).getByRole('article').count(), 1);
      assert.equal(await section(page).getByLabel('État', { exact: true }).inputValue(), 'flagged');
      const text = await marie.textContent();
      assert.match(text, /Signalé 1 fois par des randonneurs/);
      assert.match(text, /Propos sans rapport avec le circuit/);
      await marie.getByRole('button', { name: 'Historique Avis de Marie', exact: true }).click();
      await marie.getByRole('table').waitFor();
      const rows = await marie.locator('tbody tr').evaluateAll((trs) => trs.map((r) => Array.from(r.cells, (c) => c.textContent.trim()).slice(1)));
      assert.ok(rows.some((r) => r.join('|') === 'un randonneur|signalement|publié → signalé'), JSON.stringify(rows));
      // Kept: published again.
      await marie.getByRole('button', { name: 'Publier Avis de Marie', exact: true }).click();
      await said(page, 'Avis de Marie : publié.');
      await section(page).getByRole('button', { name: 'Avis signalé (0)', exact: true }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a report with a photo: its thumbnail, for the moderator only', async () => {
    const photo = readFileSync(path.join(REPO, 'pwa/public/icons/icon-192.png'));
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...REPORT, category: 'litter', message: 'Des sacs au pied du panneau.' })) form.append(k, String(v));
    form.append('photo', new Blob([photo], { type: 'image/png' }), 'sacs.png');
    const res = await fetch(`${baseUrl}/api/v1/reports`, { method: 'POST', body: form, headers: { 'X-Balade-Device': 'device-photo' } });
    const sentReport = await res.json();
    assert.equal(res.status, 202, JSON.stringify(sentReport));
    const { id } = sentReport;

    const { page, context, errors } = await loggedIn(MODERATOR);
    try {
      const name = 'Signalement : Déchets';
      const thumb = item(page, name).getByRole('img', { name: `Photo 1 jointe : ${name}`, exact: true });
      await thumb.waitFor();
      await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
      const src = await thumb.getAttribute('src');
      assert.equal((await context.request.get(`${baseUrl}${src}`)).status(), 200);
      // Not public: the report is not a published review.
      assert.notEqual((await fetch(`${baseUrl}${src}`)).status, 200);
      assert.ok(src.includes(id), src);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
