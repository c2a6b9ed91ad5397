// The embeddable widget <balade-circuits>: one ES module, built after the web app into
// dist/widget/v1/ (the app's build empties dist/ first). Not in the service worker's
// precache: that list comes from the app's own build only.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const OUT = resolve(root, 'dist/widget/v1');
const FILE = 'balade-circuits.js';

/** Writes integrity.json beside the widget: its SRI hash, for hosts that pin it. */
function integrity() {
  return {
    name: 'balade-widget-integrity',
    apply: 'build',
    writeBundle() {
      const hash = createHash('sha384').update(readFileSync(join(OUT, FILE))).digest('base64');
      writeFileSync(join(OUT, 'integrity.json'), `${JSON.stringify({ [FILE]: `sha384-${hash}` }, null, 2)}\n`);
    },
  };
}

export default defineConfig({
  publicDir: false,
  build: {
    outDir: OUT,
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    lib: {
      entry: resolve(root, 'widget/balade-circuits.js'),
      formats: ['es'],
      fileName: () => FILE,
    },
  },
  plugins: [integrity()],
});
