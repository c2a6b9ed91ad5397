// List page: filters, circuit cards and the map of start points.
import { listCircuits, lastResponseFromCache } from '../api.js';
import { h, uid } from '../dom.js';
import {
  DIFFICULTY_LABELS,
  PRACTICE_LABELS,
  TYPE_LABELS,
  difficultyLabel,
  formatCount,
  formatDuration,
  formatLength,
  facetChoices,
  formatMeters,
  practiceLabel,
  typeLabel,
  withCount,
} from '../format.js';
import { t } from '../i18n.js';
import { createMap, destroyMap, showCircuitStarts } from '../map.js';
import { circuitPlaces } from './places.js';
import { ratingBadge } from './reviews.js';

/** Filter parameters kept in the URL (#/?q=…) and sent to the API. */
export const FILTER_KEYS = [
  'q',
  'difficulty',
  'type',
  'practice',
  'theme',
  'intercommunality',
  'commune',
  'duration_max',
  'near',
  'radius',
  'sort',
];

/** "Sort by" choices: the API's `sort` values ('' = the server's own order, by relevance). */
const SORT_CHOICES = [
  ['', 'list.sortRelevance'],
  ['rating', 'list.sortRating'],
  ['duration', 'list.sortDuration'],
  ['length', 'list.sortLength'],
];

/**
 * Filters whose values are free names (not a fixed list): their selects are built from the
 * facet of the same name. `prop`: the card property holding a circuit's values, used to offer
 * the values seen so far when a response has no facets (old cached response).
 */
const FREE_FILTERS = [
  { name: 'theme', prop: 'themes', label: 'list.theme', all: 'list.allM' },
  { name: 'intercommunality', prop: 'intercommunalities', label: 'list.intercommunality', all: 'list.allF' },
  { name: 'commune', prop: 'communes', label: 'list.commune', all: 'list.allF' },
];

const RADIUS_CHOICES = [
  ['5000', '5 km'],
  ['10000', '10 km'],
  ['20000', '20 km'],
  ['50000', '50 km'],
];

function field(labelText, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h('span', { class: 'hint', id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

function select(name, labels, emptyLabel, value) {
  return h(
    'select',
    { name },
    h('option', { value: '' }, emptyLabel),
    Object.entries(labels).map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
}

/**
 * Writes the facet counts into the options of a select built by `select()`
 * ("Facile (2)"); the "all" option and the selection are left untouched.
 * @param {HTMLSelectElement} el
 * @param {Record<string, string>} labels
 * @param {Record<string, number> | undefined} facet
 */
function showFacetCounts(el, labels, facet) {
  for (const option of el.options) {
    if (!option.value) continue;
    const n = facet ? (facet[option.value] ?? 0) : undefined;
    const text = withCount(labels[option.value] ?? option.value, n);
    if (option.textContent !== text) option.textContent = text;
  }
}

function figure(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

/** Card (article) of a circuit in the list. */
export function circuitCard(feature) {
  const p = feature.properties;
  const headingId = uid('card');
  return h(
    'li',
    {},
    h(
      'article',
      { class: 'card', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, h('a', { href: `#/circuits/${encodeURIComponent(p.id)}` }, p.name)),
      circuitPlaces(p, 'card__places'),
      ratingBadge(p.rating, 'rating card__rating'),
      p.summary ? h('p', { class: 'card__summary' }, p.summary) : null,
      h(
        'dl',
        { class: 'figures' },
        figure(t('fig.distance'), formatLength(p.length_m)),
        figure(t('fig.duration'), formatDuration(p.duration_min)),
        figure(t('fig.ascent'), formatMeters(p.ascent_m)),
        figure(t('fig.difficulty'), h('span', { class: `badge badge--${p.difficulty}` }, difficultyLabel(p.difficulty))),
        figure(t('fig.type'), typeLabel(p.type)),
        Number.isFinite(p.distance_m) ? figure(t('fig.away'), t('fig.awayValue', { d: formatLength(p.distance_m) })) : null,
      ),
      h(
        'p',
        { class: 'card__tags' },
        h('span', { class: 'tag tag--practice' }, practiceLabel(p.practice)),
        (p.themes || []).map((t) => h('span', { class: 'tag' }, t)),
      ),
    ),
  );
}

/**
 * @param {HTMLElement} main
 * @param {URLSearchParams} query filters taken from the URL
 * @param {{ setTitle: (t: string) => void, rememberListHash: (hash: string) => void }} ctx
 * @returns {() => void} cleanup
 */
export function renderList(main, query, ctx) {
  ctx.setTitle(t('list.title'));
  const initial = Object.fromEntries(FILTER_KEYS.map((k) => [k, query.get(k) || '']));
  let near = initial.near;

  // --- Filter form ---
  const q = h('input', { type: 'search', name: 'q', value: initial.q, autocomplete: 'off', placeholder: t('list.placeholder') });
  const difficulty = select('difficulty', DIFFICULTY_LABELS, t('list.allF'), initial.difficulty);
  const type = select('type', TYPE_LABELS, t('list.allM'), initial.type);
  const practice = select('practice', PRACTICE_LABELS, t('list.allF'), initial.practice);
  // Theme, intercommunality, commune: options filled from the facets of each response.
  const free = FREE_FILTERS.map((def) => ({
    ...def,
    // Values seen in the results, used when the response carries no facets.
    known: new Set(),
    el: h(
      'select',
      { name: def.name },
      h('option', { value: '' }, t(def.all)),
      initial[def.name] ? h('option', { value: initial[def.name], selected: true }, initial[def.name]) : null,
    ),
  }));
  const durationMax = h('input', {
    type: 'number',
    name: 'duration_max',
    value: initial.duration_max,
    min: 0,
    step: 15,
    inputmode: 'numeric',
  });
  const radius = h(
    'select',
    { name: 'radius' },
    RADIUS_CHOICES.map(([v, text]) => h('option', { value: v, selected: v === (initial.radius || '20000') }, text)),
  );
  const sort = h(
    'select',
    { name: 'sort' },
    SORT_CHOICES.map(([v, key]) => h('option', { value: v, selected: v === initial.sort }, t(key))),
  );
  const nearStatus = h('span', { class: 'near-status', role: 'status' });
  const nearButton = h('button', { type: 'button', class: 'button button--secondary' });
  const radiusField = field(t('list.radius'), radius);

  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': t('list.filters') },
    h(
      'div',
      { class: 'filters__grid' },
      field(t('list.search'), q),
      field(t('list.difficulty'), difficulty),
      field(t('list.type'), type),
      field(t('list.practice'), practice),
      free.map(({ label, el }) => field(t(label), el)),
      field(t('list.durationMax'), durationMax, t('list.durationHint')),
      field(t('list.sort'), sort),
    ),
    h(
      'div',
      { class: 'filters__footer' },
      h(
        'div',
        { class: 'filters__actions' },
        h('button', { type: 'submit', class: 'button' }, t('list.submit')),
        h('button', { type: 'reset', class: 'button button--secondary' }, t('list.reset')),
      ),
      h('div', { class: 'filters__near' }, nearButton, radiusField, nearStatus),
    ),
  );

  function updateNearUi() {
    nearButton.textContent = near ? t('list.nearOff') : t('list.nearOn');
    radiusField.hidden = !near;
    if (!nearStatus.textContent || near) nearStatus.textContent = near ? t('list.nearStatus') : '';
  }
  updateNearUi();

  // --- Results ---
  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite' }, t('list.loading'));
  const notice = h('p', { class: 'notice', hidden: true });
  const cards = h('ul', { class: 'cards', 'aria-label': t('list.cards') });
  const more = h('button', { type: 'button', class: 'button button--secondary more', hidden: true }, t('list.more'));
  const mapId = uid('map');
  const mapEl = h('div', { class: 'map map--list', id: mapId });

  main.append(
    h(
      'div',
      { class: 'page page--list' },
      h('h1', { tabindex: '-1' }, t('list.title')),
      h('p', { class: 'intro' }, t('list.intro')),
      form,
      h(
        'div',
        { class: 'results-layout' },
        h(
          'section',
          { class: 'results', 'aria-label': t('list.results') },
          h('div', { class: 'results__head' }, count, h(
            'button',
            { type: 'button', class: 'link-button skip-map', onclick: () => mapEl.focus() },
            t('list.skipMap'),
          )),
          notice,
          cards,
          more,
        ),
        h('section', { class: 'results-map', 'aria-label': t('list.mapSection') }, mapEl),
      ),
    ),
  );

  const map = createMap(mapEl, t('list.mapLabel'));
  let markers = null;
  let loaded = [];
  let controller = null;
  let debounce = null;

  function currentParams() {
    const data = new FormData(form);
    /** @type {Record<string, string>} */
    const params = {};
    for (const key of FILTER_KEYS) {
      const v = key === 'near' ? near : String(data.get(key) ?? '').trim();
      if (v) params[key] = v;
    }
    if (!params.near) delete params.radius;
    return params;
  }

  function syncHash(params) {
    const qs = new URLSearchParams(params).toString();
    const hash = `#/${qs ? `?${qs}` : ''}`;
    if (location.hash !== hash && !(hash === '#/' && (location.hash === '' || location.hash === '#'))) {
      history.replaceState(null, '', hash);
    }
    ctx.rememberListHash(hash);
  }

  /**
   * Options of a free-value select: values of the facet with their counts (else the values
   * seen so far), the current choice always kept.
   * @param {typeof free[number]} filter
   * @param {Array<{ properties: Record<string, any> }>} features
   * @param {Record<string, number> | undefined} facet
   */
  function updateFreeSelect({ el, known, prop }, features, facet) {
    for (const f of features) {
      const values = f.properties?.[prop];
      if (Array.isArray(values)) for (const v of values) if (typeof v === 'string' && v) known.add(v);
    }
    const current = el.value;
    const source = facet || Object.fromEntries([...known].map((v) => [v, undefined]));
    const values = facetChoices(source, current);
    const options = [...el.options].slice(1);
    const same = options.length === values.length && options.every((o, i) => o.value === values[i]);
    if (!same) {
      // Rebuilt only when the set of values changes; the selection is kept.
      el.replaceChildren(el.options[0], ...values.map((v) => h('option', { value: v }, v)));
      el.value = current;
    }
    for (const option of [...el.options].slice(1)) {
      const text = withCount(option.value, facet ? (facet[option.value] ?? 0) : undefined);
      if (option.textContent !== text) option.textContent = text;
    }
  }

  /** All free-value selects, from the facets of the response (or of the first page). */
  function updateFreeSelects(features, facets) {
    const f = facets && typeof facets === 'object' ? facets : {};
    for (const filter of free) {
      const facet = f[filter.name];
      updateFreeSelect(filter, features, facet && typeof facet === 'object' ? facet : undefined);
    }
  }

  /** Counts of each filter value, given by the API with the other filters applied. */
  function updateFacets(facets) {
    const f = facets && typeof facets === 'object' ? facets : {};
    showFacetCounts(difficulty, DIFFICULTY_LABELS, f.difficulty);
    showFacetCounts(type, TYPE_LABELS, f.type);
    showFacetCounts(practice, PRACTICE_LABELS, f.practice);
  }

  function showError(err, retry) {
    count.textContent = t('list.error');
    notice.hidden = false;
    notice.className = 'notice notice--error';
    notice.setAttribute('role', 'alert');
    notice.replaceChildren(
      `${err.message} `,
      h('button', { type: 'button', class: 'button button--small', onclick: retry }, t('common.retry')),
    );
  }

  let lastKey = null;
  let lastFacets;

  async function load({ append = false, force = false } = {}) {
    const params = currentParams();
    const key = new URLSearchParams(params).toString();
    // "input" (debounced) then "change" when leaving the field: do not repeat the same request.
    if (!append && !force && key === lastKey) return;
    if (!append) {
      lastKey = key;
      syncHash(params);
    }
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    form.setAttribute('aria-busy', 'true');
    try {
      const offset = append ? loaded.length : 0;
      const data = await listCircuits(offset ? { ...params, offset } : params, { signal });
      if (signal.aborted) return;
      const features = Array.isArray(data.features) ? data.features : [];
      if (!append) lastFacets = data.facets;
      loaded = append ? loaded.concat(features) : features;
      const total = Number.isFinite(data.total) ? data.total : loaded.length;
      count.textContent = formatCount(total);
      if (lastResponseFromCache()) {
        notice.hidden = false;
        notice.className = 'notice';
        notice.removeAttribute('role');
        notice.textContent = t('list.fromCache');
      } else {
        notice.hidden = true;
      }
      if (append) cards.append(...features.map(circuitCard));
      else cards.replaceChildren(...loaded.map(circuitCard));
      if (!loaded.length) {
        cards.replaceChildren(h('li', { class: 'empty' }, t('list.empty')));
      }
      more.hidden = !(loaded.length < total && features.length > 0);
      if (!append) updateFacets(data.facets);
      updateFreeSelects(features, lastFacets);
      markers = showCircuitStarts(map, loaded, markers);
    } catch (err) {
      if (err?.name === 'AbortError') return;
      if (!append) lastKey = null;
      showError(err, () => load({ append, force: true }));
    } finally {
      if (!signal.aborted) form.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(debounce);
    load({ force: true });
  });
  form.addEventListener('change', () => {
    clearTimeout(debounce);
    load();
  });
  form.addEventListener('input', (e) => {
    if (e.target === q || e.target === durationMax) {
      clearTimeout(debounce);
      debounce = setTimeout(load, 400);
    }
  });
  form.addEventListener('reset', () => {
    near = '';
    nearStatus.textContent = '';
    updateNearUi();
    // After the fields have actually been reset.
    setTimeout(() => {
      for (const el of [difficulty, type, practice, sort, ...free.map((f) => f.el)]) el.value = '';
      for (const el of [q, durationMax]) el.value = '';
      load();
    });
  });
  nearButton.addEventListener('click', () => {
    if (near) {
      near = '';
      nearStatus.textContent = '';
      updateNearUi();
      load();
      return;
    }
    if (!('geolocation' in navigator)) {
      nearStatus.textContent = t('list.noGeo');
      return;
    }
    nearStatus.textContent = t('list.locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        near = `${pos.coords.longitude.toFixed(5)},${pos.coords.latitude.toFixed(5)}`;
        updateNearUi();
        load();
      },
      () => {
        nearStatus.textContent = t('list.noPosition');
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
  more.addEventListener('click', () => load({ append: true }));

  load({ force: true });

  return () => {
    clearTimeout(debounce);
    controller?.abort();
    destroyMap(map);
  };
}
