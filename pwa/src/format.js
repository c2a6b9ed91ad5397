// Mise en forme des valeurs pour l'affichage (français).

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

/** Distance : « 850 m », « 12,3 km ». */
export function formatLength(meters) {
  if (!isNum(meters)) return '–';
  if (meters < 1000) return `${nf0.format(Math.round(meters))} m`;
  return `${nf1.format(meters / 1000)} km`;
}

/** Distance en km avec une décimale (axes, distances depuis le départ). */
export function formatKm(meters) {
  if (!isNum(meters)) return '–';
  return `${nf1.format(meters / 1000)} km`;
}

/** Durée : « 45 min », « 2 h », « 2 h 30 min ». */
export function formatDuration(minutes) {
  if (!isNum(minutes)) return '–';
  const total = Math.max(0, Math.round(minutes));
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  if (m === 0) return `${h} h`;
  return `${h} h ${String(m).padStart(2, '0')} min`;
}

/** Altitude ou dénivelé : « 350 m ». */
export function formatMeters(meters) {
  if (!isNum(meters)) return '–';
  return `${nf0.format(Math.round(meters))} m`;
}

/** « Aucun circuit », « 1 circuit », « 7 circuits ». */
export function formatCount(n) {
  if (!n) return 'Aucun circuit';
  return n === 1 ? '1 circuit' : `${nf0.format(n)} circuits`;
}
