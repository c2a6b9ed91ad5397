// Unit tests (no browser) of the pure formatting and profile functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiUrl, downloadUrl } from '../src/api.js';
import {
  difficultyLabel,
  facetChoices,
  formatCount,
  formatDuration,
  formatLength,
  formatMeters,
  formatWait,
  poiKindLabel,
  practiceLabel,
  typeLabel,
  withCount,
} from '../src/format.js';
import { elevationAt } from '../src/profile.js';

const nbsp = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('distances', () => {
  assert.equal(formatLength(850), '850 m');
  assert.equal(formatLength(12345), '12,3 km');
  assert.equal(formatLength(1000), '1,0 km');
  assert.equal(formatLength(null), '–');
});

test('durées', () => {
  assert.equal(formatDuration(45), '45 min');
  assert.equal(formatDuration(120), '2 h');
  assert.equal(formatDuration(150), '2 h 30 min');
  assert.equal(formatDuration(65), '1 h 05 min');
  assert.equal(formatDuration(undefined), '–');
});

test('attente avant de réessayer : secondes, puis minutes arrondies au-dessus', () => {
  assert.equal(formatWait(45), '45 s');
  assert.equal(formatWait(0), '1 s');
  assert.equal(formatWait(59.2), '1 min');
  assert.equal(formatWait(60), '1 min');
  assert.equal(formatWait(61), '2 min');
  assert.equal(formatWait(900), '15 min');
});

test('dénivelés et compteurs', () => {
  assert.equal(nbsp(formatMeters(1234.4)), '1 234 m');
  assert.equal(formatCount(0), 'Aucun circuit');
  assert.equal(formatCount(1), '1 circuit');
  assert.equal(formatCount(7), '7 circuits');
});

test('libellés français', () => {
  assert.equal(difficultyLabel('very_hard'), 'Très difficile');
  assert.equal(typeLabel('one_way'), 'Aller simple');
  assert.equal(typeLabel('return'), 'Aller-retour');
  assert.equal(practiceLabel('mtb'), 'VTT');
  assert.equal(poiKindLabel('practical'), 'Services pratiques');
  assert.equal(poiKindLabel('inconnu'), 'inconnu');
});

test('URL de l’API : seuls les paramètres non vides', () => {
  assert.equal(apiUrl('/circuits', { q: ' ', type: 'loop', difficulty: '', duration_max: 90 }), 'api/v1/circuits?type=loop&duration_max=90');
  assert.equal(apiUrl('/circuits'), 'api/v1/circuits');
  assert.equal(downloadUrl('a b', 'gpx'), 'api/v1/circuits/a%20b/download?format=gpx');
});

test('altitude interpolée le long du profil', () => {
  const pts = [
    [0, 100],
    [100, 200],
    [300, 100],
  ];
  assert.equal(elevationAt(pts, -5), 100);
  assert.equal(elevationAt(pts, 50), 150);
  assert.equal(elevationAt(pts, 200), 150);
  assert.equal(elevationAt(pts, 1000), 100);
  assert.equal(elevationAt([], 10), null);
});

test('compteurs des filtres (facettes)', () => {
  assert.equal(withCount('Facile', 2), 'Facile (2)');
  assert.equal(withCount('Facile', 0), 'Facile (0)');
  assert.equal(withCount('Facile', undefined), 'Facile');
  assert.equal(withCount('Facile', null), 'Facile');
  assert.equal(nbsp(withCount('eau', 1200)), 'eau (1 200)');
  assert.deepEqual(facetChoices({ forêt: 3, eau: 3, église: 1 }), ['eau', 'église', 'forêt']);
  assert.deepEqual(facetChoices({ eau: 3 }, 'vignes'), ['eau', 'vignes']);
  assert.deepEqual(facetChoices({ eau: 3 }, 'eau'), ['eau']);
  assert.deepEqual(facetChoices(undefined, ''), []);
  assert.deepEqual(facetChoices(null, 'eau'), ['eau']);
  // Communes and intercommunalities: same rule, accents sorted in French order.
  assert.deepEqual(facetChoices({ Pommeuse: 1, Guérard: 1, Coulommiers: 1 }), ['Coulommiers', 'Guérard', 'Pommeuse']);
  assert.deepEqual(facetChoices({ Barbizon: 2 }, 'Provins'), ['Barbizon', 'Provins']);
});
