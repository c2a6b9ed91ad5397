// Circuit sheet page.
import { downloadUrl, getCircuit, getProfile } from '../api.js';
import { afterPaint, h, nextTask, paragraphs, uid } from '../dom.js';
import {
  difficultyLabel,
  formatDateTime,
  formatDuration,
  formatLength,
  formatMeters,
  poiKindLabel,
  practiceLabel,
  typeLabel,
} from '../format.js';
import { getLang, t } from '../i18n.js';
import { themeLabel } from '../themes.js';
import { sheetActions } from './sheet-actions.js';
import { practicalInfo } from '../practical.js';
import { getOffline, recordPart } from '../offline.js';
import { renderProfile } from '../profile.js';
import { fromApi, networkOrCopy } from '../source.js';
import { askNotificationPermission } from '../notifications.js';
import { circuitPlaces } from './places.js';
import { whenNear } from '../near-viewport.js';
import { takeSheetRequests } from '../sheet-requests.js';
import { correctionControl } from './correction-form.js';
import { reportControl } from './report-form.js';
import { ratingBadge, reviewsContent } from './reviews.js';

/** [format, label, i18n key of the hint, MIME type] */
const DOWNLOADS = [
  ['gpx', 'GPX', 'sheet.gpxHint', 'application/gpx+xml'],
  ['kml', 'KML', 'sheet.kmlHint', 'application/vnd.google-earth.kml+xml'],
  ['geojson', 'GeoJSON', 'sheet.geojsonHint', 'application/geo+json'],
];

/** Short month names of the current language, January first. */
const months = () => t('months.short').split(',');

/** The "Practical information" and "Step by step" sections (none when there is nothing). */
function practicalSections(practical) {
  const info = practicalInfo(practical);
  if (!info) return [];
  const out = [];
  if (info.items.length) {
    out.push(
      section(
        t('practical.title'),
        h(
          'dl',
          { class: 'practical' },
          info.items.map(({ field, text }) => h('div', {}, h('dt', {}, t(`practical.${field}`)), h('dd', {}, paragraphs(text)))),
        ),
      ),
    );
  }
  if (info.steps.length) {
    out.push(section(t('practical.steps'), h('ol', { class: 'practical-steps' }, info.steps.map((s) => h('li', {}, s)))));
  }
  return out;
}

/** Species seen along the circuit: name, scientific name, months seen (never a place). */
function speciesList(species) {
  return h(
    'ul',
    { class: 'sheet__species' },
    ...species.slice(0, 60).map((s) =>
      h(
        'li',
        {},
        h('span', { class: 'species__name' }, s.vernacular_name || s.scientific_name),
        s.vernacular_name ? h('i', { class: 'muted' }, ` ${s.scientific_name}`) : '',
        Array.isArray(s.months) && s.months.length > 0
          ? h('span', { class: 'muted' }, ` — ${s.months.map((m) => months()[m - 1]).join(', ')}`)
          : '',
      ),
    ),
  );
}

/** Width the sheet's photos are shown at (the main column: two thirds of the page on wide screens). */
const PHOTO_SIZES = '(min-width: 1240px) 800px, (min-width: 960px) 64vw, 100vw';

/** "© author — license", or only one of them, or ''. */
export function mediaCredits(m) {
  const author = typeof m?.author === 'string' ? m.author.trim() : '';
  const license = typeof m?.license === 'string' ? m.license.trim() : '';
  return [author ? `© ${author}` : '', license].filter(Boolean).join(' — ');
}

/** `srcset` of a photo from its derivatives ('' when it has none). */
export function photoSrcset(m) {
  return (Array.isArray(m?.sizes) ? m.sizes : [])
    .filter((s) => s && typeof s.url === 'string' && s.url && Number.isFinite(s.width) && s.width > 0)
    .map((s) => `${s.url} ${s.width}w`)
    .join(', ');
}

/** A link (video or audio) is only followed when it is http(s). */
function safeLink(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function mediaCaption(m, fallbackTitle) {
  const credits = mediaCredits(m);
  const title = m.title || fallbackTitle;
  if (!title && !credits) return null;
  return h(
    'figcaption',
    { class: 'media__caption' },
    title ? h('span', { class: 'media__title' }, title) : null,
    title && credits ? ' ' : null,
    credits ? h('span', { class: 'media__credits' }, credits) : null,
  );
}

/**
 * A photo: the phone-size derivative as `src` (the one offline copies hold), the others in
 * `srcset`. From a downloaded copy, only `src` (the other sizes are not stored); and if a
 * size from `srcset` fails to load (offline), the image falls back to `src`.
 */
function photoFigure(m, offline) {
  const srcset = offline ? '' : photoSrcset(m);
  const img = h('img', {
    class: 'media__photo',
    src: m.url,
    srcset: srcset || null,
    sizes: srcset ? PHOTO_SIZES : null,
    // Never missing: an empty alt only when the photo has no description.
    alt: typeof m.alt === 'string' ? m.alt : '',
    width: Number.isFinite(m.width) ? m.width : null,
    height: Number.isFinite(m.height) ? m.height : null,
    loading: 'lazy',
    decoding: 'async',
  });
  if (srcset) {
    img.addEventListener('error', function fallback() {
      img.removeEventListener('error', fallback);
      img.removeAttribute('srcset');
      img.removeAttribute('sizes');
      img.src = m.url;
    });
  }
  return h('figure', { class: 'media media--photo' }, img, mediaCaption(m, ''));
}

/** A video or an audio file: an external link (and a player for audio). */
function linkFigure(m) {
  const href = safeLink(m.url);
  if (!href) return null;
  const isAudio = m.kind === 'audio';
  const label = isAudio ? t('sheet.listen') : t('sheet.watchVideo');
  const title = m.title || (isAudio ? t('sheet.audio') : t('sheet.video'));
  return h(
    'figure',
    { class: `media media--${isAudio ? 'audio' : 'video'}` },
    isAudio ? h('audio', { controls: true, preload: 'none', src: href, 'aria-label': t('sheet.audioPlayer', { title }) }) : null,
    h(
      'p',
      { class: 'media__link' },
      h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, t('sheet.mediaLink', { label, title }), h('span', { class: 'visually-hidden' }, t('common.newTab'))),
    ),
    mediaCaption({ ...m, title: '' }, ''),
  );
}

/** The "Photos et médias" list (null when there is nothing to show). */
function mediaList(media, offline) {
  const items = (Array.isArray(media) ? media : [])
    .filter((m) => m && typeof m === 'object' && typeof m.url === 'string' && m.url)
    .map((m) => (m.kind === 'photo' ? photoFigure(m, offline) : m.kind === 'video' || m.kind === 'audio' ? linkFigure(m) : null))
    .filter(Boolean);
  return items.length ? h('div', { class: 'media-list' }, ...items) : null;
}

function section(title, ...children) {
  const id = uid('sec');
  return h('section', { class: 'sheet__section', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function figure(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function backLink(ctx) {
  return h(
    'nav',
    { class: 'breadcrumb', 'aria-label': t('common.breadcrumb') },
    h('a', { href: ctx.listHash() }, h('span', { 'aria-hidden': 'true' }, '← '), t('sheet.back')),
  );
}

/** Points of interest sorted by distance from the start (without distance: last). */
export function sortPois(pois) {
  return [...(Array.isArray(pois) ? pois : [])].sort((a, b) => {
    const da = Number.isFinite(a.distance_m) ? a.distance_m : Infinity;
    const db = Number.isFinite(b.distance_m) ? b.distance_m : Infinity;
    return da - db;
  });
}

function renderNotFound(main, id, ctx) {
  ctx.setTitle(t('sheet.notFoundTitle'));
  main.append(
    h(
      'div',
      { class: 'page page--message' },
      backLink(ctx),
      h('h1', { tabindex: '-1' }, t('sheet.notFoundTitle')),
      h('p', {}, t('sheet.notFoundText', { id })),
      h('p', {}, h('a', { href: '#/' }, t('sheet.seeAll'))),
    ),
  );
}

function renderError(main, err, ctx, retry) {
  ctx.setTitle(t('common.error'));
  main.append(
    h(
      'div',
      { class: 'page page--message' },
      backLink(ctx),
      h('h1', { tabindex: '-1' }, t('sheet.unavailable')),
      h('p', { class: 'notice notice--error', role: 'alert' }, err.message),
      h('p', {}, h('button', { type: 'button', class: 'button', onclick: retry }, t('common.retry'))),
    ),
  );
}

/**
 * "Content in French only" when the app speaks another language and the circuit's texts
 * have no translation in it: the sheet's `content_lang` says which language they are in.
 * @param {Record<string, any>} p  the sheet's properties
 */
function contentLanguageNotice(p) {
  const el = h('p', { class: 'notice notice--lang', lang: getLang(), hidden: true }, t('sheet.frenchOnly'));
  const lang = getLang();
  const contentLang = typeof p.content_lang === 'string' ? p.content_lang : p.lang;
  el.hidden = lang === 'fr' || contentLang === lang;
  return el;
}

/**
 * What the sheet shows: the circuit and its profile (a promise that never rejects), from
 * the network (`fromCache`: answered by the service worker's cache) or from the downloaded
 * copy (`offline`). `record`, the downloaded copy, gives its panel and its basemap whatever
 * the source.
 * @typedef {import('../offline.js').OfflineRecord} OfflineRecord
 * @typedef {{ circuit: import('../api.js').CircuitDetail, profile: Promise<import('../api.js').Profile | Error> }} SheetContent
 * @typedef {SheetContent & ({ offline: true, fromCache: false, record: OfflineRecord }
 *   | { offline: false, fromCache: boolean, record: OfflineRecord | undefined })} SheetData
 */

/**
 * @param {HTMLElement} main
 * @param {string} id
 * @param {{ setTitle: (t: string) => void, listHash: () => string, focusHeading: () => void }} ctx
 * @returns {() => void}
 */
export function renderSheet(main, id, ctx) {
  ctx.setTitle(t('sheet.loadingTitle'));
  const controller = new AbortController();
  const { signal } = controller;
  let map = null;
  /** @type {typeof import('../map.js') | null} */
  let mapApi = null;

  const loading = h('div', { class: 'page' }, backLink(ctx), h('p', { class: 'count', role: 'status' }, t('sheet.loading')));
  main.append(loading);

  const recordPromise = getOffline(id);

  /**
   * The circuit and its profile, from the network or the downloaded copy (source.js).
   * @returns {Promise<SheetData>}
   */
  async function fetchData() {
    const source = await networkOrCopy({
      signal,
      network: async (sig) => {
        // Started by the router with the sheet's code (once: a retry asks again).
        const head = takeSheetRequests(id);
        if (head) {
          signal.addEventListener('abort', () => head.controller.abort(), { once: true });
          const { value: circuit, fromCache } = await head.circuit;
          return { value: { circuit, profile: head.profile }, fromCache };
        }
        // Asked with the sheet, awaited once the sheet is shown.
        const profile = getProfile(id, { signal: sig }).catch((err) => err);
        const { value: circuit, fromCache } = await fromApi(() => getCircuit(id, { signal: sig }));
        return { value: { circuit, profile }, fromCache };
      },
      copy: async () => {
        const record = await recordPromise;
        const circuit = recordPart(record, 'sheet');
        if (!record || !circuit) return null;
        const profile = recordPart(record, 'profile') ?? new Error(t('sheet.profileMissing'));
        return { circuit, profile: Promise.resolve(profile), record };
      },
    });
    if (source.from === 'copy') return { ...source.value, offline: true, fromCache: false };
    return { ...source.value, record: await recordPromise, offline: false, fromCache: source.fromCache };
  }

  async function load() {
    let data;
    try {
      data = await fetchData();
    } catch (err) {
      if (err?.name === 'AbortError') return;
      main.replaceChildren();
      if (err.status === 404) renderNotFound(main, id, ctx);
      else
        renderError(main, err, ctx, () => {
          main.replaceChildren(loading);
          load();
        });
      ctx.focusHeading();
      return;
    }
    if (signal.aborted) return;
    const { circuit, record, offline, fromCache } = data;
    const p = circuit.properties || {};
    const cid = p.id || id;
    const pois = sortPois(p.pois_along);
    ctx.setTitle(p.name);

    const mapEl = h('div', { class: 'map map--sheet' });
    const langNotice = contentLanguageNotice(p);
    const profileSlot = h('div', { class: 'profile-slot' }, h('p', { class: 'muted' }, t('sheet.profileLoading')));

    const figures = h(
      'dl',
      { class: 'figures figures--sheet' },
      figure(t('fig.distance'), formatLength(p.length_m)),
      figure(t('fig.duration'), formatDuration(p.duration_min)),
      figure(t('fig.ascent'), formatMeters(p.ascent_m)),
      figure(t('fig.descent'), formatMeters(p.descent_m)),
      Number.isFinite(p.min_elevation_m) || Number.isFinite(p.max_elevation_m)
        ? figure(t('fig.altitude'), t('fig.altitudeRange', { min: formatMeters(p.min_elevation_m), max: formatMeters(p.max_elevation_m) }))
        : null,
      figure(t('fig.difficulty'), h('span', { class: `badge badge--${p.difficulty}` }, difficultyLabel(p.difficulty))),
      figure(t('fig.type'), typeLabel(p.type)),
      figure(t('fig.practice'), practiceLabel(p.practice)),
      figure(t('fig.themes'), p.themes?.length ? p.themes.map(themeLabel).join(', ') : t('common.none')),
    );

    let trace = null;
    /** A point of interest to show once the map is there ("Voir sur la carte" before it). */
    let poiToShow = null;
    /** Loads the map now if not yet. */
    let loadMap = () => {};
    const poiList = () =>
      pois.length
        ? h(
            'ol',
            { class: 'pois' },
            pois.map((poi, i) =>
              h(
                'li',
                { class: `poi poi--${String(poi.kind || 'other').replace(/[^a-z_-]/gi, '')}` },
                h('span', { class: 'poi__num', 'aria-hidden': 'true' }, String(i + 1)),
                h(
                  'div',
                  { class: 'poi__body' },
                  h('h3', {}, poi.name),
                  h(
                    'p',
                    { class: 'poi__meta' },
                    h('span', { class: 'kind' }, poiKindLabel(poi.kind)),
                    ' · ',
                    Number.isFinite(poi.distance_m) ? t('sheet.poiAt', { d: formatLength(poi.distance_m) }) : t('sheet.poiNoDistance'),
                  ),
                  poi.description ? paragraphs(poi.description) : null,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link-button',
                      // Starts with the visible text, so voice users can say what they see (WCAG 2.5.3).
                      'aria-label': t('sheet.showOnMapLabel', { name: poi.name }),
                      onclick: () => {
                        if (trace) trace.focusPoi(i);
                        else {
                          poiToShow = i;
                          loadMap();
                        }
                        mapEl.scrollIntoView({ behavior: 'smooth', block: 'center' });
                      },
                    },
                    t('sheet.showOnMap'),
                  ),
                  correctionControl({
                    target: `poi:${poi.id}`,
                    label: poi.name,
                    current: { name: poi.name, description: poi.description },
                    circuit: cid,
                    named: true,
                  }),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('sheet.noPois'));

    const downloads = () =>
      h(
        'ul',
        { class: 'downloads' },
        DOWNLOADS.map(([format, label, hint, mime]) =>
          h(
            'li',
            {},
            h('a', { class: 'button button--secondary', href: downloadUrl(p.id || id, format), download: true, type: mime }, t('sheet.downloadAs', { format: label })),
            h('span', { class: 'hint' }, ` ${t(hint)}`),
          ),
        ),
      );

    // What a phone's first screen shows, and the map and profile boxes just below it; the
    // rest comes in a task of its own once that is painted (below).
    const mainColumn = h(
      'div',
      { class: 'sheet__main' },
      section(t('sheet.keyFigures'), figures),
      section(t('sheet.mapSection'), mapEl, reportControl({ circuit: cid, circuitName: p.name, map: () => map })),
      section(t('sheet.profileSection'), profileSlot),
    );
    const sideColumn = h('div', { class: 'sheet__side' });
    main.replaceChildren(
      h(
        'article',
        { class: 'page sheet' },
        backLink(ctx),
        h(
          'header',
          { class: 'sheet__header' },
          h('h1', { tabindex: '-1' }, p.name),
          circuitPlaces(p, 'sheet__places'),
          p.summary ? h('p', { class: 'sheet__summary' }, p.summary) : null,
          ratingBadge(p.rating, 'rating rating--sheet'),
          offline
            ? h('p', { class: 'notice notice--offline' }, t('sheet.offlineCopy', { date: formatDateTime(record.savedAt) }))
            : fromCache
              ? h('p', { class: 'notice' }, t('sheet.fromCache'))
              : null,
          langNotice,
          sheetActions({
            id: p.id || id,
            name: p.name,
            record,
            signal,
            startGuide: () => {
              // Asked here, during the click, where browsers allow the prompt.
              askNotificationPermission();
              location.hash = `#/circuits/${encodeURIComponent(p.id || id)}/guide`;
            },
          }),
        ),
        h(
          'div',
          { class: 'sheet__grid' },
          mainColumn,
          sideColumn,
        ),
      ),
    );
    ctx.focusHeading();

    // The map's code (Leaflet) is loaded when the map comes near the screen, not with the
    // sheet: the sheet's text does not wait for it, and on a phone, where the map is below
    // the first screen, nothing is paid for it until the walker scrolls there. Its box keeps
    // its size meanwhile: no layout shift.
    loadMap = whenNear(
      mapEl,
      () =>
        import('../map.js').then(
          (api) => {
            if (signal.aborted) return;
            mapApi = api;
            map = api.createMap(mapEl, t('sheet.mapLabel', { name: p.name }), { basemap: record?.basemap });
            trace = api.showTrace(map, circuit.geometry, pois);
            if (poiToShow !== null) trace.focusPoi(poiToShow);
          },
          (err) => console.error(err),
        ),
      { signal },
    );

    // The rest of the sheet: below the first screen on a phone (beside it on a wide screen,
    // a frame later), built and laid out after the first paint rather than delaying it.
    await afterPaint();
    if (signal.aborted) return;
    // One task per part, so that none keeps the page from answering for long.
    /** @type {Array<[HTMLElement, () => (Node|null)[]]>} */
    const parts = [
      [
        mainColumn,
        () => [
          section(
            t('sheet.description'),
            p.description ? paragraphs(p.description) : h('p', { class: 'muted' }, t('sheet.noDescription')),
            correctionControl({ target: `circuit:${cid}`, label: p.name, current: { name: p.name, description: p.description }, circuit: cid }),
          ),
          section(t('review.section'), ...reviewsContent({ circuit: cid, name: p.name, rating: p.rating, signal })),
          ...practicalSections(p.practical),
        ],
      ],
      [
        mainColumn,
        () => {
          const gallery = mediaList(p.media, offline);
          return [
            gallery ? section(t('sheet.media'), gallery) : null,
            Array.isArray(p.landscapes) && p.landscapes.length > 0
              ? section(t('sheet.landscapes'), h('ul', { class: 'sheet__landscapes' }, ...p.landscapes.map((l) => h('li', {}, l.name))))
              : null,
            Array.isArray(p.species_along) && p.species_along.length > 0
              ? section(t('sheet.species', { n: p.species_along.length }), speciesList(p.species_along))
              : null,
          ];
        },
      ],
      [
        sideColumn,
        () => [
          section(t('sheet.offlineSection'), h('p', {}, h('a', { href: '#/offline', class: 'block-link' }, t('offline.title')))),
          section(t('sheet.pois', { n: pois.length }), poiList()),
          section(t('sheet.downloads'), downloads()),
        ],
      ],
    ];
    for (const [column, build] of parts) {
      if (signal.aborted) return;
      column.append(...build().filter((el) => el !== null));
      await nextTask();
    }
    if (signal.aborted) return;

    const profile = await data.profile;
    // Drawn in a task of its own, once the sheet's text is on screen: the profile is further
    // down, and the first paint does not wait for it.
    await afterPaint();
    if (signal.aborted) return;
    if (profile instanceof Error) {
      profileSlot.replaceChildren(h('p', { class: 'muted' }, t('sheet.profileUnavailable', { msg: profile.message })));
    } else {
      // Inner width of the frame (border and padding removed).
      profileSlot.replaceChildren(renderProfile(profile, pois, p.name, profileSlot.clientWidth - 18));
    }
  }

  load();

  return () => {
    controller.abort();
    if (map) mapApi?.destroyMap(map);
  };
}
