// The embeddable widget <balade-circuits> on a commune's own site: a host page served from
// another origin (a small HTTP server of the test) loads the script from the real Balade
// server (demo data), under a hostile style sheet that must not reach inside the widget.
//
// Needs `npm run build` (dist/, with dist/widget/v1/) and the server binary (`cargo build`
// at the repo root, or BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'playwright-core';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv, PWA_DIR } from './support/server.mjs';

const COMMUNE = '77379'; // Provins
const CIRCUIT = 'provins-remparts';
const WIDGET = 'widget/v1/balade-circuits.js';
const MAX_GZIP_BYTES = 30 * 1024;

// Every element of the host page's body, the widget's element included.
const HOSTILE_CSS = `
body, body * { color: red !important; font-size: 40px !important; display: inline !important;
  background: yellow !important; font-family: serif !important; }
button, a { border: 5px dashed red !important; }
h2, h3, li { text-transform: uppercase !important; }`;

const env = new BrowserEnv('balade-widget-');
let baseUrl = '';
let host = /** @type {http.Server | null} */ (null);
let hostUrl = '';

/** The published SRI hash of the widget, as a host page copies it. */
function publishedIntegrity() {
  const published = JSON.parse(readFileSync(path.join(PWA_DIR, 'widget/v1/integrity.json'), 'utf8'));
  return published['balade-circuits.js'];
}

/** The host page: the widget of `attrs`, its script from the Balade server, under its
 * published integrity hash (the browser refuses a script that does not match it). */
function hostPage(attrs) {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Commune de Provins</title>
<style>${HOSTILE_CSS}</style>
<script type="module" src="${baseUrl}/${WIDGET}" integrity="${publishedIntegrity()}" crossorigin="anonymous"></script></head>
<body><main><balade-circuits ${attrs}></balade-circuits></main></body></html>`;
}

function startHost() {
  return new Promise((resolve) => {
    host = http.createServer((req, res) => {
      const url = new URL(req.url || '/', 'http://host');
      // A site that cannot add scripts: an iframe of Balade's page `frame` (a path and query).
      const framed = url.searchParams.get('frame');
      if (framed) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Commune de Provins</title>
<style>${HOSTILE_CSS}</style></head><body><main>
<iframe title="Balades à Provins" src="${baseUrl}${framed}" width="800" height="700"></iframe></main></body></html>`);
        return;
      }
      const attrs = Object.entries({ commune: COMMUNE, lang: url.searchParams.get('lang') || 'fr' })
        .map(([k, v]) => `${k}="${v}"`)
        .join(' ');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostPage(attrs));
    });
    host.listen(0, '127.0.0.1', () => {
      const address = host?.address();
      hostUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      resolve(hostUrl);
    });
  });
}

describe('embeddable widget <balade-circuits>', () => {
  before(async () => {
    baseUrl = await env.setUp();
    await startHost();
  });

  after(async () => {
    await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
    await env.tearDown();
  });

  test('the built widget is small and stays out of the walkers\' precache', () => {
    const code = readFileSync(path.join(PWA_DIR, WIDGET));
    const gz = gzipSync(code, { level: 9 }).length;
    assert.ok(gz <= MAX_GZIP_BYTES, `widget: ${gz} bytes gzip, more than ${MAX_GZIP_BYTES}`);
    assert.ok(!code.includes('leaflet-container'), 'Leaflet is in the widget\'s main file');
    const sw = readFileSync(path.join(PWA_DIR, 'sw.js'), 'utf8');
    assert.ok(!sw.includes('widget/'), 'the service worker precaches the widget');
    const integrity = JSON.parse(readFileSync(path.join(PWA_DIR, 'widget/v1/integrity.json'), 'utf8'));
    assert.match(integrity['balade-circuits.js'], /^sha384-[A-Za-z0-9+/]+=*$/);
  });

  test('the server serves the widget immutable, its latest alias revalidated, to any origin', async () => {
    const { context } = await env.newPage();
    try {
      const v1 = await context.request.get(`${baseUrl}/${WIDGET}`, { headers: { origin: hostUrl } });
      assert.equal(v1.status(), 200);
      assert.equal(v1.headers()['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(v1.headers()['access-control-allow-origin'], '*');
      assert.match(v1.headers()['content-type'], /javascript/);
      const latest = await context.request.get(`${baseUrl}/widget/latest/balade-circuits.js`);
      assert.equal(latest.status(), 200);
      assert.equal(latest.headers()['cache-control'], 'no-cache');
      assert.equal(await latest.text(), await v1.text());
    } finally {
      await context.close();
    }
  });

  test('on another origin: the commune\'s circuits, untouched by the host\'s CSS; sheet and back', async (t) => {
    const { context, page, errors } = await env.newPage(AUDITED);
    try {
      const list = await env.apiJson(context, `/api/v1/circuits?commune=${COMMUNE}`);
      assert.ok(list.features.length > 0, 'the demo has circuits in Provins');
      const names = list.features.map((f) => f.properties.name);
      const { properties: sheet } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}?lang=fr`);

      /** @type {string[]} */
      const chunks = [];
      page.on('request', (r) => {
        if (r.url().includes('/widget/')) chunks.push(r.url());
      });
      await page.goto(`${hostUrl}/?lang=fr`);
      const widget = page.locator('balade-circuits');
      // Leaflet waits for a sheet: the list alone loads the widget's file only.
      await widget.locator('[part~="card"]').first().waitFor();
      assert.deepEqual(chunks, [`${baseUrl}/${WIDGET}`]);
      const cards = widget.locator('[part~="card"]');
      await widget.getByRole('button', { name: sheet.name, exact: true }).waitFor();
      assert.deepEqual(await widget.getByRole('list', { name: 'Circuits' }).locator('h3').allTextContents(), names);
      assert.equal(await cards.count(), names.length);
      await widget.getByText('Longueur').first().waitFor();

      // The host's style sheet stops at the shadow root.
      const style = await widget.locator('[part~="title"]').first().evaluate((el) => {
        const s = getComputedStyle(el);
        const hostStyle = getComputedStyle(/** @type {ShadowRoot} */ (el.getRootNode()).host);
        return { color: s.color, fontSize: s.fontSize, display: s.display, transform: s.textTransform, hostDisplay: hostStyle.display };
      });
      assert.notEqual(style.color, 'rgb(255, 0, 0)');
      assert.notEqual(style.fontSize, '40px');
      assert.equal(style.display, 'block');
      assert.equal(style.transform, 'none');
      assert.equal(style.hostDisplay, 'block');
      await audit(t, page, 'widget list');

      // A card opens the circuit's sheet in place.
      await widget.getByRole('button', { name: sheet.name, exact: true }).press('Enter');
      await widget.getByRole('heading', { level: 2, name: sheet.name }).waitFor();
      const gpx = widget.getByRole('link', { name: 'Télécharger la trace GPX' });
      const gpxHref = await gpx.getAttribute('href');
      assert.equal(gpxHref, `${baseUrl}/api/v1/circuits/${CIRCUIT}/download?format=gpx`);
      const file = await context.request.get(gpxHref);
      assert.equal(file.status(), 200);
      assert.match(await file.text(), /<gpx[\s>]/);
      const open = widget.getByRole('link', { name: /^Ouvrir dans Balade/ });
      assert.equal(await open.getAttribute('href'), `${baseUrl}/#/circuits/${CIRCUIT}`);
      // The trace on a map: Leaflet comes with the sheet, from the widget's own chunk, its
      // style inside the shadow root.
      const map = widget.getByRole('region', { name: 'Carte du parcours' });
      await map.locator('path.leaflet-interactive').waitFor();
      const mapStyle = await map.evaluate((el) => {
        const pane = el.querySelector('.leaflet-pane');
        return { overflow: getComputedStyle(el).overflow, pane: pane ? getComputedStyle(pane).position : '' };
      });
      assert.deepEqual(mapStyle, { overflow: 'hidden', pane: 'absolute' });
      assert.ok(chunks.some((u) => u.startsWith(`${baseUrl}/widget/v1/map-`)), chunks.join(', '));

      // The elevation profile, as a small SVG image, when the trace has elevations.
      const profile = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/profile`);
      if (profile.length >= 2) {
        const image = widget.getByRole('img', { name: /^Profil altimétrique : Altitude de \d+ m à \d+ m sur [\d,]+ km$/ });
        await image.waitFor();
        assert.equal(await image.locator('polyline').getAttribute('points').then((p) => p?.split(' ').length), profile.length);
      }
      if (sheet.pois_along.length) await widget.getByRole('listitem').filter({ hasText: sheet.pois_along[0].name }).first().waitFor();
      await audit(t, page, 'widget sheet');

      // Back to the list, the focus on the card just left.
      await widget.getByRole('button', { name: 'Retour à la liste' }).click();
      const card = widget.getByRole('button', { name: sheet.name, exact: true });
      await card.waitFor();
      assert.equal(await cards.count(), names.length);
      assert.ok(await card.evaluate((el) => /** @type {ShadowRoot} */ (el.getRootNode()).activeElement === el), 'the focus goes back to the card');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('/embed in another site\'s iframe shows the commune\'s circuits; other pages refuse framing', async (t) => {
    // Under the server's CSP (no bypass): the page and the widget's style must pass it.
    const { context, page, errors } = await env.newPage();
    try {
      const embed = await context.request.get(`${baseUrl}/embed?commune=${COMMUNE}`);
      assert.equal(embed.status(), 200);
      assert.match(embed.headers()['content-security-policy'], /frame-ancestors \*/);
      assert.match(embed.headers()['content-security-policy'], /script-src 'self'/);
      assert.equal(embed.headers()['x-frame-options'], undefined);
      for (const other of ['/', '/admin']) {
        const res = await context.request.get(`${baseUrl}${other}`);
        assert.match(res.headers()['content-security-policy'], /frame-ancestors 'none'/, other);
        assert.equal(res.headers()['x-frame-options'], 'DENY', other);
      }

      const list = await env.apiJson(context, `/api/v1/circuits?commune=${COMMUNE}`);
      const names = list.features.map((f) => f.properties.name);
      await page.goto(`${hostUrl}/?frame=${encodeURIComponent(`/embed?commune=${COMMUNE}&lang=en&limit=50`)}`);
      const frame = page.frameLocator('iframe');
      const widget = frame.locator('balade-circuits');
      await widget.getByRole('list', { name: 'Walks' }).waitFor();
      assert.deepEqual(await widget.getByRole('list', { name: 'Walks' }).locator('h3').allTextContents(), names);
      assert.equal(await widget.getAttribute('commune'), COMMUNE);
      assert.equal(await widget.getAttribute('limit'), '50');
      // The widget's style applies under the page's strict CSP (no inline style allowed).
      const card = await widget.locator('[part~="card"]').first().evaluate((el) => getComputedStyle(el).display);
      assert.equal(card, 'flex');
      // The sheet's map and profile too: Leaflet's style and the SVG pass the same CSP.
      await widget.getByRole('button', { name: names[0], exact: true }).click();
      await widget.getByRole('region', { name: 'Map of the walk' }).locator('path.leaflet-interactive').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
    const audited = await env.newPage(AUDITED);
    try {
      await audited.page.goto(`${baseUrl}/embed?commune=${COMMUNE}`);
      await audited.page.locator('balade-circuits').getByRole('list', { name: 'Circuits' }).waitFor();
      await audit(t, audited.page, 'embed page');
    } finally {
      await audited.context.close();
    }
  });

  test('the walkers\' app in another site\'s iframe is refused', async () => {
    const { context, page } = await env.newPage();
    try {
      await page.goto(`${hostUrl}/?frame=${encodeURIComponent('/')}`);
      const child = await (await page.locator('iframe').elementHandle())?.contentFrame();
      assert.ok(child, 'the iframe has a frame');
      await child.waitForLoadState();
      assert.equal(await child.locator('#app, main').count(), 0, 'the app rendered inside a frame');
    } finally {
      await context.close();
    }
  });

  test('lang="en": the widget speaks English', async (t) => {
    const { context, page, errors } = await env.newPage(AUDITED);
    try {
      const { properties: sheet } = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}?lang=en`);
      await page.goto(`${hostUrl}/?lang=en`);
      const widget = page.locator('balade-circuits');
      await widget.getByRole('list', { name: 'Walks' }).waitFor();
      await widget.getByText('Length').first().waitFor();
      await widget.getByText('Duration').first().waitFor();
      await widget.getByRole('button', { name: sheet.name, exact: true }).click();
      await widget.getByRole('heading', { level: 2, name: sheet.name }).waitFor();
      await widget.getByRole('link', { name: 'Download the GPX track' }).waitFor();
      await widget.getByRole('link', { name: /^Open in Balade/ }).waitFor();
      await widget.getByRole('button', { name: 'Back to the list' }).waitFor();
      await audit(t, page, 'widget sheet (en)');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a card shows the walkers\' rating once a review is published', async () => {
    const moderator = { email: 'moderation@provins.fr', password: 'un mot de passe assez long' };
    await env.balade(['user', 'add', moderator.email, '--role', 'moderator', '--password-stdin'], { input: moderator.password });
    const staff = await request.newContext({ baseURL: env.server.url, extraHTTPHeaders: { Origin: env.server.url } });
    const { context, page, errors } = await env.newPage();
    try {
      assert.ok((await staff.post('/api/v1/auth/login', { data: moderator })).ok());
      const posted = await staff.post(`/api/v1/circuits/${CIRCUIT}/reviews`, { data: { rating: 4, name: 'Lucie', text: 'Superbe' } });
      assert.equal(posted.status(), 202);
      const { id } = await posted.json();
      const card = () => page.locator('balade-circuits').locator('[part~="card"]', { hasText: 'Avis des randonneurs' });
      await page.goto(`${hostUrl}/?lang=fr`);
      await page.locator('balade-circuits').locator('[part~="card"]').first().waitFor();
      assert.equal(await card().count(), 0, 'a pending review shows nowhere');
      const decided = await staff.post(`/api/v1/admin/moderation/${id}`, { data: { decision: 'publish' } });
      assert.equal(decided.status(), 200);
      await page.reload();
      await card().first().waitFor();
      assert.match(await card().first().textContent(), /★ 4 \/ 5 \(1 avis\)/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await staff.dispose();
    }
  });
});
