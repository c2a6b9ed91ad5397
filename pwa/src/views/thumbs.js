// Photo thumbnails of the list's cards. The list API carries no media, so a card's photo is
// the first photo of its sheet, asked only once the card scrolls into view (never for the
// whole list on load) and remembered for the page's life. The thumbnail's box is always
// there (CSS), so a photo arriving moves nothing.
import { getCircuit } from '../api.js';
import { h } from '../dom.js';
import { isOffline } from '../network.js';

/** @type {Map<string, Promise<{ url: string } | null>>} */
const photos = new Map();
/** @type {IntersectionObserver | null} */
let observer = null;

/** The first photo of a circuit's sheet, or null. @param {string} id */
function firstPhoto(id) {
  let p = photos.get(id);
  if (!p) {
    p = getCircuit(id)
      .then((c) => {
        const m = (Array.isArray(c?.properties?.media) ? c.properties.media : []).find((x) => x?.kind === 'photo' && typeof x.url === 'string' && x.url);
        return m ? { url: m.url } : null;
      })
      .catch(() => {
        photos.delete(id);
        return null;
      });
    photos.set(id, p);
  }
  return p;
}

/** @param {IntersectionObserverEntry[]} entries */
async function onVisible(entries) {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const box = /** @type {HTMLElement} */ (entry.target);
    observer?.unobserve(box);
    // Offline the sheet would come from the cache at best: no request for an ornament.
    if (isOffline()) continue;
    const photo = await firstPhoto(box.dataset.circuit || '');
    if (!photo || !box.isConnected) continue;
    // Decorative: the card's heading names the circuit.
    box.replaceChildren(h('img', { src: photo.url, alt: '', loading: 'lazy', decoding: 'async' }));
    box.classList.add('card__thumb--photo');
  }
}

/** Watches a card's thumbnail box. @param {HTMLElement} box @param {string} id */
export function observeThumb(box, id) {
  if (typeof IntersectionObserver === 'undefined' || !id) return;
  observer ??= new IntersectionObserver(onVisible, { rootMargin: '200px' });
  box.dataset.circuit = id;
  observer.observe(box);
}
