// Access to Balade's JSON API (/api/v1). Raw types as returned by the server.
import { getLang, t } from './i18n.js';
import { fromNetwork, trackedFetch } from './network.js';

/**
 * @typedef {'easy'|'medium'|'hard'|'very_hard'} Difficulty
 * @typedef {'loop'|'return'|'one_way'} CircuitType
 * @typedef {'walk'|'mtb'|'bike'|'horse'} Practice
 * @typedef {'heritage'|'fauna'|'flora'|'landscape'|'viewpoint'|'lodging'|'food'|'practical'} PoiKind
 *
 * @typedef {Object} CircuitSummaryProps
 * @property {string} id
 * @property {string} name
 * @property {string} summary            possibly empty
 * @property {number} length_m
 * @property {number} ascent_m
 * @property {number} descent_m
 * @property {number} duration_min
 * @property {Difficulty} difficulty
 * @property {CircuitType} type
 * @property {Practice} practice
 * @property {string[]} themes
 * @property {string[]} communes            names of the communes crossed, in walking order
 * @property {string[]} intercommunalities  names of their intercommunalities
 * @property {number} [distance_m]       only with the `near` parameter
 * @property {Rating} [rating]            published reviews
 *
 * @typedef {Object} PointGeometry
 * @property {'Point'} type
 * @property {[number, number]} coordinates   [lon, lat]
 *
 * @typedef {Object} CircuitSummary
 * @property {'Feature'} type
 * @property {string} id
 * @property {PointGeometry|null} geometry     start point
 * @property {CircuitSummaryProps} properties
 *
 * @typedef {Object} CircuitCollection
 * @property {'FeatureCollection'} type
 * @property {number} total
 * @property {CircuitSummary[]} features
 * @property {Record<'difficulty'|'type'|'practice'|'theme'|'commune'|'intercommunality', Record<string, number>>} [facets]
 *   for each filter, the number of circuits per value with the other filters applied
 *
 * @typedef {Object} PoiAlong
 * @property {string} id
 * @property {string} name
 * @property {PoiKind} kind
 * @property {number} lon
 * @property {number} lat
 * @property {number} distance_m          distance along the trace from the start
 * @property {string} [description]
 *
 * @typedef {Object} Media   a photo (served by Balade), a video or an audio file (links)
 * @property {string} [id]
 * @property {'photo'|'video'|'audio'} kind
 * @property {string} url                photo: its phone-size derivative; video, audio: the link
 * @property {string|null} [title]
 * @property {string|null} [author]
 * @property {string|null} [license]
 * @property {string|null} [alt]
 * @property {number|null} [width]        of the largest derivative (photos)
 * @property {number|null} [height]
 * @property {Array<{url: string, width: number}>} [sizes]   the photo's derivatives
 *
 * @typedef {Object} SpeciesAlong   a species observed near the trace (never where)
 * @property {string} scientific_name
 * @property {string|null} [vernacular_name]
 * @property {number[]} [months]          1 = January
 *
 * @typedef {CircuitSummaryProps & {
 *   description: string,
 *   min_elevation_m: number|null,
 *   max_elevation_m: number|null,
 *   media: Media[],
 *   pois: string[],
 *   pois_along: PoiAlong[],
 *   landscapes?: Array<{id: string, name: string}>,
 *   species_along?: SpeciesAlong[],
 *   practical?: Record<string, unknown>|null,
 * }} CircuitDetailProps
 *
 * @typedef {{ type: 'LineString', coordinates: number[][] }
 *   | { type: 'MultiLineString', coordinates: number[][][] }} LineGeometry   positions [lon, lat, ele?]
 *
 * @typedef {Object} CircuitDetail
 * @property {'Feature'} type
 * @property {string} id
 * @property {LineGeometry|null} geometry
 * @property {CircuitDetailProps} properties
 *
 * @typedef {Array<[number, number]>} Profile   [[distance_m, elevation_m], ...]
 *
 * @typedef {Object} NearbyPoi
 * @property {'Feature'} type
 * @property {string} id
 * @property {PointGeometry} geometry
 * @property {{id: string, name: string, kind: PoiKind, description: string, distance_m: number}} properties
 */

export const API_BASE = 'api/v1';

/** @typedef {{ signal?: AbortSignal }} RequestOptions */

/** API error: HTTP `status` (0 when the network is unavailable). */
export class ApiError extends Error {
  /** @param {string} message @param {number} status */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

// The service worker marks the responses it serves from its cache.
let lastFromCache = false;
/** True if the last API response came from the offline cache. */
export function lastResponseFromCache() {
  return lastFromCache;
}

/**
 * URL (relative to the document) of an API resource with its non-empty parameters.
 * @param {string} path
 * @param {Record<string, unknown>} [params]
 */
export function apiUrl(path, params = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const s = String(value).trim();
    if (s !== '') search.set(key, s);
  }
  const qs = search.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * @param {string} url
 * @param {RequestOptions} [opts]
 * @returns {Promise<T>} the JSON body, of the type the calling function declares
 * @template T
 */
async function getJson(url, opts) {
  try {
    const { body, fromCache } = await requestJson(url, opts);
    lastFromCache = fromCache;
    return body;
  } catch (err) {
    // An HTTP error came from the network (the service worker only caches successes).
    if (err instanceof ApiError && err.status !== 0) lastFromCache = false;
    throw err;
  }
}

/**
 * GET of a JSON resource: its body and whether the service worker served it from its cache.
 * @param {string} url
 * @param {RequestOptions} [opts]
 * @returns {Promise<{ body: T, fromCache: boolean }>}
 * @template T
 */
async function requestJson(url, { signal } = {}) {
  let response;
  try {
    response = await trackedFetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(t('api.unreachable'), 0);
  }
  const fromCache = !fromNetwork(response);
  let body = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : t('api.http', { status: response.status });
    throw new ApiError(message, response.status);
  }
  if (body === null) throw new ApiError(t('api.invalid'), response.status);
  return { body, fromCache };
}

// `lang` (the app's language) goes with the GETs whose content is translated: the list, the
// sheet, the guide data and the POIs (the server falls back to French). Not with the profile
// (numbers only) nor the trace download, which refuses unknown parameters.

/**
 * List of circuits.
 * @param {Record<string, string|number|undefined>} params q, difficulty, type, practice, theme,
 *   commune (INSEE code or name), intercommunality (name), duration_min, duration_max,
 *   near ("lon,lat"), radius, limit, offset
 * @param {RequestOptions} [opts]
 * @returns {Promise<CircuitCollection>}
 */
export function listCircuits(params = {}, opts) {
  return getJson(apiUrl('/circuits', { ...params, lang: getLang() }), opts);
}

/** @param {string} id @param {RequestOptions} [opts] @returns {Promise<CircuitDetail>} */
export function getCircuit(id, opts) {
  return getJson(apiUrl(`/circuits/${encodeURIComponent(id)}`, { lang: getLang() }), opts);
}

/** @param {string} id @param {RequestOptions} [opts] @returns {Promise<Profile>} */
export function getProfile(id, opts) {
  return getJson(apiUrl(`/circuits/${encodeURIComponent(id)}/profile`), opts);
}

/**
 * @param {Record<string, string|number|undefined>} params  near ("lon,lat"), radius, kind…
 * @param {RequestOptions} [opts]
 * @returns {Promise<{type: 'FeatureCollection', features: NearbyPoi[]}>}
 */
export function nearbyPois(params, opts) {
  return getJson(apiUrl('/pois/nearby', { ...params, lang: getLang() }), opts);
}

/**
 * A circuit's rating: average of the published reviews (null without any) and their number.
 * @typedef {{ average: number|null, count: number }} Rating
 *
 * @typedef {Object} Review   a published review
 * @property {string} id
 * @property {number} rating   1..5
 * @property {string} [text]
 * @property {string} name
 * @property {string} created_at
 * @property {string[]} photos   URLs
 *
 * @typedef {{ rating: Rating, total: number, reviews: Review[] }} ReviewPage
 */

/** Published reviews of a circuit, newest first. @param {string} id @param {RequestOptions} [opts] @returns {Promise<ReviewPage>} */
export function getReviews(id, opts) {
  return getJson(apiUrl(`/circuits/${encodeURIComponent(id)}/reviews`, { limit: 50 }), opts);
}

/**
 * A trail report as its private follow link shows it.
 * @typedef {{ id: string, status: 'new'|'in_progress'|'resolved'|'rejected', category: string, updated_at: string }} ReportStatus
 */

/** @param {string} follow the follow link the server gave ("/api/v1/reports/{id}?token=…") @returns {Promise<ReportStatus>} */
export function getReportStatus(follow) {
  return getJson(follow);
}

/** Download link of the trace: format gpx, kml or geojson. */
export function downloadUrl(id, format) {
  return apiUrl(`/circuits/${encodeURIComponent(id)}/download`, { format });
}

/**
 * Input of createGuide() for a circuit, plus its figures.
 * @typedef {{id: string, kind: PoiKind, name: string, lon: number, lat: number, trigger_radius_m: number|null}} GuidePoi
 *
 * @typedef {Object} GuideData
 * @property {string} circuit
 * @property {Array<Array<[number, number]>>} segments
 * @property {GuidePoi[]} pois
 * @property {Array<{id: string, name: string, polygon: Array<[number, number]>}>} landscapes
 * @property {Record<string, number>} config
 * @property {number} length_m
 * @property {number} duration_min
 */

/** @param {string} id @param {RequestOptions} [opts] @returns {Promise<GuideData>} */
export function getGuide(id, opts) {
  return getJson(apiUrl(`/circuits/${encodeURIComponent(id)}/guide`, { lang: getLang() }), opts);
}

/**
 * One POI with its content and media.
 * @typedef {Object} PoiDetail
 * @property {'Feature'} type
 * @property {string} id
 * @property {PointGeometry} geometry
 * @property {{ id: string, name: string, kind: PoiKind, description?: string, media?: Media[] }} properties
 */

/** @param {string} id @param {RequestOptions} [opts] @returns {Promise<PoiDetail>} */
export function getPoi(id, opts) {
  return getJson(apiUrl(`/pois/${encodeURIComponent(id)}`, { lang: getLang() }), opts);
}

/**
 * Basemap served by this server.
 * @typedef {Object} BasemapInfo
 * @property {string|null} tiles        URL template (`/tiles/{z}/{x}/{y}`), null without basemap
 * @property {number|null} min_zoom
 * @property {number|null} max_zoom
 * @property {number[]} [offline_zooms] [min, max] zooms put in offline packages
 */

/**
 * The basemap description; `fromCache` is true when the service worker answered from its
 * cache (network unavailable). Does not touch lastResponseFromCache().
 * @param {RequestOptions} [opts]
 * @returns {Promise<{ body: BasemapInfo, fromCache: boolean }>}
 */
export function getBasemap(opts) {
  return requestJson(apiUrl('/basemap'), opts);
}
