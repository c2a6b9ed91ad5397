// Photos and media in the PWA, against the real Balade server (demo data): photos attached
// with `balade media add` (a JPEG drawn by the browser itself) show on the circuit sheet with
// their alt text and credits, stay visible offline once the circuit is downloaded, and the
// guide's POI card shows the POI's photo from the downloaded copy.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root,
// or BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { storedRecord, waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv } from './support/server.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);
const CIRCUIT = 'provins-remparts';

const PHOTO = {
  alt: 'Les remparts de Provins au soleil couchant, vus depuis le chemin de ronde',
  title: 'Remparts au couchant',
  author: 'Camille Test',
  license: 'CC-BY-4.0',
};
const POI_PHOTO = { alt: 'Détail de la porte fortifiée, pierres ocre', author: 'Dominique Test', license: 'CC-BY-SA-4.0' };
const VIDEO = { url: 'https://example.org/videos/remparts.mp4', title: 'Visite filmée des remparts' };
const AUDIO = { url: 'https://example.org/audio/remparts.mp3', title: 'Récit du guide' };

const env = new BrowserEnv('balade-pwa-media-');
let baseUrl = '';

/** A real JPEG drawn on a canvas by the browser: `width`×`height`, colours from `hue`. */
async function drawJpeg(page, width, height, hue) {
  const dataUrl = await page.evaluate(
    ([w, h, hueDeg]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      const grad = ctx.createLinearGradient(0, 0, w, h);
      grad.addColorStop(0, `hsl(${hueDeg}, 70%, 60%)`);
      grad.addColorStop(1, `hsl(${(hueDeg + 120) % 360}, 60%, 30%)`);
      ctx.fillStyle = grad;
      ctx.fillRect(0, 0, w, h);
      for (let i = 0; i < 40; i += 1) {
        ctx.fillStyle = `hsla(${(hueDeg + i * 9) % 360}, 80%, 50%, 0.6)`;
        ctx.fillRect((i * 97) % w, (i * 53) % h, w / 10, h / 12);
      }
      return canvas.toDataURL('image/jpeg', 0.9);
    },
    [width, height, hue],
  );
  const prefix = 'data:image/jpeg;base64,';
  assert.ok(dataUrl.startsWith(prefix), 'the canvas should give a JPEG data URL');
  const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
  assert.equal(bytes[0], 0xff);
  assert.equal(bytes[1], 0xd8);
  return bytes;
}

function describeViolations(violations) {
  return violations
    .map((v) => `- ${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`)
    .join('\n');
}

/** axe on the whole document: fails on serious/critical violations, reports the others. */
async function audit(t, page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: AXE_PATH });
  const { violations } = await page.evaluate((values) => window.axe.run(document, { runOnly: { type: 'tag', values } }), WCAG_TAGS);
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  const other = violations.filter((v) => !BLOCKING.has(v.impact));
  if (other.length) t.diagnostic(`${label}, non-blocking:\n${describeViolations(other)}`);
  assert.equal(blocking.length, 0, `${label}: serious/critical axe violations:\n${describeViolations(blocking)}`);
}

/** Waits until the image matched by `selector` has finished loading with real pixels. */
async function waitForLoadedImage(page, selector) {
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.waitForFunction((sel) => {
    const img = document.querySelector(sel);
    return Boolean(img && img.complete && img.naturalWidth > 0);
  }, selector);
  return page.locator(selector).first().evaluate((img) => ({ naturalWidth: img.naturalWidth, currentSrc: img.currentSrc }));
}

describe('photos et médias', () => {
  /** The circuit's photo and the POI's, as the API describes them. */
  let photo = null;
  let poi = null;
  let poiPhoto = null;

  before(async () => {
    baseUrl = await env.setUp();
    const { context, page } = await env.newPage();
    try {
      // Two different pictures (media are content-addressed): wide enough for the 1600 px size.
      const circuitJpeg = path.join(env.tmp, 'remparts.jpg');
      const poiJpeg = path.join(env.tmp, 'porte.jpg');
      writeFileSync(circuitJpeg, await drawJpeg(page, 1800, 1200, 30));
      writeFileSync(poiJpeg, await drawJpeg(page, 1000, 750, 200));

      const detail = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      // A POI along the circuit that guidance also triggers.
      const along = new Set((detail.properties.pois_along || []).map((p) => p.id));
      poi = (guide.pois || []).find((p) => along.has(p.id));
      assert.ok(poi, `${CIRCUIT} should have a POI along it that guidance knows`);

      await env.balade(['media', 'add', '--circuit', CIRCUIT, circuitJpeg, '--alt', PHOTO.alt, '--title', PHOTO.title, '--author', PHOTO.author, '--license', PHOTO.license]);
      await env.balade(['media', 'add', '--circuit', CIRCUIT, '--video', VIDEO.url, '--title', VIDEO.title]);
      await env.balade(['media', 'add', '--circuit', CIRCUIT, '--audio', AUDIO.url, '--title', AUDIO.title]);
      await env.balade(['media', 'add', '--poi', poi.id, poiJpeg, '--alt', POI_PHOTO.alt, '--author', POI_PHOTO.author, '--license', POI_PHOTO.license]);

      const media = (await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`)).properties.media;
      // The demo's own photo comes first: the one added here is told by its alt text.
      photo = media.find((m) => m.kind === 'photo' && m.alt === PHOTO.alt);
      assert.ok(photo, 'the circuit should have the photo added');
      assert.deepEqual(photo.sizes.map((s) => s.width), [320, 800, 1600]);
      assert.equal(photo.url, photo.sizes[1].url);
      assert.ok(media.some((m) => m.kind === 'video' && m.url === VIDEO.url));
      assert.ok(media.some((m) => m.kind === 'audio' && m.url === AUDIO.url));
      poiPhoto = (await env.apiJson(context, `/api/v1/pois/${encodeURIComponent(poi.id)}`)).properties.media.find((m) => m.kind === 'photo' && m.alt === POI_PHOTO.alt);
      assert.ok(poiPhoto, 'the POI should have a photo');
    } finally {
      await context.close();
    }
  });

  after(() => env.tearDown());

  test('la fiche montre les photos et médias, en ligne puis hors ligne', async (t) => {
    // axe-core, injected for the audit below, runs only without the Content Security Policy.
    const { context, page, errors } = await env.newPage({ bypassCSP: true, permissions: ['geolocation'] });
    try {
      const { properties } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}`);
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await waitForServiceWorker(page);
      await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();

      // The section, its photo (alt text, sizes), caption with credits.
      const section = page.getByRole('region', { name: 'Photos et médias' });
      await section.waitFor();
      const img = section.getByRole('img', { name: PHOTO.alt, exact: true });
      await img.waitFor();
      assert.equal(await img.getAttribute('src'), photo.url);
      const srcset = await img.getAttribute('srcset');
      for (const s of photo.sizes) assert.ok(srcset.includes(`${s.url} ${s.width}w`), `srcset should list ${s.url}: ${srcset}`);
      assert.ok(await img.getAttribute('sizes'));
      assert.equal(await img.getAttribute('loading'), 'lazy');
      assert.equal(await img.getAttribute('width'), String(photo.width));
      assert.equal(await img.getAttribute('height'), String(photo.height));
      const loaded = await waitForLoadedImage(page, `.media--photo img[alt="${PHOTO.alt}"]`);
      assert.ok(loaded.naturalWidth > 0);
      const caption = section.locator('figure.media--photo', { has: page.getByRole('img', { name: PHOTO.alt, exact: true }) }).locator('figcaption');
      assert.equal((await caption.innerText()).replace(/\s+/g, ' ').trim(), `${PHOTO.title} © ${PHOTO.author} — ${PHOTO.license}`);
      assert.ok(await caption.isVisible());
      // Video and audio: links with their titles (audio with a player too).
      assert.equal(await section.getByRole('link', { name: new RegExp(VIDEO.title) }).getAttribute('href'), VIDEO.url);
      assert.equal(await section.getByRole('link', { name: new RegExp(AUDIO.title) }).getAttribute('href'), AUDIO.url);
      assert.equal(await section.locator('audio').getAttribute('src'), AUDIO.url);

      await page.locator('.leaflet-overlay-pane path.trace').first().waitFor();
      await page.locator('.map[data-basemap]').waitFor();
      await page.getByRole('img', { name: /^Profil altimétrique : / }).or(page.getByText(/Profil altimétrique indisponible/)).waitFor();
      await audit(t, page, 'sheet with photos and media');

      // Download for offline: the package carries both photos (phone size), stored in Cache Storage.
      await page.getByRole('button', { name: 'Télécharger pour hors ligne' }).click();
      await page.getByText(/^Circuit téléchargé pour hors ligne le /).waitFor();
      const record = await storedRecord(page, CIRCUIT);
      const mediaParts = record.manifest.filter((p) => p.kind === 'media').map((p) => p.url);
      assert.ok(mediaParts.includes(photo.url), `the offline package should hold ${photo.url}: ${mediaParts}`);
      assert.ok(mediaParts.includes(poiPhoto.url), `the offline package should hold ${poiPhoto.url}: ${mediaParts}`);
      for (const url of [photo.url, poiPhoto.url]) {
        assert.ok(await page.evaluate(async (u) => Boolean(await caches.match(u)), url), `${url} should be in Cache Storage`);
      }

      // Offline: the sheet comes from the downloaded copy, the photo from Cache Storage.
      const mediaResponses = [];
      page.on('response', (res) => {
        if (new URL(res.url()).pathname.startsWith('/media/')) mediaResponses.push(res);
      });
      await env.cutNetwork();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: properties.name, exact: true }).waitFor();
      await page.getByText(/^Hors ligne : copie téléchargée le /).waitFor();
      const offlineImg = page.getByRole('region', { name: 'Photos et médias' }).getByRole('img', { name: PHOTO.alt, exact: true });
      await offlineImg.waitFor();
      assert.equal(await offlineImg.getAttribute('srcset'), null, 'offline, only the stored size is offered');
      const offlineLoaded = await waitForLoadedImage(page, `.media--photo img[alt="${PHOTO.alt}"]`);
      assert.ok(offlineLoaded.naturalWidth > 0);
      assert.equal(new URL(offlineLoaded.currentSrc).pathname, photo.url);
      t.diagnostic(`photo responses seen while offline: ${mediaResponses.length}`);
      for (const res of mediaResponses) {
        assert.ok(res.fromServiceWorker(), `${res.url()} should come from the service worker`);
        assert.equal(res.status(), 200, `${res.url()} → ${res.status()}`);
      }
      await page.getByText(`© ${PHOTO.author} — ${PHOTO.license}`).waitFor();

      // Guidance, still offline, standing on the POI: its card shows its photo from the copy.
      await context.setGeolocation({ latitude: poi.lat, longitude: poi.lon, accuracy: 5 });
      await page.getByRole('button', { name: 'Démarrer le guidage' }).click();
      await page.getByRole('heading', { level: 1, name: `Guidage : ${properties.name}` }).waitFor();
      await page.waitForFunction(() => Number(document.querySelector('.guide')?.dataset.fixes) >= 1);
      const card = page.locator(`.poi-card[data-poi-id="${poi.id}"]`);
      await card.waitFor();
      const cardImg = card.getByRole('img', { name: POI_PHOTO.alt, exact: true });
      await cardImg.waitFor();
      assert.equal(await cardImg.getAttribute('src'), poiPhoto.url);
      const cardLoaded = await waitForLoadedImage(page, `.poi-card[data-poi-id="${poi.id}"] img.poi-card__photo`);
      assert.ok(cardLoaded.naturalWidth > 0);
      assert.deepEqual(errors, []);
    } finally {
      await env.restoreNetwork();
      await context.close();
    }
  });
});
