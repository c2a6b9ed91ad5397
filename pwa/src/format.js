// Formatting of values for display, in the current language (see i18n.js).
import { getLang, getLocale, t } from './i18n.js';

const numberFormats = new Map();
/** Number format of the current language with `digits` decimals (cached). */
function nf(digits) {
  const key = `${getLang()}/${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(getLocale(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}
const nf0 = { format: (n) => nf(0).format(n) };
const nf1 = { format: (n) => nf(1).format(n) };

/** value → label table whose texts follow the current language (enumerable getters). */
function labelTable(prefix, values) {
  const table = {};
  for (const v of values) Object.defineProperty(table, v, { enumerable: true, get: () => t(`${prefix}.${v}`) });
  return Object.freeze(table);
}

export const DIFFICULTY_LABELS = labelTable('difficulty', ['easy', 'medium', 'hard', 'very_hard']);
export const TYPE_LABELS = labelTable('type', ['loop', 'return', 'one_way']);
export const PRACTICE_LABELS = labelTable('practice', ['walk', 'mtb', 'bike', 'horse']);
export const POI_KIND_LABELS = labelTable('poiKind', [
  'heritage',
  'fauna',
  'flora',
  'landscape',
  'viewpoint',
  'lodging',
  'food',
  'practical',
]);

function label(table, value) {
  if (value === null || value === undefined || value === '') return t('common.unknown');
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
  if (h === 0) return t('unit.min', { m });
  if (m === 0) return t('unit.h', { h });
  return t('unit.hmin', { h, m: String(m).padStart(2, '0') });
}

/** A wait before trying again: « 45 s » under a minute, else whole minutes rounded up (« 15 min »). */
export function formatWait(seconds) {
  const s = Math.max(1, Math.ceil(isNum(seconds) ? seconds : 1));
  return s < 60 ? t('unit.s', { s }) : t('unit.min', { m: Math.ceil(s / 60) });
}

/** Elevation or ascent: « 350 m ». */
export function formatMeters(meters) {
  if (!isNum(meters)) return '–';
  return `${nf0.format(Math.round(meters))} m`;
}

/** Circuit count: « Aucun circuit », « 1 circuit », « 7 circuits ». */
export function formatCount(n) {
  if (!n) return t('count.zero');
  return n === 1 ? t('count.one') : t('count.many', { n: nf0.format(n) });
}

const COMPASS = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'];

/** Compass word for a bearing in degrees (0 = north, clockwise): « nord », « sud-ouest »… */
export function compassWord(bearing) {
  if (!isNum(bearing)) return '';
  const b = ((bearing % 360) + 360) % 360;
  return t(`compass.${COMPASS[Math.round(b / 45) % 8]}`);
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
  if (bytes < 1000) return t('unit.bytes', { n: nf0.format(bytes) });
  if (bytes < 1_000_000) return t('unit.kb', { n: nf0.format(Math.round(bytes / 1000)) });
  return t('unit.mb', { n: nf1.format(bytes / 1_000_000) });
}

/** Date and time of a download: « 26/11/2026 à 07:05 ». */
export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  const date = d.toLocaleDateString(getLocale());
  const time = d.toLocaleTimeString(getLocale(), { hour: '2-digit', minute: '2-digit' });
  return t('unit.dateTime', { date, time });
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
 * Values to offer in a select built from a facet of free values (theme, commune,
 * intercommunality): those of the facet (sorted in the language's order), plus the current
 * value if the facet does not hold it, so that it stays selectable.
 * @param {Record<string, number | undefined> | null | undefined} facet
 * @param {string} [current]
 * @returns {string[]}
 */
export function facetChoices(facet, current = '') {
  const values = facet && typeof facet === 'object' ? Object.keys(facet) : [];
  if (current && !values.includes(current)) values.push(current);
  return values.sort((a, b) => a.localeCompare(b, getLang()));
}
