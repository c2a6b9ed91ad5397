// Shared harness of the browser tests: the real Balade server (demo data) started on a random
// port, a headless Chromium, and fresh pages. Not a test file itself: `node --test tests/`
// only runs the *.test.mjs files, not this folder's plain names.
//
// Needs `npm run build` (dist/) and the server binary (`cargo build` at the repo root, or
// BALADE_BIN=/path/to/balade). Chromium: /usr/bin/chromium (or CHROMIUM_PATH).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(__dirname, '../../..');
export const BIN = process.env.BALADE_BIN || path.join(REPO, 'target/debug/balade');
export const PWA_DIR = path.join(REPO, 'pwa/dist');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const STARTUP_TIMEOUT_MS = 60_000;
export const UI_TIMEOUT_MS = 20_000;

/** Chromium flags of every browser test: no sandbox, GPU, QUIC or background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Servers still running; killed if the test process stops abruptly.
const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/**
 * Starts `BIN serve --demo` on 127.0.0.1:<random port> with its database in `dir`, plus
 * `extraArgs`, and waits for the line "listening on http://…" on stdout. Resolves to
 * `{ url, stop }`: the base URL (no trailing slash) and an async stop (SIGTERM, then SIGKILL
 * after 5 s).
 */
/** The database URL of the server started in `dir` (what `--db` and BALADE_DB take). */
export const dbUrl = (dir) => `sqlite://${path.join(dir, 'balade.db')}`;

/**
 * Runs the Balade CLI (`BIN args…`) against `db` (passed as BALADE_DB), with `input` on its
 * standard input (a password for `--password-stdin`); resolves to its stdout, rejects with
 * stdout and stderr in the message when it fails.
 */
export function runBalade(db, args, { input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(BIN, args, { cwd: REPO, env: { ...process.env, BALADE_DB: db }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`balade ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

export function startServer(dir, extraArgs = []) {
  let output = '';
  const child = spawn(
    BIN,
    ['serve', '--demo', '--addr', '127.0.0.1:0', '--db', dbUrl(dir), ...extraArgs],
    { cwd: REPO, env: { ...process.env, BALADE_PWA_DIR: PWA_DIR }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  const exited = new Promise((res) => child.once('exit', res));

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer;
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise((res) => {
        timer = setTimeout(() => res(false), 5000);
      }),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  return new Promise((resolve, reject) => {
    let settled = false;
    let buf = '';
    const finish = (err, url) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ url, stop });
    };
    const timer = setTimeout(
      () => finish(new Error(`the server did not print "listening on" within ${STARTUP_TIMEOUT_MS / 1000} s.\nOutput:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const line of lines.concat(buf)) {
        const m = line.match(/listening on (http:\/\/[^\s]+)/);
        if (m) finish(null, m[1].replace(/\/+$/, ''));
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', (err) => finish(new Error(`cannot start ${BIN}: ${err.message}\nOutput:\n${output}`)));
    child.once('exit', (code, signal) => finish(new Error(`the server stopped before being ready (code ${code}, signal ${signal}).\nOutput:\n${output}`)));
  });
}

/**
 * A TCP relay on 127.0.0.1 in front of `target` (`http://host:port`): the browser talks to
 * the relay, and `cut()` makes the network really go away for it: every open connection is
 * closed and new ones are refused, for the page, the service worker and anything else,
 * whatever the browser's own idea of being online. `restore()` listens again on the same
 * port, so the pages keep their origin. Resolves to `{ url, cut, restore, close }`.
 */
export async function startRelay(target) {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set();
  let server = null;
  let port = 0;
  const listen = () =>
    new Promise((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(targetPort), hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.once('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = server.address().port;
        resolve();
      });
    });
  const cut = () =>
    new Promise((resolve) => {
      if (!server) return resolve();
      const closing = server;
      server = null;
      closing.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    close: cut,
  };
}

/**
 * One browser test suite's environment: a temporary folder, the server, the browser.
 * Typical use: `before(() => env.setUp())` then `after(() => env.tearDown())`; or, to do
 * something between the steps, call `prepare`, `startServer` and `launchBrowser` in turn.
 */
export class BrowserEnv {
  /** `tmpPrefix`: prefix of the temporary folder (in the system's tmpdir). */
  constructor(tmpPrefix) {
    this.tmpPrefix = tmpPrefix;
    this.tmp = null;
    this.baseUrl = '';
    this.browser = null;
    this.server = null;
    this.relay = null;
  }

  /** Checks the server binary and dist/ are there, then creates the temporary folder. */
  prepare() {
    if (!existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (run "cargo build" or set BALADE_BIN)`);
    if (!existsSync(path.join(PWA_DIR, 'index.html')) || !existsSync(path.join(PWA_DIR, 'sw.js'))) {
      throw new Error(`${PWA_DIR} incomplete: run "npm run build" in pwa/`);
    }
    this.tmp = mkdtempSync(path.join(tmpdir(), this.tmpPrefix));
    return this.tmp;
  }

  /**
   * Starts the server (database in the temporary folder) behind a relay that
   * `cutNetwork()` can cut; resolves to the base URL the browser uses (the relay's).
   */
  async startServer(extraArgs = []) {
    this.server = await startServer(this.tmp, extraArgs);
    this.relay = await startRelay(this.server.url);
    this.baseUrl = this.relay.url;
    return this.baseUrl;
  }

  /**
   * No network from now on: every request of the browser to the server fails, the service
   * worker's included (`context.setOffline` does not cover those on every Chromium).
   */
  async cutNetwork() {
    await this.relay.cut();
  }

  /** The network is back: the same origin answers again. */
  async restoreNetwork() {
    await this.relay.restore();
  }

  /**
   * Runs the Balade CLI on the server's database (after `prepare`), with `options.input` on
   * its standard input; resolves to its stdout.
   */
  balade(args, options) {
    return runBalade(dbUrl(this.tmp), args, options);
  }

  /** Launches the headless Chromium every page of the suite is opened in. */
  async launchBrowser() {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    return this.browser;
  }

  /** prepare, startServer, launchBrowser; resolves to the base URL. */
  async setUp(extraArgs = []) {
    this.prepare();
    await this.startServer(extraArgs);
    await this.launchBrowser();
    return this.baseUrl;
  }

  /**
   * Closes the browser, stops the server, runs `beforeCleanup` (if any), then removes the
   * temporary folder; each step runs even if the browser fails to close.
   */
  async tearDown(beforeCleanup) {
    try {
      await this.browser?.close();
    } finally {
      await this.relay?.close();
      await this.server?.stop();
      await beforeCleanup?.();
      if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    }
  }

  /** A fresh context (fr-FR, 1280×900, plus `options`) and page; page errors are collected. */
  async newPage(options = {}) {
    const context = await this.browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 }, ...options });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err));
    // The server's Content Security Policy must never get in the app's way.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) errors.push(new Error(msg.text()));
    });
    return { context, page, errors };
  }

  /** GET `pathAndQuery` on the server through `context`, asserts 200, returns the JSON. */
  async apiJson(context, pathAndQuery) {
    const res = await context.request.get(`${this.baseUrl}${pathAndQuery}`);
    assert.equal(res.status(), 200, `GET ${pathAndQuery} → ${res.status()}`);
    return res.json();
  }
}
