// Accès à l'API JSON de Balade (/api/v1). Types bruts tels que renvoyés par le serveur.

/**
 * @typedef {'easy'|'medium'|'hard'|'very_hard'} Difficulty
 * @typedef {'loop'|'return'|'one_way'} CircuitType
 * @typedef {'walk'|'mtb'|'bike'|'horse'} Practice
 * @typedef {'heritage'|'fauna'|'flora'|'landscape'|'viewpoint'|'lodging'|'food'|'practical'} PoiKind
 *
 * @typedef {Object} CircuitSummaryProps
 * @property {string} id
 * @property {string} name
 * @property {string} summary            chaîne éventuellement vide
 * @property {number} length_m
 * @property {number} ascent_m
 * @property {number} descent_m
 * @property {number} duration_min
 * @property {Difficulty} difficulty
 * @property {CircuitType} type
 * @property {Practice} practice
 * @property {string[]} themes
 * @property {string[]} communes
 * @property {number} [distance_m]       seulement avec le paramètre `near`
 *
 * @typedef {Object} PointGeometry
 * @property {'Point'} type
 * @property {[number, number]} coordinates   [lon, lat]
 *
 * @typedef {Object} CircuitSummary
 * @property {'Feature'} type
 * @property {string} id
 * @property {PointGeometry|null} geometry     point de départ
 * @property {CircuitSummaryProps} properties
 *
 * @typedef {Object} CircuitCollection
 * @property {'FeatureCollection'} type
 * @property {number} total
 * @property {CircuitSummary[]} features
 *
 * @typedef {Object} PoiAlong
 * @property {string} id
 * @property {string} name
 * @property {PoiKind} kind
 * @property {number} lon
 * @property {number} lat
 * @property {number} distance_m          distance le long de la trace depuis le départ
 * @property {string} [description]
 *
 * @typedef {CircuitSummaryProps & {
 *   description: string,
 *   min_elevation_m: number|null,
 *   max_elevation_m: number|null,
 *   media: unknown[],
 *   pois: string[],
 *   pois_along: PoiAlong[],
 * }} CircuitDetailProps
 *
 * @typedef {Object} LineGeometry
 * @property {'LineString'|'MultiLineString'} type
 * @property {number[][]|number[][][]} coordinates   positions [lon, lat, ele?]
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

/** Erreur d'API : `status` HTTP (0 si le réseau est indisponible). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

// Le service worker marque les réponses servies depuis son cache.
let lastFromCache = false;
/** Vrai si la dernière réponse de l'API provenait du cache hors ligne. */
export function lastResponseFromCache() {
  return lastFromCache;
}

/** URL (relative au document) d'une ressource de l'API avec ses paramètres non vides. */
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

async function getJson(url, { signal } = {}) {
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError('Le serveur est injoignable. Vérifiez votre connexion.', 0);
  }
  lastFromCache = response.headers.get('x-balade-from-cache') === '1';
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
    const message = body && typeof body.error === 'string' ? body.error : `Erreur HTTP ${response.status}`;
    throw new ApiError(message, response.status);
  }
  if (body === null) throw new ApiError('Réponse invalide du serveur.', response.status);
  return body;
}

/**
 * Liste des circuits.
 * @param {Record<string, string|number|undefined>} params q, difficulty, type, practice, theme,
 *   duration_min, duration_max, near ("lon,lat"), radius, limit, offset
 * @returns {Promise<CircuitCollection>}
 */
export function listCircuits(params = {}, opts) {
  return getJson(apiUrl('/circuits', params), opts);
}

/** @returns {Promise<CircuitDetail>} */
export function getCircuit(id, opts) {
  return getJson(apiUrl(`/circuits/${encodeURIComponent(id)}`), opts);
}

/** @returns {Promise<Profile>} */
export function getProfile(id, opts) {
  return getJson(apiUrl(`/circuits/${encodeURIComponent(id)}/profile`), opts);
}

/** @returns {Promise<{type: 'FeatureCollection', features: NearbyPoi[]}>} */
export function nearbyPois(params, opts) {
  return getJson(apiUrl('/pois/nearby', params), opts);
}

/** Lien de téléchargement de la trace : format gpx, kml ou geojson. */
export function downloadUrl(id, format) {
  return apiUrl(`/circuits/${encodeURIComponent(id)}/download`, { format });
}
