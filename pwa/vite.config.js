import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const SW_TEMPLATE = resolve(root, 'src/sw.js');

function listFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(listFiles(full));
    else out.push(full);
  }
  return out;
}

/**
 * The files of the bundle reached from the entry chunk named `name`: its chunks (static and
 * dynamic imports) with their CSS and assets.
 */
function reachedFrom(bundle, name) {
  const entry = Object.values(bundle).find((item) => item.type === 'chunk' && item.isEntry && item.name === name);
  const seen = new Set();
  const visit = (fileName) => {
    const item = bundle[fileName];
    if (!item || seen.has(fileName)) return;
    seen.add(fileName);
    if (item.type !== 'chunk') return;
    for (const f of [...item.imports, ...item.dynamicImports]) visit(f);
    for (const f of item.viteMetadata?.importedCss ?? []) seen.add(f);
    for (const f of item.viteMetadata?.importedAssets ?? []) seen.add(f);
  };
  if (entry) visit(entry.fileName);
  return seen;
}

/** The template's import of the module it shares with the page. */
const SW_IMPORT = /^import \{([^}]+)\} from '\.\/outbox\.js';$/m;

/**
 * The service worker from `source` (src/sw.js with its markers replaced): its import of
 * outbox.js (shared with the page, with `idb`) becomes that module bundled in front of it
 * as one classic script (module service workers do not run everywhere); the template's own
 * code follows as written. Resolves to the code.
 * @param {string} source
 */
async function bundleServiceWorker(source) {
  const imported = source.match(SW_IMPORT);
  if (!imported) throw new Error("src/sw.js: import { … } from './outbox.js' not found");
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: {
      write: false,
      minify: false,
      target: 'es2020',
      lib: { entry: resolve(root, 'src/outbox.js'), formats: ['iife'], name: 'baladeOutbox', fileName: () => 'outbox.js' },
    },
  });
  const outputs = Array.isArray(output) ? output : [output];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((item) => item.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('service worker: outbox.js not bundled');
  return `${chunk.code}\n${source.replace(SW_IMPORT, `const {${imported[1]}} = baladeOutbox;`)}`;
}

/**
 * Writes dist/sw.js from the src/sw.js template: the precache list comes from Vite's
 * output (index.html, JS, CSS, images) and the public/ folder (manifest, icons); the
 * cache version is a SHA-256 hash of those files, so it changes whenever the shell does.
 * The back-office (admin.html and the files only it uses) is left out of the precache and
 * listed apart: the service worker lets those requests go to the network untouched.
 */
function baladeServiceWorker() {
  let config;
  return {
    name: 'balade-service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    async writeBundle(options, bundle) {
      const outDir = options.dir || config.build.outDir;
      const files = new Map();
      for (const [fileName, item] of Object.entries(bundle)) {
        if (fileName.endsWith('.map') || fileName === 'sw.js') continue;
        files.set(fileName, item.type === 'chunk' ? item.code : item.source);
      }
      if (config.publicDir) {
        for (const full of listFiles(config.publicDir)) {
          const rel = relative(config.publicDir, full).split(sep).join('/');
          if (rel === 'sw.js' || files.has(rel)) continue;
          files.set(rel, readFileSync(full));
        }
      }
      if (!files.has('index.html')) this.error('index.html absent de la sortie : précache impossible');

      const walkers = reachedFrom(bundle, 'index');
      if (walkers.size === 0) this.error('entrée « index » absente de la sortie : précache impossible');
      // The embeddable page is for other sites' iframes, the open-data page for re-users:
      // left to the network as well.
      const staffOnly = [
        'admin.html',
        ...reachedFrom(bundle, 'admin'),
        'embed.html',
        ...reachedFrom(bundle, 'embed'),
        'donnees.html',
        ...reachedFrom(bundle, 'donnees'),
      ].filter((f) => files.has(f) && !walkers.has(f));
      for (const f of staffOnly) files.delete(f);

      const names = [...files.keys()].sort();
      const hash = createHash('sha256');
      for (const name of names) {
        hash.update(name);
        hash.update('\0');
        hash.update(files.get(name));
        hash.update('\0');
      }
      const version = hash.digest('hex').slice(0, 12);
      // "./": the real navigation URL (the server serves index.html at the root).
      const precache = ['./', ...names];

      const template = readFileSync(SW_TEMPLATE, 'utf8');
      const listMarker = '/* __BALADE_PRECACHE__ */ []';
      const staffMarker = '/* __BALADE_STAFF_ONLY__ */ []';
      const versionMarker = '__BALADE_SW_VERSION__';
      if (![listMarker, staffMarker, versionMarker].every((m) => template.includes(m))) {
        this.error('marqueurs du précache absents de src/sw.js');
      }
      const source = template
        .replace(listMarker, JSON.stringify(precache, null, 2))
        .replace(staffMarker, JSON.stringify(staffOnly.sort(), null, 2))
        .replace(versionMarker, version);
      // The worker imports modules it shares with the page (outbox.js, and `idb`): bundled
      // into one classic script, since not every browser runs module service workers.
      const code = await bundleServiceWorker(source);
      writeFileSync(join(outDir, 'sw.js'), code);
      config.logger.info(
        `sw.js : ${precache.length} entrées précachées, ${staffOnly.length} de l’administration laissées au réseau, version ${version}`,
      );
    },
  };
}

export default defineConfig({
  base: './',
  resolve: {
    alias: [
      // @maplibre/maplibre-gl-leaflet imports `leaflet` and `maplibre-gl`: the same Leaflet
      // as the app's (its ES module build, one copy), and MapLibre's "CSP" build, whose
      // worker is a file of this build (the server's policy has `worker-src 'self'`, no
      // `blob:`; basemap-vector.js passes the file to `setWorkerUrl`).
      { find: /^leaflet$/, replacement: 'leaflet/dist/leaflet-src.esm.js' },
      { find: /^maplibre-gl$/, replacement: 'maplibre-gl/dist/maplibre-gl-csp.js' },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
    // The vector basemap's chunk (MapLibre GL JS, ~1 MB, ~250 kB gzipped) is loaded only
    // with a vector basemap's first map.
    chunkSizeWarningLimit: 1100,
    // The walkers' app, the back-office (/admin), the widget for iframes (/embed) and the
    // open-data page (/donnees, /data).
    rolldownOptions: {
      input: {
        index: resolve(root, 'index.html'),
        admin: resolve(root, 'admin.html'),
        embed: resolve(root, 'embed.html'),
        donnees: resolve(root, 'donnees.html'),
      },
    },
  },
  experimental: {
    // The back-office is served at /admin and at every path under it: its page names its
    // files from the root, where a relative name would point under /admin/.
    renderBuiltUrl(filename, { hostId, hostType }) {
      return hostType === 'html' && hostId === 'admin.html' ? `/${filename}` : undefined;
    },
  },
  server: {
    // Development: the API is proxied to a local Balade server (BALADE_API to change it).
    proxy: { '/api': process.env.BALADE_API || 'http://127.0.0.1:8080' },
  },
  plugins: [baladeServiceWorker()],
});
