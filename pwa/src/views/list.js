// List page, results first: a search field, a toolbar (filters sheet, sort, list/map,
// favourites), then the circuit cards. The map of start points is built only when asked
// for (its code loaded then). Offline, the circuits downloaded on this phone stand in for
// a list the network cannot give.
import { listCircuits, lastResponseFromCache } from '../api.js';
import { h, uid } from '../dom.js';
import { difficultyLabel, formatCount, formatDuration, formatLength, formatMeters, practiceLabel, typeLabel } from '../format.js';
import { favourites, onFavouritesChange } from '../favourites.js';
import { t } from '../i18n.js';
import { isOffline } from '../network.js';
import { listOffline, recordPart } from '../offline.js';
import { themeLabel } from '../themes.js';
import { circuitPlaces } from './places.js';
import { ratingBadge } from './reviews.js';
import { SHEET_KEYS, filterSheet } from './list-filters.js';
import { observeThumb } from './thumbs.js';

/** Filter parameters kept in the URL (#/?q=…) and sent to the API. */
export const FILTER_KEYS = [
  'q',
  'difficulty',
  'type',
  'practice',
  'theme',
  'intercommunality',
  'commune',
  'duration_min',
  'duration_max',
  'near',
  'radius',
  'sort',
];

/** "Sort by" choices: the API's `sort` values ('' = the server's own order, by relevance). */
const SORT_CHOICES = [
  ['', 'list.sortRelevance'],
  ['distance', 'list.sortDistance'],
  ['duration', 'list.sortDuration'],
  ['length', 'list.sortLength'],
  ['rating', 'list.sortRating'],
  ['name', 'list.sortName'],
];

const RADIUS_CHOICES = ['5000', '10000', '20000', '50000'];
/** Placeholder cards shown while the first answer is awaited: the page keeps its height. */
const SKELETONS = 3;
/** With favourites only, one page large enough to hold them all (they are filtered here). */
const FAVOURITES_LIMIT = 500;

function figure(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

/** Card (article) of a circuit in the list. */
export function circuitCard(feature) {
  const p = feature.properties;
  const headingId = uid('card');
  const thumb = h('div', { class: 'card__thumb', 'aria-hidden': 'true' });
  observeThumb(thumb, p.id);
  return h(
    'li',
    {},
    h(
      'article',
      { class: 'card', 'aria-labelledby': headingId },
      thumb,
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
        (p.themes || []).map((v) => h('span', { class: 'tag' }, themeLabel(v))),
      ),
    ),
  );
}

const skeletons = () => Array.from({ length: SKELETONS }, () => h('li', { class: 'card card--skeleton', 'aria-hidden': 'true' }));

/**
 * @param {HTMLElement} main
 * @param {URLSearchParams} query filters taken from the URL
 * @param {{ setTitle: (t: string) => void, rememberListHash: (hash: string) => void }} ctx
 * @returns {() => void} cleanup
 */
export function renderList(main, query, ctx) {
  ctx.setTitle(t('list.title'));
  /** @type {Record<string, string>} */
  const state = Object.fromEntries(FILTER_KEYS.map((k) => [k, query.get(k) || '']));
  let onlyFavourites = query.get('favourites') === '1';
  let view = 'list';

  // --- Search, on top ---
  const q = h('input', { type: 'search', name: 'q', id: uid('f'), value: state.q, autocomplete: 'off', placeholder: t('list.placeholder') });
  const searchForm = h(
    'form',
    { class: 'list-search', role: 'search', 'aria-label': t('list.filters') },
    h('label', { for: q.id, class: 'visually-hidden' }, t('list.search')),
    q,
    h('button', { type: 'submit', class: 'button' }, t('list.submit')),
  );

  // --- Toolbar ---
  const filtersButton = h('button', { type: 'button', class: 'button button--secondary', 'aria-haspopup': 'dialog' });
  const sort = h('select', { name: 'sort', id: uid('f') });
  const viewButtons = ['list', 'map'].map((v) =>
    h('button', { type: 'button', class: 'segmented__button', dataset: { view: v } }, t(v === 'list' ? 'list.viewList' : 'list.viewMap')),
  );
  const favButton = h('button', { type: 'button', class: 'button button--secondary fav-filter' });
  const nearButton = h('button', { type: 'button', class: 'button button--secondary' });
  const radius = h(
    'select',
    { name: 'radius', id: uid('f') },
    RADIUS_CHOICES.map((v) => h('option', { value: v, selected: v === (state.radius || '20000') }, `${Number(v) / 1000} km`)),
  );
  const radiusField = h('div', { class: 'field field--inline' }, h('label', { for: radius.id }, t('list.radius')), radius);
  const nearStatus = h('span', { class: 'near-status', role: 'status' });

  const toolbar = h(
    'div',
    { class: 'list-toolbar' },
    filtersButton,
    h('div', { class: 'field field--inline' }, h('label', { for: sort.id }, t('list.sort')), sort),
    h('div', { class: 'segmented', role: 'group', 'aria-label': t('list.view') }, viewButtons),
    favButton,
    nearButton,
    radiusField,
    nearStatus,
  );

  // --- Results ---
  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite' }, t('list.loading'));
  const notice = h('p', { class: 'notice', hidden: true });
  const cards = h('ul', { class: 'cards', 'aria-label': t('list.cards') }, skeletons());
  const more = h('button', { type: 'button', class: 'button button--secondary more', hidden: true }, t('list.more'));
  const mapEl = h('div', { class: 'map map--list', id: uid('map') });
  const resultsSection = h('section', { class: 'results', 'aria-label': t('list.results') }, notice, cards, more);
  const mapSection = h('section', { class: 'results-map', 'aria-label': t('list.mapSection'), hidden: true }, mapEl);

  let debounce = null;
  const sheet = filterSheet(
    state,
    () => load(),
    () => {
      clearTimeout(debounce);
      debounce = setTimeout(load, 400);
    },
    () => resetAll(),
  );

  main.append(
    h(
      'div',
      { class: 'page page--list' },
      h('h1', { tabindex: '-1' }, t('list.title')),
      searchForm,
      toolbar,
      count,
      resultsSection,
      mapSection,
      sheet.dialog,
    ),
  );

  /** @type {any} */
  let map = null;
  /** @type {any} */
  let mapApi = null;
  let markers = null;
  let loaded = [];
  let controller = null;
  let lastKey = null;
  let closed = false;

  function renderSortOptions() {
    const choices = SORT_CHOICES.filter(([v]) => v !== 'distance' || state.near);
    if (state.sort === 'distance' && !state.near) state.sort = '';
    sort.replaceChildren(...choices.map(([v, key]) => h('option', { value: v, selected: v === state.sort }, t(key))));
  }

  function renderToolbar() {
    const active = SHEET_KEYS.filter((k) => state[k]).length;
    filtersButton.textContent = active ? t('list.filtersCount', { n: active }) : t('list.filtersButton');
    for (const b of viewButtons) b.setAttribute('aria-pressed', String(b.dataset.view === view));
    const n = favourites().length;
    favButton.textContent = t('list.favouritesCount', { n });
    favButton.setAttribute('aria-pressed', String(onlyFavourites));
    nearButton.textContent = state.near ? t('list.nearOff') : t('list.nearOn');
    radiusField.hidden = !state.near;
    if (!nearStatus.textContent || state.near) nearStatus.textContent = state.near ? t('list.nearStatus') : '';
  }

  function currentParams() {
    /** @type {Record<string, string>} */
    const params = {};
    for (const key of FILTER_KEYS) {
      const v = String(state[key] ?? '').trim();
      if (v) params[key] = v;
    }
    if (!params.near) delete params.radius;
    return params;
  }

  function syncHash(params) {
    const all = onlyFavourites ? { ...params, favourites: '1' } : params;
    const qs = new URLSearchParams(all).toString();
    const hash = `#/${qs ? `?${qs}` : ''}`;
    if (location.hash !== hash && !(hash === '#/' && (location.hash === '' || location.hash === '#'))) {
      history.replaceState(null, '', hash);
    }
    ctx.rememberListHash(hash);
  }

  /** The circuits to show: all, or only this phone's favourites. */
  function shown(features) {
    if (!onlyFavourites) return features;
    const ids = new Set(favourites().map((f) => f.id));
    return features.filter((f) => ids.has(f.properties?.id));
  }

  function showError(err, retry) {
    count.textContent = t('list.error');
    notice.hidden = false;
    notice.className = 'notice notice--error';
    notice.setAttribute('role', 'alert');
    notice.replaceChildren(`${err.message} `, h('button', { type: 'button', class: 'button button--small', onclick: retry }, t('common.retry')));
    cards.replaceChildren();
  }

  /** Offline and nothing from the network: the circuits downloaded on this phone. */
  async function showDownloaded(err, retry) {
    let records = [];
    try {
      records = await listOffline();
    } catch {
      // No readable store: the error below says what failed.
    }
    if (closed) return;
    const features = records.flatMap((r) => {
      const s = recordPart(r, 'sheet');
      return s?.properties ? [{ type: 'Feature', id: s.id, geometry: null, properties: { ...s.properties, id: s.properties.id || r.id } }] : [];
    });
    if (!features.length) {
      showError(err, retry);
      return;
    }
    loaded = features;
    count.textContent = records.length === 1 ? t('offline.countOne') : t('offline.countMany', { n: records.length });
    notice.hidden = false;
    notice.className = 'notice notice--offline';
    notice.removeAttribute('role');
    notice.replaceChildren(t('list.offlineDownloaded'), ' ', h('button', { type: 'button', class: 'button button--small', onclick: retry }, t('common.retry')));
    cards.replaceChildren(...shown(features).map(circuitCard));
    more.hidden = true;
    drawMarkers();
  }

  function drawMarkers() {
    if (map && mapApi) markers = mapApi.showCircuitStarts(map, shown(loaded), markers);
  }

  async function load({ append = false, force = false } = {}) {
    if (closed) return;
    renderSortOptions();
    renderToolbar();
    const params = currentParams();
    const key = `${new URLSearchParams(params)}|${onlyFavourites}`;
    if (!append && !force && key === lastKey) return;
    if (!append) {
      lastKey = key;
      syncHash(params);
    }
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    resultsSection.setAttribute('aria-busy', 'true');
    try {
      const offset = append ? loaded.length : 0;
      const request = onlyFavourites ? { ...params, limit: FAVOURITES_LIMIT } : offset ? { ...params, offset } : params;
      const data = await listCircuits(request, { signal });
      if (signal.aborted) return;
      const features = Array.isArray(data.features) ? data.features : [];
      loaded = append ? loaded.concat(features) : features;
      const total = Number.isFinite(data.total) ? data.total : loaded.length;
      count.textContent = formatCount(onlyFavourites ? shown(loaded).length : total);
      if (lastResponseFromCache()) {
        notice.hidden = false;
        notice.className = 'notice';
        notice.removeAttribute('role');
        notice.textContent = t('list.fromCache');
      } else {
        notice.hidden = true;
      }
      if (append) cards.append(...shown(features).map(circuitCard));
      else cards.replaceChildren(...shown(loaded).map(circuitCard));
      if (!shown(loaded).length) {
        cards.replaceChildren(h('li', { class: 'empty' }, t(onlyFavourites ? 'list.noFavourites' : 'list.empty')));
      }
      more.hidden = onlyFavourites || !(loaded.length < total && features.length > 0);
      sheet.update(append ? undefined : data.facets, features);
      drawMarkers();
    } catch (err) {
      if (err?.name === 'AbortError') return;
      if (!append) lastKey = null;
      const retry = () => load({ append, force: true });
      if (!append && (err?.status === 0 || isOffline())) await showDownloaded(err, retry);
      else showError(err, retry);
    } finally {
      if (!signal.aborted) resultsSection.removeAttribute('aria-busy');
    }
  }

  function resetAll() {
    for (const k of FILTER_KEYS) state[k] = '';
    q.value = '';
    nearStatus.textContent = '';
    sheet.sync();
    load();
  }

  async function showView(next) {
    view = next;
    renderToolbar();
    resultsSection.hidden = view !== 'list';
    mapSection.hidden = view !== 'map';
    if (view !== 'map') return;
    if (!mapApi) {
      // Leaflet and the map code come only with the first look at the map.
      mapApi = await import('../map.js');
      if (closed) return;
      map = mapApi.createMap(mapEl, t('list.mapLabel'));
    } else {
      map?.invalidateSize?.();
    }
    drawMarkers();
  }

  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(debounce);
    state.q = q.value.trim();
    load({ force: true });
  });
  q.addEventListener('input', () => {
    state.q = q.value.trim();
    clearTimeout(debounce);
    debounce = setTimeout(load, 400);
  });
  filtersButton.addEventListener('click', () => sheet.open());
  sort.addEventListener('change', () => {
    state.sort = sort.value;
    load();
  });
  for (const b of viewButtons) b.addEventListener('click', () => showView(b.dataset.view || 'list'));
  favButton.addEventListener('click', () => {
    onlyFavourites = !onlyFavourites;
    load();
  });
  radius.addEventListener('change', () => {
    state.radius = radius.value;
    load();
  });
  nearButton.addEventListener('click', () => {
    if (state.near) {
      state.near = '';
      nearStatus.textContent = '';
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
        state.near = `${pos.coords.longitude.toFixed(5)},${pos.coords.latitude.toFixed(5)}`;
        state.radius ||= radius.value;
        load();
      },
      () => {
        nearStatus.textContent = t('list.noPosition');
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
  more.addEventListener('click', () => load({ append: true }));
  const offFavourites = onFavouritesChange(() => renderToolbar());

  renderSortOptions();
  renderToolbar();
  sheet.update({}, []);
  load({ force: true });

  return () => {
    closed = true;
    clearTimeout(debounce);
    controller?.abort();
    offFavourites();
    if (sheet.dialog.open) sheet.dialog.close();
    if (map && mapApi) mapApi.destroyMap(map);
  };
}
