// Pure helpers of the guidance page (no DOM: unit-tested under Node).
import { DEFAULT_CONFIG, DEFAULT_TRIGGER_RADIUS_M } from './guidance.js';

/** Input of createGuide() from the guide part, without anything it would refuse. */
export function guideInput(guide) {
  const config = {};
  for (const [k, v] of Object.entries(guide?.config || {})) if (Object.hasOwn(DEFAULT_CONFIG, k) && Number.isFinite(v)) config[k] = v;
  return {
    segments: Array.isArray(guide?.segments) ? guide.segments : [],
    pois: (guide?.pois || []).filter(
      (p) => Object.hasOwn(DEFAULT_TRIGGER_RADIUS_M, p.kind) && Number.isFinite(p.lon) && Number.isFinite(p.lat),
    ),
    landscapes: (guide?.landscapes || []).filter((l) => Array.isArray(l?.polygon)),
    config,
  };
}

/** The photo URL of a POI Feature's media, if any (first image-like item). */
export function photoOf(media) {
  for (const m of Array.isArray(media) ? media : []) {
    if (!m || typeof m !== 'object') continue;
    if (m.kind && !/^(photo|image)$/i.test(m.kind) && !m.type?.startsWith?.('image')) continue;
    const url = m.url_phone || m.phone || m.url || m.src || m.href;
    if (typeof url === 'string' && url) {
      const photo = { url, alt: m.alt || m.caption || m.title || '' };
      // Aspect ratio only (the largest derivative's size): CSS scales the image down.
      if (Number.isFinite(m.width) && m.width > 0 && Number.isFinite(m.height) && m.height > 0) {
        photo.width = m.width;
        photo.height = m.height;
      }
      return photo;
    }
  }
  return null;
}
