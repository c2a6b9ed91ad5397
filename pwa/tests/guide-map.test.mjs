// Browser tests of the map-first guide at phone size (390×844, touch) against the real
// Balade server (demo data), with emulated geolocation: one card open for the newest POI
// and the others under "Déjà vus (N)", the recenter control, the pinned off-route alert,
// spoken guidance (speechSynthesis.speak spied), the profile moving a marker on the map,
// axe and touch-target sizes.
//
// Needs `npm run build` (dist/) and the server binary (BALADE_BIN). Chromium: /usr/bin/chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guideInput } from '../src/guide-data.js';
import { createGuide } from '../src/guidance.js';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv } from './support/server.mjs';

const CIRCUIT = process.env.BALADE_OFFLINE_CIRCUIT || 'provins-remparts';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const STEP_M = 20;

const env = new BrowserEnv('balade-pwa-guide-map-');
let baseUrl = '';

// --- Positions along the trace ------------------------------------------------------------

const R = 6371008.8;
const RAD = Math.PI / 180;

/** Points every STEP_M metres along the trace: { lon, lat, left: [lon, lat] 100 m to the left }. */
function samples(segments) {
  const pts = segments.flat();
  const cos = Math.cos(pts[0][1] * RAD);
  const to = ([lon, lat]) => [(lon - pts[0][0]) * RAD * cos * R, (lat - pts[0][1]) * RAD * R];
  const from = ([x, y]) => [pts[0][0] + x / (RAD * cos * R), pts[0][1] + y / (RAD * R)];
  const out = [];
  for (const seg of segments) {
    const xy = seg.map(to);
    for (let i = 1; i < xy.length; i += 1) {
      const [ax, ay] = xy[i - 1];
      const [bx, by] = xy[i];
      const len = Math.hypot(bx - ax, by - ay);
      if (!len) continue;
      const dir = [(bx - ax) / len, (by - ay) / len];
      for (let d = 0; d < len; d += STEP_M) {
        const p = [ax + dir[0] * d, ay + dir[1] * d];
        const [lon, lat] = from(p);
        const [llon, llat] = from([p[0] - dir[1] * 100, p[1] + dir[0] * 100]);
        out.push({ lon, lat, left: { lon: llon, lat: llat } });
      }
    }
  }
  return out;
}

/** The fixes from the start until the guide (run here in Node) has fired `n` POIs. */
function walkPastPois(guide, n) {
  const g = createGuide(guideInput(guide));
  const fired = [];
  const fixes = [];
  for (const s of samples(guide.segments)) {
    fixes.push(s);
    for (const e of g.update({ lon: s.lon, lat: s.lat, accuracy: 5, t: 0 })) if (e.type === 'poi') fired.push(e.id);
    if (fired.length >= n) return { fixes, fired };
  }
  assert.fail(`the walk fires only ${fired.length} POIs`);
}

async function openGuide(context, page, first) {
  await context.setGeolocation({ latitude: first.lat, longitude: first.lon, accuracy: 5 });
  await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}/guide`);
  await fixCount(page, 1);
}

const fixCount = (page, n) => page.waitForFunction((k) => Number(document.querySelector('.guide')?.dataset.fixes) >= k, n);

/** Sends the fixes one by one, each waited for. */
async function walk(context, page, fixes) {
  let count = Number(await page.evaluate(() => document.querySelector('.guide').dataset.fixes));
  for (const f of fixes) {
    await context.setGeolocation({ latitude: f.lat, longitude: f.lon, accuracy: 5 });
    count += 1;
    await fixCount(page, count);
  }
}

/** Distance in pixels between the walker's marker and the map's centre. */
const walkerOffCentre = (page) =>
  page.evaluate(() => {
    const m = document.querySelector('.map--guide').getBoundingClientRect();
    const w = document.querySelector('.map--guide .walker').getBoundingClientRect();
    return Math.hypot(w.left + w.width / 2 - (m.left + m.width / 2), w.top + w.height / 2 - (m.top + m.height / 2));
  });

/** A one-finger drag from `a` to `b` (Playwright's touchscreen only taps). */
async function fingerDrag(context, page, a, b) {
  const cdp = await context.newCDPSession(page);
  const point = ([x, y]) => [{ x: Math.round(x), y: Math.round(y) }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(a) });
  for (let i = 1; i <= 10; i += 1) {
    const at = [a[0] + ((b[0] - a[0]) * i) / 10, a[1] + ((b[1] - a[1]) * i) / 10];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(at) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** Records what the page asks speechSynthesis to say (installed before the app runs). */
function spySpeech() {
  window.__spoken = [];
  const synth = window.speechSynthesis;
  if (synth) {
    synth.speak = (u) => window.__spoken.push({ text: u.text, lang: u.lang });
    synth.cancel = () => {};
  }
}

describe('Map-first guide on a phone', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });
  after(() => env.tearDown());

  test('after three POIs only the newest card is open, the others under "Déjà vus"; spoken in French', async (t) => {
    const { context, page, errors } = await env.newPage({ ...PHONE, permissions: ['geolocation'] });
    try {
      await page.addInitScript(spySpeech);
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const { fixes, fired } = walkPastPois(guide, 3);
      t.diagnostic(`${fixes.length} fixes; POIs ${fired.join(', ')}`);
      await openGuide(context, page, fixes[0]);
      // Spoken guidance: a user gesture turns it on (and it is remembered).
      const voice = page.getByRole('button', { name: 'Guidage vocal' });
      const before = await voice.getAttribute('aria-pressed');
      if (before !== 'true') await voice.click();
      assert.equal(await voice.getAttribute('aria-pressed'), 'true');
      await walk(context, page, fixes.slice(1));

      const newest = fired[fired.length - 1];
      await page.waitForFunction((id) => document.querySelector('.guide__current .poi-card')?.dataset.poiId === id, newest);
      assert.equal(await page.locator('.guide__current .poi-card').count(), 1, 'one card open');
      assert.ok(await page.locator('.guide__current .poi-card').isVisible());
      const seen = page.locator('details.guide__seen');
      assert.equal(await seen.locator('summary').innerText(), `Déjà vus (${fired.length - 1})`);
      assert.equal(await seen.getAttribute('open'), null, 'the seen list starts collapsed');
      assert.deepEqual(await seen.locator('.poi-card').evaluateAll((els) => els.map((e) => e.dataset.poiId)), fired.slice(0, -1));
      assert.equal(await seen.locator('.poi-card').first().isVisible(), false);
      await seen.locator('summary').click();
      assert.ok(await seen.locator('.poi-card').first().isVisible());

      // The walked part is drawn (grey line), arrows show the way.
      assert.ok((await page.locator('.map--guide path.trace--walked').getAttribute('d'))?.length > 10);
      assert.ok((await page.locator('.map--guide .trace-arrow').count()) > 0);
      // Compact bar; profile "you are here" and the climb left.
      assert.match(await page.locator('dl.guide__progress').innerText(), /Parcouru[\s\S]*Restant[\s\S]*Temps restant estimé[\s\S]*Prochain point/);
      await page.locator('.profile-climb').filter({ hasText: /^D\+ restant : \d[\d\s ]* m/ }).waitFor();
      assert.equal(await page.locator('.profile-here').getAttribute('visibility'), 'visible');

      // Speech: a POI's name, with a French voice.
      const names = fired.map((id) => guide.pois.find((p) => p.id === id)?.name).filter(Boolean);
      await page.waitForFunction((n) => window.__spoken.some((u) => n.some((name) => u.text.includes(name))), names);
      const spoken = await page.evaluate(() => window.__spoken);
      const poiUtterance = spoken.find((u) => names.some((name) => u.text.includes(name)));
      assert.match(poiUtterance.lang, /^fr/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the recenter control follows the position again after a manual pan', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, permissions: ['geolocation'] });
    try {
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const pts = samples(guide.segments);
      await openGuide(context, page, pts[5]);
      const recenter = page.getByRole('button', { name: 'Recentrer' });
      assert.equal(await recenter.getAttribute('aria-pressed'), 'true');

      // The walker pans the map away (its upper part: the card may cover the lower one):
      // following stops.
      await page.locator('.map--guide').evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }));
      await page.waitForFunction(() => Math.abs(document.querySelector('.map--guide').getBoundingClientRect().top) < 1);
      // Leaflet ignores a drag during the zoom animation of the first fix.
      await page.waitForFunction(() => !document.querySelector('.map--guide .leaflet-zoom-anim'));
      await page.waitForTimeout(300);
      const box = await page.locator('.map--guide').boundingBox();
      await fingerDrag(context, page, [box.x + box.width / 2, box.y + 80], [box.x + box.width / 2 - 120, box.y + 170]);
      assert.equal(await recenter.getAttribute('aria-pressed'), 'false');
      await walk(context, page, [pts[8]]);
      await page.waitForTimeout(400);
      assert.ok((await walkerOffCentre(page)) > 60, 'not followed after a pan');

      // Recenter: the map centres on the position, and keeps following the next fixes.
      await recenter.click();
      assert.equal(await recenter.getAttribute('aria-pressed'), 'true');
      await page.waitForFunction(() => {
        const m = document.querySelector('.map--guide').getBoundingClientRect();
        const w = document.querySelector('.map--guide .walker').getBoundingClientRect();
        return Math.hypot(w.left + w.width / 2 - (m.left + m.width / 2), w.top + w.height / 2 - (m.top + m.height / 2)) < 3;
      });
      await walk(context, page, [pts[14], pts[20]]);
      await page.waitForFunction(() => {
        const m = document.querySelector('.map--guide').getBoundingClientRect();
        const w = document.querySelector('.map--guide .walker').getBoundingClientRect();
        return Math.hypot(w.left + w.width / 2 - (m.left + m.width / 2), w.top + w.height / 2 - (m.top + m.height / 2)) < 3;
      });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the off-route alert is visible without scrolling after three off-route fixes', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, permissions: ['geolocation'] });
    try {
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const pts = samples(guide.segments);
      await openGuide(context, page, pts[0]);
      await walk(context, page, pts.slice(1, 12));
      // The page is scrolled as far down as it goes: the alert must still be on screen.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await walk(context, page, [pts[12].left, pts[13].left, pts[14].left]);
      const alert = page.getByRole('alert').filter({ hasText: 'Vous vous écartez du parcours' });
      await alert.waitFor();
      const box = await alert.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 844 && box.x >= 0 && box.x + box.width <= 390, `alert at ${JSON.stringify(box)}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('touching the profile moves a marker on the map', async () => {
    const { context, page, errors } = await env.newPage({ ...PHONE, permissions: ['geolocation'] });
    try {
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      await openGuide(context, page, samples(guide.segments)[3]);
      const svg = page.locator('.guide__profile svg.profile');
      // At the top of the screen: the newest card is pinned at the bottom.
      await svg.evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }));
      await page.waitForTimeout(100);
      const box = await svg.boundingBox();
      const cursor = page.locator('.map--guide path.trace-cursor');
      assert.equal(await cursor.count(), 0);
      await page.touchscreen.tap(box.x + box.width * 0.3, box.y + box.height * 0.4);
      await cursor.waitFor({ state: 'attached' });
      const first = await cursor.getAttribute('d');
      await page.touchscreen.tap(box.x + box.width * 0.7, box.y + box.height * 0.4);
      await page.waitForFunction((d) => document.querySelector('.map--guide path.trace-cursor')?.getAttribute('d') !== d, first);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('accessibility at phone size: axe, touch targets of the controls', async (t) => {
    const { context, page, errors } = await env.newPage({ ...PHONE, ...AUDITED, permissions: ['geolocation'] });
    try {
      const guide = await env.apiJson(context, `/api/v1/circuits/${CIRCUIT}/guide`);
      const { fixes } = walkPastPois(guide, 2);
      await openGuide(context, page, fixes[0]);
      await walk(context, page, fixes.slice(1));
      await page.locator('.guide__current .poi-card').waitFor();
      await page.locator('details.guide__seen summary').waitFor();
      await audit(t, page, 'map-first guide (phone)');
      for (const name of ['Recentrer', 'Guidage vocal', 'Arrêter', 'Signaler un problème']) {
        const box = await page.getByRole('button', { name }).boundingBox();
        assert.ok(box && box.width >= 44 && box.height >= 44, `${name}: ${JSON.stringify(box)}`);
        assert.ok(box.y + box.height <= 844, `${name} on screen, at the bottom`);
      }
      const summary = await page.locator('details.guide__seen summary').boundingBox();
      assert.ok(summary && summary.height >= 44, `seen list: ${JSON.stringify(summary)}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
