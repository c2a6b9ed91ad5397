// Formatting of values for display (French).

const nf1 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const nf0 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

export const DIFFICULTY_LABELS = {
  easy: 'Facile',
  medium: 'Moyenne',
  hard: 'Difficile',
  very_hard: 'Très difficile',
};

export const TYPE_LABELS = {
  loop: 'Boucle',
  return: 'Aller-retour',
  one_way: 'Aller simple',
};

export const PRACTICE_LABELS = {
  walk: 'Randonnée pédestre',
  mtb: 'VTT',
  bike: 'Vélo',
  horse: 'Équestre',
};

export const POI_KIND_LABELS = {
  heritage: 'Patrimoine',
  fauna: 'Faune',
  flora: 'Flore',
  landscape: 'Paysage',
  viewpoint: 'Point de vue',
  lodging: 'Hébergement',
  food: 'Restauration',
  practical: 'Services pratiques',
};

function label(table, value) {
  if (value === null || value === undefined || value === '') return 'Non renseigné';
  return table[value] ?? String(value);
}

export const difficultyLabel = (v) => label(DIFFICULTY_LABELS, v);
export const typeLabel = (v) => label(TYPE_LABELS, v);
export const practiceLabel = (v) => label(PRACTICE_LABELS, v);
export const poiKindLabel = (v) => label(POI_KIND_LABELS, v);

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Distance: « 850 m », « 12,3 km ». */
export function formatLength(meters) {
  if (!isNum(meters)) return '–';
  if (meters < 1000) return `${nf0.format(Math.round(meters))} m`;
  return `${nf1.format(meters / 1000)} km`;
}

/** Distance in km with one decimal (axes, distances from the start). */
export function formatKm(meters) {
  if (!isNum(meters)) return '–';
  return `${nf1.format(meters / 1000)} km`;
}

/** Duration: « 45 min », « 2 h », « 2 h 30 min ». */
export function formatDuration(minutes) {
  if (!isNum(minutes)) return '–';
  const total = Math.max(0, Math.round(minutes));
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  if (m === 0) return `${h} h`;
  return `${h} h ${String(m).padStart(2, '0')} min`;
}

/** Elevation or ascent: « 350 m ». */
export function formatMeters(meters) {
  if (!isNum(meters)) return '–';
  return `${nf0.format(Math.round(meters))} m`;
}

/** Circuit count: « Aucun circuit », « 1 circuit », « 7 circuits ». */
export function formatCount(n) {
  if (!n) return 'Aucun circuit';
  return n === 1 ? '1 circuit' : `${nf0.format(n)} circuits`;
}

const COMPASS = ['nord', 'nord-est', 'est', 'sud-est', 'sud', 'sud-ouest', 'ouest', 'nord-ouest'];

/** Compass word for a bearing in degrees (0 = north, clockwise): « nord », « sud-ouest »… */
export function compassWord(bearing) {
  if (!isNum(bearing)) return '';
  const b = ((bearing % 360) + 360) % 360;
  return COMPASS[Math.round(b / 45) % 8];
}

/**
 * Minutes left at the circuit's average pace: duration_min × remaining_m / length_m.
 * Null when a figure is missing.
 */
export function remainingMinutes(remainingM, lengthM, durationMin) {
  if (!isNum(remainingM) || !isNum(lengthM) || !isNum(durationMin) || lengthM <= 0) return null;
  return Math.max(0, (durationMin * remainingM) / lengthM);
}

/** Storage size: « 850 o », « 12 Ko », « 3,4 Mo ». */
export function formatBytes(bytes) {
  if (!isNum(bytes)) return '–';
  if (bytes < 1000) return `${nf0.format(bytes)} o`;
  if (bytes < 1_000_000) return `${nf0.format(Math.round(bytes / 1000))} Ko`;
  return `${nf1.format(bytes / 1_000_000)} Mo`;
}

/** Date and time of a download: « 26/11/2026 à 07:05 ». */
export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  const date = d.toLocaleDateString('fr-FR');
  const time = d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  return `${date} à ${time}`;
}

/**
 * Option text with the facet count of that value: "Facile (2)", "Facile (0)".
 * Without a usable count (no facets in the response), the bare label.
 * @param {string} text
 * @param {unknown} n
 */
export function withCount(text, n) {
  return isNum(n) ? `${text} (${nf0.format(n)})` : text;
}

/**
 * Theme values to offer in the theme select: those of the facet (sorted in French order),
 * plus the current value if the facet does not hold it, so that it stays selectable.
 * @param {Record<string, number> | null | undefined} facet
 * @param {string} [current]
 * @returns {string[]}
 */
export function themeChoices(facet, current = '') {
  const values = facet && typeof facet === 'object' ? Object.keys(facet) : [];
  if (current && !values.includes(current)) values.push(current);
  return values.sort((a, b) => a.localeCompare(b, 'fr'));
}
