// Lighthouse measurement of the walkers' app (issue 17, "Budgets"): the real server with its
// demo data serving dist/, Lighthouse in its default (mobile) configuration on the list (/)
// and on a circuit sheet, a few runs, medians printed with the targets beside them.
//
// A measurement, not a test: it never fails because the machine is slow. It exits non-zero
// only when it cannot measure (no server, no browser). The deterministic parts of the
// budgets (no map or guide code at first load, layout shift, touch targets, axe) are
// asserted in tests/budgets.test.mjs.
//
//   npm run build && node benches/lighthouse.mjs [--runs 3] [--json]
//
// Variables: BALADE_BIN (server binary, default ../target/debug/balade), CHROMIUM_PATH
// (default /usr/bin/chromium: Lighthouse never downloads a browser here).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoServer } from './demo-server.mjs';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
const BIN = process.env.BALADE_BIN || path.join(REPO, 'target/debug/balade');
const PWA_DIR = path.join(REPO, 'pwa/dist');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1]) || 3) : 3;
const JSON_OUT = args.includes('--json');

/** The pages measured: the landing list and one circuit's sheet (hash routes). */
const PAGES = [
  ['list', '/'],
  ['sheet', '/#/circuits/provins-remparts'],
];

/** The targets of issue 17, with how a figure is compared to them. */
const TARGETS = {
  performance: { text: '≥ 95', ok: (v) => v >= 95 },
  accessibility: { text: '= 100', ok: (v) => v >= 100 },
  cls: { text: '< 0.05', ok: (v) => v < 0.05 },
  lcpMs: { text: '(info)', ok: () => true },
  tbtMs: { text: '(info)', ok: () => true },
  firstLoadJsBytes: { text: 'list code only', ok: () => true },
};

/** Starts `balade serve --demo` on a free port; resolves to { url, stop }. */
function startServer(dir) {
  return startDemoServer({ bin: BIN, repo: REPO, pwaDir: PWA_DIR, dir });
}

/** Bytes (transferred) of the scripts the page loaded, from Lighthouse's network records. */
function scriptBytes(lhr) {
  const items = lhr.audits['network-requests']?.details?.items ?? [];
  return items
    .filter((r) => r.resourceType === 'Script')
    .reduce((sum, r) => sum + (r.transferSize || r.resourceSize || 0), 0);
}

/** The figures of one Lighthouse report. */
function figures(lhr) {
  const num = (id) => lhr.audits[id]?.numericValue ?? NaN;
  const items = lhr.audits['network-requests']?.details?.items ?? [];
  return {
    performance: Math.round((lhr.categories.performance?.score ?? NaN) * 100),
    accessibility: Math.round((lhr.categories.accessibility?.score ?? NaN) * 100),
    cls: num('cumulative-layout-shift'),
    lcpMs: num('largest-contentful-paint'),
    tbtMs: num('total-blocking-time'),
    firstLoadJsBytes: scriptBytes(lhr),
    scripts: items.filter((r) => r.resourceType === 'Script').map((r) => r.url.replace(/^.*\//, '')),
    failing: Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && ['binary', 'numeric', 'metricSavings'].includes(a.scoreDisplayMode) && isA11y(lhr, a.id))
      .map((a) => a.id),
  };
}

const isA11y = (lhr, id) => (lhr.categories.accessibility?.auditRefs ?? []).some((r) => r.id === id && r.weight > 0);

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

async function main() {
  if (!existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (cargo build, or BALADE_BIN)`);
  if (!existsSync(path.join(PWA_DIR, 'index.html'))) throw new Error(`${PWA_DIR} missing: npm run build`);
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM} (CHROMIUM_PATH); none is downloaded`);
  const dir = mkdtempSync(path.join(tmpdir(), 'balade-lighthouse-'));
  const server = await startServer(dir);
  /** @type {Record<string, ReturnType<typeof figures>[]>} */
  const results = Object.fromEntries(PAGES.map(([name]) => [name, []]));
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      for (const [name, route] of PAGES) {
        // A fresh browser (fresh profile) per measurement: a cold first load every time.
        const chrome = await chromeLauncher.launch({
          chromePath: CHROMIUM,
          chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
        });
        try {
          const result = await lighthouse(`${server.url}${route}`, {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: ['performance', 'accessibility'],
          });
          if (!result) throw new Error(`no Lighthouse result for ${route}`);
          if (result.lhr.runtimeError) throw new Error(`${route}: ${result.lhr.runtimeError.message}`);
          const f = figures(result.lhr);
          results[name].push(f);
          process.stderr.write(
            `run ${run} ${name}: perf ${f.performance}, a11y ${f.accessibility}, CLS ${f.cls.toFixed(3)}, LCP ${Math.round(f.lcpMs)} ms, TBT ${Math.round(f.tbtMs)} ms, JS ${f.firstLoadJsBytes} B\n`,
          );
        } finally {
          await chrome.kill();
        }
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const summary = {};
  for (const [name] of PAGES) {
    const runs = results[name];
    summary[name] = Object.fromEntries(Object.keys(TARGETS).map((k) => [k, median(runs.map((r) => r[k]))]));
    summary[name].scripts = runs[0]?.scripts ?? [];
    summary[name].accessibilityFailing = [...new Set(runs.flatMap((r) => r.failing))];
  }
  if (JSON_OUT) {
    console.log(JSON.stringify({ runs: RUNS, summary }, null, 2));
    return;
  }
  const fmt = {
    performance: (v) => String(v),
    accessibility: (v) => String(v),
    cls: (v) => v.toFixed(3),
    lcpMs: (v) => `${Math.round(v)} ms`,
    tbtMs: (v) => `${Math.round(v)} ms`,
    firstLoadJsBytes: (v) => `${(v / 1024).toFixed(1)} KiB`,
  };
  console.log(`Lighthouse ${RUNS} run(s), mobile default configuration, medians:`);
  for (const [name, route] of PAGES) {
    console.log(`\n${name} (${route})`);
    for (const [k, target] of Object.entries(TARGETS)) {
      const v = summary[name][k];
      console.log(`  ${k.padEnd(17)} ${fmt[k](v).padStart(10)}   target ${target.text}${target.ok(v) ? '' : '   ✗'}`);
    }
    console.log(`  scripts at first load: ${summary[name].scripts.join(', ')}`);
    if (summary[name].accessibilityFailing.length) console.log(`  accessibility audits failing: ${summary[name].accessibilityFailing.join(', ')}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
