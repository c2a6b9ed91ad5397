// Génère les icônes PNG de l'application (192, 512, 512 « maskable ») sans dépendance :
// rastérisation à la main (suréchantillonnage 4×4) et encodeur PNG minimal (zlib intégré).
// Usage : node scripts/make-icons.mjs  → public/icons/*.png
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.mjs'; // the PNG encoder, shared with tests/tiles.test.mjs

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');

// --- Dessin (coordonnées unitaires 0..1) ---
const hex = (s) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
const BG = hex('#2b6340');
const GROUND = hex('#1f4a30');
const SNOW = hex('#ffffff');
const HILL = hex('#cfe5d4');
const SUN = hex('#f2c14e');
const PATH = hex('#f29f4b');

function inTriangle(x, y, [ax, ay], [bx, by], [cx, cy]) {
  const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
  const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
  const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
  const neg = d1 < 0 || d2 < 0 || d3 < 0;
  const pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

// Sentier : courbe de Bézier quadratique échantillonnée.
const PATH_PTS = [];
for (let i = 0; i <= 64; i += 1) {
  const t = i / 64;
  const p0 = [0.34, 0.97];
  const p1 = [0.78, 0.84];
  const p2 = [0.5, 0.72];
  PATH_PTS.push([
    (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
    (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1],
  ]);
}

function distToPath(x, y) {
  let best = Infinity;
  for (let i = 1; i < PATH_PTS.length; i += 1) {
    const [ax, ay] = PATH_PTS[i - 1];
    const [bx, by] = PATH_PTS[i];
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
  }
  return best;
}

/** Couleur (ou null = transparent) au point (x, y) du dessin. */
function paint(x, y, { rounded, scale }) {
  if (rounded) {
    const r = 0.2;
    const cx = Math.min(Math.max(x, r), 1 - r);
    const cy = Math.min(Math.max(y, r), 1 - r);
    if (Math.hypot(x - cx, y - cy) > r) return null;
  }
  // Le motif est réduit vers le centre (zone sûre des icônes « maskable »).
  const u = 0.5 + (x - 0.5) / scale;
  const v = 0.5 + (y - 0.5) / scale;
  if (u >= 0 && u <= 1 && v >= 0 && v <= 1) {
    if (v > 0.72) return distToPath(u, v) < 0.035 ? PATH : GROUND;
    if (Math.hypot(u - 0.76, v - 0.26) < 0.085) return SUN;
    if (inTriangle(u, v, [0.4, 0.24], [0.08, 0.72], [0.72, 0.72])) {
      return v < 0.36 && inTriangle(u, v, [0.4, 0.24], [0.325, 0.36], [0.475, 0.36]) ? SNOW : HILL;
    }
    if (inTriangle(u, v, [0.68, 0.4], [0.44, 0.72], [0.96, 0.72])) return SNOW;
  } else if (v > 0.72) {
    return GROUND;
  }
  return BG;
}

function render(size, opts) {
  const out = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy += 1) {
        for (let sx = 0; sx < ss; sx += 1) {
          const c = paint((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, opts);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = (py * size + px) * 4;
      if (a) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return encodePng(size, size, out);
}

mkdirSync(OUT, { recursive: true });
const targets = [
  ['icon-192.png', 192, { rounded: true, scale: 1 }],
  ['icon-512.png', 512, { rounded: true, scale: 1 }],
  ['icon-maskable-512.png', 512, { rounded: false, scale: 0.78 }],
];
for (const [name, size, opts] of targets) {
  const png = render(size, opts);
  writeFileSync(join(OUT, name), png);
  console.log(`${name} : ${size}×${size}, ${png.length} octets`);
}
