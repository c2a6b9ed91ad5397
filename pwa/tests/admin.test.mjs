// Browser test of the back-office's entry (/admin): the login form, who is logged in, the
// session kept by its cookie, logging out; refusals said in the page (wrong pair, too many
// attempts, no network); English texts; axe-core on both states; the walkers' service
// worker leaving the back-office alone. Accounts are made with `balade user add` on the
// test server's database.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDITED, audit } from './support/axe.mjs';
import { waitForServiceWorker } from './support/page.mjs';
import { BrowserEnv, PWA_DIR } from './support/server.mjs';

const PASSWORD = 'un mot de passe de randonneur';
const EDITOR = { email: 'editrice@provins.fr', territory: '77379,200072130' };
const ADMIN = { email: 'admin@balade.test' };
const THROTTLED = { email: 'moderateur@balade.test' };

const env = new BrowserEnv('balade-pwa-admin-');
let baseUrl = '';

/** `balade user add` with the test password on standard input. */
function addUser(email, role, territory = '') {
  const args = ['user', 'add', email, '--role', role, '--password-stdin'];
  if (territory) args.push('--territory', territory);
  return env.balade(args, { input: `${PASSWORD}\n` });
}

/** Fills the login form and sends it with its button. */
async function logInWith(page, email, password, { emailLabel = 'Adresse e-mail', passwordLabel = 'Mot de passe', button = 'Se connecter' } = {}) {
  await page.getByLabel(emailLabel, { exact: true }).fill(email);
  await page.getByLabel(passwordLabel, { exact: true }).fill(password);
  await page.getByRole('button', { name: button, exact: true }).click();
}

/** The alert region's text once it says something. */
async function alertText(page) {
  const alert = page.getByRole('alert');
  await page.waitForFunction(() => (document.querySelector('[role="alert"]')?.textContent ?? '') !== '');
  return (await alert.textContent()).trim();
}

/** The session's terms and values, as the page shows them: { 'Rôle': 'éditeur', … }. */
function sessionFacts(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('main dl dt'), (dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()]),
    ),
  );
}

/** The status of `GET /api/v1/auth/me` with the context's cookies. */
async function meStatus(context) {
  return (await context.request.get(`${baseUrl}/api/v1/auth/me`)).status();
}

describe('back-office entry (/admin)', () => {
  before(async () => {
    baseUrl = await env.setUp();
    await addUser(EDITOR.email, 'editor', EDITOR.territory);
    await addUser(ADMIN.email, 'admin');
    await addUser(THROTTLED.email, 'moderator');
  });

  after(() => env.tearDown());

  test('a wrong password is refused; the right one shows who is logged in, kept over a reload, until logging out', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await page.goto(`${baseUrl}/admin`);
      await page.getByRole('heading', { level: 1, name: 'Connexion à l’administration', exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
      assert.equal(await page.title(), 'Connexion à l’administration — Balade');
      await page.getByRole('main').waitFor();

      await logInWith(page, EDITOR.email, 'pas le bon mot de passe');
      assert.equal(await alertText(page), 'Adresse e-mail ou mot de passe incorrect.');
      // The password is to be typed again, where the focus already is.
      assert.equal(await page.getByLabel('Mot de passe', { exact: true }).inputValue(), '');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'password');
      assert.equal(await meStatus(context), 401);

      await logInWith(page, EDITOR.email, PASSWORD);
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
      // The codes in the server's order.
      const me = await (await context.request.get(`${baseUrl}/api/v1/auth/me`)).json();
      assert.deepEqual([...me.territory].sort(), EDITOR.territory.split(',').sort());
      assert.deepEqual(await sessionFacts(page), {
        'Adresse e-mail': EDITOR.email,
        Rôle: 'éditeur',
        Territoire: me.territory.join(', '),
      });
      assert.equal(await page.getByRole('alert').textContent(), '');
      const cookie = (await context.cookies()).find((c) => c.name === 'balade_session');
      assert.ok(cookie, 'a session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');

      // The cookie keeps the session: after a reload, and on any address under /admin.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
      assert.equal((await sessionFacts(page))['Adresse e-mail'], EDITOR.email);
      await page.goto(`${baseUrl}/admin/imports/12`);
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
      assert.equal((await sessionFacts(page))['Rôle'], 'éditeur');
      assert.equal(await page.getByLabel('Mot de passe').count(), 0);

      await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Connexion à l’administration', exact: true }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Session fermée.' }).waitFor();
      await page.getByLabel('Adresse e-mail', { exact: true }).waitFor();
      assert.equal(await meStatus(context), 401);
      await page.reload();
      await page.getByRole('button', { name: 'Se connecter', exact: true }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('too many failed logins: the wait is said in minutes', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      // The server's throttle (5 failures per account) is reached beside the page.
      for (let i = 0; i < 5; i += 1) {
        const res = await context.request.post(`${baseUrl}/api/v1/auth/login`, {
          headers: { Origin: baseUrl },
          data: { email: THROTTLED.email, password: `faux ${i}` },
        });
        assert.equal(res.status(), 401);
      }
      await page.goto(`${baseUrl}/admin`);
      await logInWith(page, THROTTLED.email, PASSWORD);
      assert.match(await alertText(page), /^Trop de tentatives de connexion échouées : réessayez dans 1[45] min\.$/);
      assert.equal(await meStatus(context), 401);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('no network: the page says the server cannot be reached', async () => {
    const { context, page, errors } = await env.newPage();
    try {
      await page.goto(`${baseUrl}/admin`);
      await page.getByRole('button', { name: 'Se connecter', exact: true }).waitFor();
      await env.cutNetwork();
      try {
        await logInWith(page, EDITOR.email, PASSWORD);
        assert.equal(await alertText(page), 'Le serveur est injoignable. Vérifiez votre connexion.');
      } finally {
        await env.restoreNetwork();
      }
      await logInWith(page, EDITOR.email, PASSWORD);
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('in English, the labels are English; the language switch translates in place', async () => {
    const { context, page, errors } = await env.newPage({ locale: 'en-GB' });
    try {
      await page.goto(`${baseUrl}/admin`);
      await page.getByRole('heading', { level: 1, name: 'Log in to the back-office', exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await page.getByLabel('E-mail address', { exact: true }).waitFor();
      await page.getByLabel('Password', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Log in', exact: true }).waitFor();

      await logInWith(page, ADMIN.email, 'not the password', { emailLabel: 'E-mail address', passwordLabel: 'Password', button: 'Log in' });
      assert.equal(await alertText(page), 'Wrong e-mail address or password.');
      // What was typed stays when the language changes; the alert follows the language.
      await page.getByLabel('Langue / Language').selectOption('fr');
      await page.getByLabel('Adresse e-mail', { exact: true }).waitFor();
      assert.equal(await page.getByLabel('Adresse e-mail', { exact: true }).inputValue(), ADMIN.email);
      assert.equal(await alertText(page), 'Adresse e-mail ou mot de passe incorrect.');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
      await page.getByLabel('Langue / Language').selectOption('en');

      await logInWith(page, ADMIN.email, PASSWORD, { emailLabel: 'E-mail address', passwordLabel: 'Password', button: 'Log in' });
      await page.getByRole('heading', { level: 1, name: 'Back-office', exact: true }).waitFor();
      // An admin's account has no territory: no such line.
      assert.deepEqual(await sessionFacts(page), { 'E-mail address': ADMIN.email, Role: 'admin' });
      await page.getByRole('button', { name: 'Log out', exact: true }).waitFor();
      await page.getByLabel('Langue / Language').selectOption('fr');
      await page.getByRole('button', { name: 'Se déconnecter', exact: true }).waitFor();
      assert.equal((await sessionFacts(page))['Rôle'], 'administrateur');
      // The choice is the walkers' app's too.
      assert.equal(await page.evaluate(() => localStorage.getItem('balade.lang')), 'fr');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at tablet width, by keyboard alone, with no serious axe violation in either state', async (t) => {
    const { context, page, errors } = await env.newPage({ ...AUDITED, viewport: { width: 768, height: 1024 } });
    try {
      await page.goto(`${baseUrl}/admin`);
      await page.getByRole('heading', { level: 1, name: 'Connexion à l’administration', exact: true }).waitFor();
      await audit(t, page, 'login form');
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(await overflow(), 0, 'no horizontal scrolling at 768 px');

      // Tab from the top of the page: skip link, brand, language, e-mail, password, button.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
      for (let i = 0; i < 3; i += 1) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'email');
      await page.keyboard.type(EDITOR.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
      // The focus moved to the heading; the next stop is the way out.
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
      await audit(t, page, 'session');
      assert.equal(await overflow(), 0, 'no horizontal scrolling at 768 px');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Se déconnecter');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Connexion à l’administration', exact: true }).waitFor();
      assert.equal(await meStatus(context), 401);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the walkers’ service worker neither precaches nor answers the back-office', async () => {
    const sw = readFileSync(path.join(PWA_DIR, 'sw.js'), 'utf8');
    const list = (name) => JSON.parse(sw.match(new RegExp(`const ${name} = (\\[[^\\]]*\\])`))[1]);
    const precache = list('PRECACHE');
    const staffOnly = list('STAFF_ONLY');
    assert.ok(staffOnly.includes('admin.html'), staffOnly.join(', '));
    assert.ok(staffOnly.some((f) => f.endsWith('.js')), staffOnly.join(', '));
    assert.deepEqual(precache.filter((f) => staffOnly.includes(f)), []);
    assert.ok(precache.includes('index.html'));

    const { context, page, errors } = await env.newPage();
    try {
      // A device that knows the walkers' app: its worker controls every page of the origin.
      await page.goto(`${baseUrl}/`);
      await waitForServiceWorker(page);
      await page.goto(`${baseUrl}/admin`);
      assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null));
      await logInWith(page, EDITOR.email, PASSWORD);
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Administration', exact: true }).waitFor();

      const cached = await page.evaluate(async () => {
        const urls = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
      });
      const staffPaths = new Set(staffOnly.map((f) => `/${f}`));
      const leaked = cached.filter((p) => p.startsWith('/admin') || p.startsWith('/api/v1/auth/') || staffPaths.has(p));
      assert.deepEqual(leaked, [], `cached for the back-office: ${leaked.join(', ')}`);

      // Without network, /admin is not answered with the walkers' shell.
      await env.cutNetwork();
      try {
        await assert.rejects(page.goto(`${baseUrl}/admin`));
      } finally {
        await env.restoreNetwork();
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
