// The real server with its demo data, for the measurements of this folder: `balade serve
// --demo` on a free port and a fresh SQLite file in `dir`, serving the built web app.
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Starts the server; resolves to { url, stop } once it prints its address.
 * @param {{ bin: string, repo: string, pwaDir: string, dir: string }} where
 */
export function startDemoServer({ bin, repo, pwaDir, dir }) {
  const child = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--db', `sqlite://${path.join(dir, 'balade.db')}`], {
    cwd: repo,
    env: { ...process.env, BALADE_PWA_DIR: pwaDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready within 60 s:\n${output}`)), 60_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c) => (output += c));
    child.stdout.on('data', (c) => {
      output += c;
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1].replace(/\/+$/, ''), stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server stopped (code ${code}):\n${output}`));
    });
  });
}
