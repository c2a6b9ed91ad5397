// Browser test of the budgets of issue 17 that do not depend on the machine's speed: the
// list's first load ships no map and no guide code (the sheet's, on a phone, no map code
// until the map nears the screen), its layout does not shift while it
// loads, every control of the walkers' pages is a 44 px touch target on a phone, axe stays
// clean, and Lighthouse's accessibility score is 100 on the list and the sheet.
// Performance itself (score, LCP, TBT) is measured, never asserted: benches/lighthouse.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { AUDITED, audit } from './support/axe.mjs';
import { BrowserEnv, CHROMIUM, PWA_DIR } from './support/server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const CIRCUIT = 'provins-remparts';
const MIN_TARGET = 44;
const env = new BrowserEnv('balade-pwa-budgets-');
let baseUrl = '';

/**
 * The built chunks that must not come with the list: Leaflet (its code and its styles),
 * the map module, the guide view and the vector basemap (MapLibre). Found in dist/ by the names Vite gives them after
 * their source module, so that the test cannot pass by matching nothing.
 */
function lazyChunks() {
  const files = readdirSync(path.join(PWA_DIR, 'assets'));
  const chunks = {
    leaflet: files.filter((f) => /^leaflet-src[.-].*\.(js|css)$/.test(f)),
    map: files.filter((f) => /^map-[\w-]+\.js$/.test(f)),
    guide: files.filter((f) => /^guide-[\w-]+\.js$/.test(f)),
    // The vector basemap: MapLibre (with its styles), its worker, the label fonts.
    maplibre: files.filter((f) => /^(basemap-vector-[\w-]+\.(js|css)|maplibre-gl-csp-worker-[\w-]+\.js|noto-sans-[\w-]+\.woff2)$/.test(f)),
  };
  for (const [name, list] of Object.entries(chunks)) assert.ok(list.length > 0, `no ${name} chunk in dist/assets: names changed?`);
  return chunks;
}

/**
 * The visible interactive controls of the page smaller than `min` px either way. Allowed:
 * a link inside a sentence (a paragraph with more text than the link itself), as WCAG 2.5.8
 * allows for inline links, whose size is set by the line of text.
 */
function smallTargets(page, min = MIN_TARGET) {
  return page.evaluate((minSize) => {
    const selector = [
      'a[href]',
      'button',
      'input:not([type=hidden])',
      'select',
      'textarea',
      'summary',
      '[role=button]',
      '.leaflet-marker-icon.leaflet-interactive',
    ].join(', ');
    const inSentence = (el) => {
      if (el.tagName !== 'A') return false;
      const p = el.closest('p, li, dd, figcaption');
      return Boolean(p) && p.textContent.trim().length > el.textContent.trim().length;
    };
    return [...document.querySelectorAll(selector)]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('[hidden], [inert]');
      })
      .filter((el) => !inSentence(el))
      .map((el) => {
        const r = el.getBoundingClientRect();
        // Rounded down by less than a pixel (sub-pixel layout) is still 44 px.
        return { el: el.outerHTML.slice(0, 120), width: Math.round(r.width), height: Math.round(r.height) };
      })
      .filter((x) => x.width < minSize || x.height < minSize);
  }, min);
}

async function assertTargets(page, label) {
  const small = await smallTargets(page);
  assert.deepEqual(small, [], `${label}: controls smaller than ${MIN_TARGET} px:\n${small.map((s) => `${s.width}×${s.height} ${s.el}`).join('\n')}`);
}

describe('budgets: first load, layout shift, touch targets, accessibility', () => {
  before(async () => {
    baseUrl = await env.setUp();
  });

  after(() => env.tearDown());

  test('the list’s first load requests no map code and no guide code', async () => {
    const chunks = lazyChunks();
    const { context, page, errors } = await env.newPage({ ...PHONE, serviceWorkers: 'block' });
    try {
      const requested = [];
      page.on('request', (req) => requested.push(new URL(req.url()).pathname.split('/').pop()));
      await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
      await page.locator('main article').first().waitFor();
      await page.waitForLoadState('networkidle');
      for (const [name, files] of Object.entries(chunks)) {
        const loaded = files.filter((f) => requested.includes(f));
        assert.deepEqual(loaded, [], `${name} code loaded with the list: ${loaded.join(', ')}`);
      }
      // Asked for when needed: the map of the list loads them.
      await page.getByRole('button', { name: 'Carte', exact: true }).click();
      await page.locator('.map--list.leaflet-container').waitFor();
      assert.ok(chunks.map.some((f) => requested.includes(f)), 'the map code is loaded with the map');
      assert.ok(!chunks.guide.some((f) => requested.includes(f)), 'the guide code waits for the guide');
      // The demo's basemap is a vector one: MapLibre comes with the first map, not before.
      await page.locator('.map--list[data-basemap="vector"]').waitFor();
      assert.ok(chunks.maplibre.some((f) => requested.includes(f)), 'MapLibre is loaded with the vector basemap');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('on a phone, the sheet’s first screen requests no map code; the map loads as it nears the screen', async () => {
    const chunks = lazyChunks();
    const { context, page, errors } = await env.newPage({ ...PHONE, serviceWorkers: 'block' });
    try {
      const requested = [];
      page.on('request', (req) => requested.push(new URL(req.url()).pathname.split('/').pop()));
      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      // The profile is drawn after the sheet's text: the sheet is all there.
      await page.getByRole('img', { name: /^Profil altimétrique : / }).waitFor();
      await page.waitForLoadState('networkidle');
      const below = await page.locator('.map--sheet').evaluate((el) => el.getBoundingClientRect().top - innerHeight);
      assert.ok(below > 150, `the map starts ${below} px below the first screen (this check needs it out of reach)`);
      for (const name of ['leaflet', 'map']) {
        const loaded = chunks[name].filter((f) => requested.includes(f));
        assert.deepEqual(loaded, [], `${name} code loaded with the sheet's first screen: ${loaded.join(', ')}`);
      }
      await page.locator('.map--sheet').scrollIntoViewIfNeeded();
      await page.locator('.map--sheet .leaflet-marker-icon').first().waitFor();
      assert.ok(chunks.map.some((f) => requested.includes(f)), 'the map code is loaded with the map');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the list and the sheet do not shift while they load (CLS < 0.05)', async (t) => {
    // Lighthouse's phone (412×823) and the tests' phone.
    for (const viewport of [{ width: 412, height: 823 }, PHONE.viewport]) {
      for (const route of ['/', `/#/circuits/${CIRCUIT}`]) {
        const { context, page } = await env.newPage({ ...PHONE, viewport, serviceWorkers: 'block' });
        try {
          await page.addInitScript(() => {
            /** @type {any} */ (window).__shifts = [];
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) {
                const entry = /** @type {any} */ (e);
                /** @type {any} */ (window).__shifts.push({
                  value: entry.value,
                  sources: (entry.sources || []).map((s) => (s.node ? `${s.node.nodeName}.${s.node.className || ''}` : '?')),
                });
              }
            }).observe({ type: 'layout-shift', buffered: true });
          });
          await page.goto(`${baseUrl}${route}`);
          if (route !== '/') {
            // The sheet's map loads as it nears the screen: scrolled to, it is drawn in its
            // box without moving what is around it.
            await page.locator('.sheet__summary').waitFor();
            await page.locator('.map--sheet').scrollIntoViewIfNeeded();
          }
          await page.locator(route === '/' ? 'main article' : '.map--sheet.leaflet-container').first().waitFor();
          await page.waitForLoadState('networkidle');
          // Two frames more: shifts caused by the last layout are reported.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          const shifts = await page.evaluate(() => /** @type {any} */ (window).__shifts);
          const total = shifts.reduce((sum, s) => sum + s.value, 0);
          t.diagnostic(`${route} at ${viewport.width}×${viewport.height}: layout shift ${total.toFixed(4)}`);
          assert.ok(total < 0.05, `${route} at ${viewport.width}×${viewport.height}: layout shift ${total.toFixed(3)} ≥ 0.05: ${JSON.stringify(shifts)}`);
        } finally {
          await context.close();
        }
      }
    }
  });

  test('every control is a 44 px touch target, and axe stays clean: list, filters, map, sheet, guide', async (t) => {
    const { context, page, errors } = await env.newPage({ ...PHONE, ...AUDITED, serviceWorkers: 'block' });
    try {
      await page.goto(`${baseUrl}/`);
      await page.locator('main article').first().waitFor();
      await assertTargets(page, 'list');
      await audit(t, page, 'list');

      await page.getByRole('button', { name: 'Filtres', exact: true }).click();
      await page.getByRole('dialog', { name: 'Filtres' }).waitFor();
      await assertTargets(page, 'filter sheet');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Carte', exact: true }).click();
      await page.locator('.map--list .leaflet-marker-icon').first().waitFor();
      await assertTargets(page, 'list map (markers, zoom buttons)');

      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}`);
      await page.locator('.map--sheet').scrollIntoViewIfNeeded();
      await page.locator('.map--sheet .leaflet-marker-icon').first().waitFor();
      await page.waitForLoadState('networkidle');
      await assertTargets(page, 'sheet');
      await audit(t, page, 'sheet');
      // axe's target-size (WCAG 2.2, not in the audit's 2.1 tags; Lighthouse runs it): with
      // the map drawn, no marker covers another (close ones are grouped, map-groups.js).
      // Lighthouse itself, below, sees the phone's first screen, without the map.
      const { violations } = await page.evaluate(() =>
        /** @type {any} */ (window).axe.run(document, { runOnly: { type: 'rule', values: ['target-size'] } }),
      );
      assert.deepEqual(
        violations.flatMap((v) => v.nodes.map((n) => n.target.join(' '))),
        [],
        'sheet (map drawn): targets too small or covered',
      );
      assert.ok((await page.locator('.map--sheet .leaflet-marker-icon').count()) > 0, 'the map’s markers were checked');

      await page.goto(`${baseUrl}/#/circuits/${CIRCUIT}/guide`);
      await page.locator('.leaflet-marker-icon').first().waitFor();
      await page.waitForLoadState('networkidle');
      await assertTargets(page, 'guide');
      await audit(t, page, 'guide');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  // About 10 s a page here: the accessibility category only, in Lighthouse's default
  // (mobile) configuration, on the same Chromium.
  async function lighthouseAccessibility(t, route) {
    const chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM,
      chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const result = await lighthouse(`${baseUrl}${route}`, { port: chrome.port, logLevel: 'error', onlyCategories: ['accessibility'] });
      assert.ok(result, `no Lighthouse result for ${route}`);
      const { lhr } = result;
      assert.equal(lhr.runtimeError, undefined, `${route}: ${lhr.runtimeError?.message}`);
      const score = Math.round((lhr.categories.accessibility.score ?? 0) * 100);
      const failing = lhr.categories.accessibility.auditRefs
        .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
        .map((ref) => ref.id);
      t.diagnostic(`${route}: Lighthouse accessibility ${score}`);
      assert.equal(score, 100, `${route}: Lighthouse accessibility ${score}, failing: ${failing.join(', ')}`);
    } finally {
      await chrome.kill();
    }
  }

  test('Lighthouse accessibility is 100 on the list', (t) => lighthouseAccessibility(t, '/'));

  // On the sheet's map, markers whose 44 px icons would overlap are drawn as one group
  // (map-groups.js): axe's target-size rule, inside Lighthouse, passes.
  test('Lighthouse accessibility is 100 on the sheet', (t) => lighthouseAccessibility(t, `/#/circuits/${CIRCUIT}`));
});
