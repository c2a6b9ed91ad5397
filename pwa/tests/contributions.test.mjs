// Browser tests of the walker's contributions against the real Balade server (demo data):
// a trail report filed from the guide with the network cut (kept in the outbox, sent once
// when the network is back, its photo's EXIF block gone), a review shown only once a
// moderator published it (sheet and list card), a correction reaching the moderation queue,
// and the forms' accessibility (axe).
//
// Needs `npm run build` (dist/) and a server binary with the contributions API
// (BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { AUDITED, audit } from './support/axe.mjs';
import { waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const CIRCUIT = process.env.BALADE_OFFLINE_CIRCUIT || 'provins-remparts';
const MODERATOR = { email: 'moderatrice@provins.fr', password: 'un mot de passe de randonneur' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const env = new BrowserEnv('balade-pwa-contributions-');
let baseUrl = '';
/** The moderator's session, straight to the server (not through the relay the tests cut). */
let staff;

/** The moderation queue of `kind`, every status. */
async function moderation(kind) {
  const res = await staff.get(`/api/v1/admin/moderation?kind=${kind}&status=all`);
  assert.equal(res.status(), 200, `moderation ${kind} → ${res.status()} ${await res.text()}`);
  return res.json();
}

/** Polls `fn` until it returns a truthy value (or fails after `timeout` ms). */
async function until(fn, timeout = 45_000, what = 'condition') {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A small JPEG drawn by the page, with an APP1 "Exif\0\0" segment (a minimal big-endian
 * TIFF header and an empty IFD) inserted right after the SOI marker 0xFFD8.
 */
async function jpegWithExif(page) {
  const bytes = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d');
    g.fillStyle = '#2b6340';
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#c04f00';
    g.fillRect(16, 12, 32, 24);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  const jpeg = Buffer.from(bytes);
  assert.equal(jpeg.readUInt16BE(0), 0xffd8, 'the canvas gave a JPEG');
  const payload = Buffer.concat([
    Buffer.from('Exif\0\0', 'latin1'),
    Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08]), // "MM", 42, first IFD at 8
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x00]), // no entries, no next IFD
  ]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length + 2);
  const out = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, payload, jpeg.subarray(2)]);
  assert.ok(out.includes('Exif'), 'the test photo carries an EXIF block');
  return out;
}

/** The text of the outbox panel's live region, once it says something matching `re`. */
async function liveSays(page, re) {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('.outbox__live')?.textContent ?? ''), re.source);
}

describe('Contributions of the walker', () => {
  before(async () => {
    env.prepare();
    baseUrl = await env.startServer();
    await env.balade(['user', 'add', MODERATOR.email, '--role', 'moderator', '--password-stdin'], { input: MODERATOR.password });
    staff = await request.newContext({ baseURL: env.server.url, extraHTTPHeaders: { Origin: env.server.url } });
    const login = await staff.post('/api/v1/auth/login', { data: { email: MODERATOR.email, password: MODERATOR.password } });
    assert.ok(login.ok(), `login → ${login.status()} ${await login.text()}`);
    await env.launchBrowser();
  });

  after(() => env.tearDown(() => staff?.dispose()));

  test('a trail report filed offline from the guide is sent once when the network is back, its photo without EXIF', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, permissions: ['geolocation'] });
    try {
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const [lon, lat] = guide.segments[0][3] ?? guide.segments[0][0];
      await context.setGeolocation({ latitude: lat, longitude: lon, accuracy: 5 });
      assert.equal((await moderation('report')).items.length, 0, 'no report before the test');

      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}/guide`);
      await waitForServiceWorker(page);
      await page.waitForFunction(() => Number(document.querySelector('.guide')?.dataset.fixes) >= 1);
      const photo = await jpegWithExif(page);

      await env.cutNetwork();
      await page.getByRole('button', { name: 'Signaler un problème' }).click();
      await page.getByLabel('Problème', { exact: true }).selectOption('fallen_tree');
      await page.getByLabel('Description du problème').fill('Un chêne barre le chemin après le lavoir.');
      await page.getByLabel('Photos (facultatif)').setInputFiles({ name: 'chene.jpg', mimeType: 'image/jpeg', buffer: photo });
      // The guide's last fix is the default place.
      await page.getByText(/^Lieu : /).waitFor();
      await page.getByRole('button', { name: 'Envoyer', exact: true }).click();

      // Kept on the phone, and said so.
      await page.getByRole('heading', { name: 'En attente d’envoi (1)' }).waitFor();
      await liveSays(page, /Enregistré sur le téléphone, sera envoyé au retour du réseau/);
      assert.match(await page.locator('.outbox__list').textContent(), /Signalement de problème/);
      assert.equal((await moderation('report')).items.length, 0, 'nothing reached the server while offline');

      // The network is back: sent (the app probes the server every 15 s while offline).
      await env.restoreNetwork();
      await page.getByRole('heading', { name: /En attente d’envoi/ }).waitFor({ state: 'hidden', timeout: 60_000 });
      const queue = await until(async () => {
        const q = await moderation('report');
        return q.items.length > 0 ? q : null;
      }, 30_000, 'the report on the server');
      assert.equal(queue.items.length, 1, 'exactly one report');
      const report = queue.items[0];
      assert.equal(report.category, 'fallen_tree');
      assert.equal(report.circuit, CIRCUIT);
      assert.ok(Math.abs(report.lon - lon) < 1e-3 && Math.abs(report.lat - lat) < 1e-3, `report at ${report.lon},${report.lat}`);
      await page.locator('.outbox__mine summary', { hasText: 'Mes signalements (1)' }).waitFor();

      // Reloaded: nothing is sent again.
      await page.reload();
      await page.waitForFunction(() => Number(document.querySelector('.guide')?.dataset.fixes) >= 1);
      await page.waitForTimeout(2000);
      assert.equal((await moderation('report')).items.length, 1, 'still exactly one report after a reload');
      assert.equal(await page.getByRole('heading', { name: /En attente d’envoi/ }).count(), 0);
      // "My reports": its status, read from the private follow link.
      await page.locator('.outbox__mine summary', { hasText: 'Mes signalements (1)' }).click();
      await page.locator('.outbox__reports li', { hasText: /Arbre tombé — .* : reçu/ }).waitFor();

      // The photo, re-encoded by the server: a JPEG without its EXIF block.
      assert.equal(report.photos.length, 1, JSON.stringify(report.photos));
      const res = await staff.get(report.photos[0]);
      assert.equal(res.status(), 200);
      const body = await res.body();
      assert.equal(body.readUInt16BE(0), 0xffd8, 'a JPEG');
      assert.ok(!body.includes('Exif'), 'no EXIF block left');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a review is shown once published, with the rating on the sheet and the list card', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Donner votre avis' }).click();
      await page.getByLabel('4 étoiles sur 5').check();
      await page.getByLabel('Votre avis (facultatif)').fill('Belle balade le long des remparts.');
      await page.getByLabel('Nom affiché').fill('Camille');
      await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
      await liveSays(page, /Avis envoyé/);
      await page.getByText('Aucun avis publié pour ce circuit.').waitFor();
      assert.equal(await page.locator('.review').count(), 0, 'not shown before moderation');

      const queue = await moderation('review');
      const mine = queue.items.filter((i) => i.name === 'Camille');
      assert.equal(mine.length, 1);
      assert.equal(mine[0].status, 'pending');
      assert.equal(mine[0].rating, 4);
      const published = await staff.post(`/api/v1/admin/moderation/${encodeURIComponent(mine[0].id)}`, {
        headers: { Origin: env.server.url },
        data: { decision: 'publish' },
      });
      assert.equal(published.status(), 200, await published.text());

      await page.reload();
      await page.locator('.review', { hasText: 'Camille' }).waitFor();
      assert.match(await page.locator('.review', { hasText: 'Camille' }).textContent(), /Belle balade le long des remparts/);
      assert.match(await page.locator('.rating--sheet').textContent(), /★ 4 \(1\)/);
      await page.goto(`${baseUrl}/#/`);
      const card = page.locator('.card', { has: page.locator(`a[href="#/circuits/${CIRCUIT}"]`) });
      await card.locator('.card__rating').waitFor();
      assert.match(await card.locator('.card__rating').textContent(), /★ 4 \(1\)/);
      // Sorting by rating puts it first.
      await page.getByLabel('Trier par').selectOption('rating');
      await page.waitForFunction(() => location.hash.includes('sort=rating'));
      await page.waitForFunction((id) => document.querySelector('.card h2 a')?.getAttribute('href') === `#/circuits/${id}`, CIRCUIT);

      // Reported by a walker: back in the moderators' queue as flagged.
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('button', { name: 'Signaler cet avis de Camille' }).click();
      await liveSays(page, /Signalement de l’avis envoyé/);
      const flagged = (await moderation('review')).items.find((i) => i.id === mine[0].id);
      assert.equal(flagged.status, 'flagged');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a correction from the sheet reaches the moderation queue with its target and field', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Suggérer une correction', exact: true }).click();
      // The open form only: every POI has its own (hidden) correction form.
      const form = page.getByRole('form', { name: /^Correction de / });
      await form.getByLabel('À corriger').selectOption('description');
      await form.getByLabel('Texte proposé').fill('Départ devant la porte Saint-Jean, puis les remparts.');
      await form.getByRole('button', { name: 'Envoyer', exact: true }).click();
      await liveSays(page, /Suggestion envoyée/);
      const queue = await moderation('correction');
      const item = queue.items.find((i) => i.text === 'Départ devant la porte Saint-Jean, puis les remparts.');
      assert.ok(item, JSON.stringify(queue.items));
      assert.equal(item.target, `circuit:${CIRCUIT}`);
      assert.equal(item.field, 'description');
      assert.equal(item.status, 'pending');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('accessibility: the sheet with the review and report forms open, the guide with the report form', async (t) => {
    const { context, page, errors } = await env.newPage({ ...AUDITED, permissions: ['geolocation'] });
    try {
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const [lon, lat] = guide.segments[0][0];
      await context.setGeolocation({ latitude: lat, longitude: lon, accuracy: 5 });
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Donner votre avis' }).click();
      await page.getByLabel('Nom affiché').waitFor();
      await page.locator('.map[data-basemap]').first().waitFor();
      await audit(t, page, 'sheet, review form');
      await page.getByRole('button', { name: 'Signaler un problème' }).click();
      await page.getByText(/^Lieu : /).waitFor();
      await audit(t, page, 'sheet, report form');

      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}/guide`);
      await page.waitForFunction(() => Number(document.querySelector('.guide')?.dataset.fixes) >= 1);
      await page.getByRole('button', { name: 'Signaler un problème' }).click();
      await page.getByLabel('Description du problème').waitFor();
      await audit(t, page, 'guide, report form');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
