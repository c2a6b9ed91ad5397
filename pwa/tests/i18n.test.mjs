// Unit tests (no browser) of the app's dictionary (src/i18n.js) and of the practical
// information of the sheet (src/practical.js).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LANG, LANGS, MESSAGES, detectLang, format, getLang, setLang, t } from '../src/i18n.js';
import { compassWord, difficultyLabel, formatCount, formatDuration, formatLength, DIFFICULTY_LABELS } from '../src/format.js';
import { PRACTICAL_FIELDS, practicalInfo } from '../src/practical.js';

afterEach(() => setLang(DEFAULT_LANG));

test('French and English have the same keys, none empty', () => {
  assert.deepEqual(LANGS, ['fr', 'en']);
  const frKeys = Object.keys(MESSAGES.fr).sort();
  const enKeys = Object.keys(MESSAGES.en).sort();
  assert.ok(frKeys.length > 100);
  assert.deepEqual(enKeys, frKeys);
  for (const lang of LANGS) {
    for (const [key, text] of Object.entries(MESSAGES[lang])) {
      assert.equal(typeof text, 'string', `${lang} ${key}`);
      assert.ok(text.trim() !== '', `${lang} ${key} is empty`);
    }
  }
});

test('both languages use the same parameters in each text', () => {
  const names = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(MESSAGES.fr)) {
    assert.deepEqual(names(MESSAGES.en[key]), names(MESSAGES.fr[key]), key);
  }
});

test('the labels used by the views all have entries', () => {
  for (const prefix of ['practical']) {
    for (const field of [...PRACTICAL_FIELDS, 'title', 'steps']) assert.ok(MESSAGES.fr[`${prefix}.${field}`], field);
  }
  assert.equal(t('no.such.key'), 'no.such.key');
});

test('params are substituted', () => {
  assert.equal(t('sheet.species', { n: 3 }), 'Espèces observées le long du parcours (3)');
  assert.equal(t('guide.nextValue', { name: 'Lavoir', d: '300 m' }), 'Lavoir dans 300 m');
  setLang('en');
  assert.equal(t('guide.nextValue', { name: 'Wash house', d: '300 m' }), 'Wash house in 300 m');
  assert.equal(t('map.startOf', { name: 'X' }), 'Start: X');
  // A missing parameter is left visible rather than replaced by "undefined".
  assert.equal(format('{a} and {b}', { a: 1 }), '1 and {b}');
  assert.equal(format('no params'), 'no params');
});

test('language detection', () => {
  assert.equal(detectLang(['en-GB', 'fr']), 'en');
  assert.equal(detectLang(['de']), 'fr');
  assert.equal(detectLang(['de-DE', 'fr-CA', 'en']), 'fr');
  assert.equal(detectLang(['EN_us']), 'en');
  assert.equal(detectLang([]), 'fr');
  assert.equal(detectLang(undefined), 'fr');
});

test('French by default, English on demand, unknown language → French', () => {
  assert.equal(getLang(), 'fr');
  assert.equal(t('list.title'), 'Trouver un circuit');
  setLang('en');
  assert.equal(getLang(), 'en');
  assert.equal(t('list.title'), 'Find a trail');
  setLang('xx');
  assert.equal(getLang(), 'fr');
});

test('formatting follows the language', () => {
  assert.equal(formatLength(12345), '12,3 km');
  assert.equal(difficultyLabel('easy'), 'Facile');
  assert.equal(formatCount(7), '7 circuits');
  assert.equal(compassWord(225), 'sud-ouest');
  setLang('en');
  assert.equal(formatLength(12345), '12.3 km');
  assert.equal(difficultyLabel('very_hard'), 'Very hard');
  assert.equal(DIFFICULTY_LABELS.medium, 'Medium');
  assert.deepEqual(Object.keys(DIFFICULTY_LABELS), ['easy', 'medium', 'hard', 'very_hard']);
  assert.equal(formatCount(0), 'No trail');
  assert.equal(formatCount(1), '1 trail');
  assert.equal(formatCount(7), '7 trails');
  assert.equal(formatDuration(150), '2 h 30 min');
  assert.equal(compassWord(225), 'south-west');
  assert.equal(difficultyLabel(null), 'Not specified');
});

test('practical information: nothing when absent or empty', () => {
  assert.equal(practicalInfo(undefined), null);
  assert.equal(practicalInfo(null), null);
  assert.equal(practicalInfo('text'), null);
  assert.equal(practicalInfo({}), null);
  assert.equal(
    practicalInfo({ access: null, parking: '', public_transport: '  ', best_season: null, recommendations: undefined, steps: [] }),
    null,
  );
  assert.equal(practicalInfo({ steps: null, accessibility: null }), null);
  assert.equal(practicalInfo({ steps: ['', '  ', null] }), null);
});

test('practical information: fields in order, steps trimmed', () => {
  const info = practicalInfo({
    steps: [' Prendre le chemin à gauche. ', '', 'Monter jusqu’à la chapelle.'],
    recommendations: 'Eau\nChaussures',
    access: 'Par la D12.',
    parking: null,
  });
  assert.deepEqual(info, {
    items: [
      { field: 'access', text: 'Par la D12.' },
      { field: 'recommendations', text: 'Eau\nChaussures' },
    ],
    steps: ['Prendre le chemin à gauche.', 'Monter jusqu’à la chapelle.'],
  });
  assert.deepEqual(practicalInfo({ best_season: 'Printemps' }), { items: [{ field: 'best_season', text: 'Printemps' }], steps: [] });
  assert.deepEqual(practicalInfo({ steps: ['A'] }), { items: [], steps: ['A'] });
});
