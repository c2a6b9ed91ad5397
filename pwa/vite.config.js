import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

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
 * Writes dist/sw.js from the src/sw.js template: the precache list comes from Vite's
 * output (index.html, JS, CSS, images) and the public/ folder (manifest, icons); the
 * cache version is a SHA-256 hash of those files, so it changes whenever the shell does.
 */
function baladeServiceWorker() {
  let config;
  return {
    name: 'balade-service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    writeBundle(options, bundle) {
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
      const versionMarker = '__BALADE_SW_VERSION__';
      if (!template.includes(listMarker) || !template.includes(versionMarker)) {
        this.error('marqueurs du précache absents de src/sw.js');
      }
      const source = template
        .replace(listMarker, JSON.stringify(precache, null, 2))
        .replace(versionMarker, version);
      writeFileSync(join(outDir, 'sw.js'), source);
      config.logger.info(`sw.js : ${precache.length} entrées précachées, version ${version}`);
    },
  };
}

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
  },
  server: {
    // Development: the API is proxied to a local Balade server (BALADE_API to change it).
    proxy: { '/api': process.env.BALADE_API || 'http://127.0.0.1:8080' },
  },
  plugins: [baladeServiceWorker()],
});
