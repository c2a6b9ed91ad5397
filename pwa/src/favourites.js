// Favourite circuits, kept on this device only (localStorage): no account needed, nothing
// sent. A list of { id, name } so that the list page can name them without the network.

const KEY = 'balade.favourites';
const listeners = new Set();

/** @returns {Array<{ id: string, name: string }>} */
export function favourites() {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(raw) ? raw.filter((f) => f && typeof f.id === 'string') : [];
  } catch {
    // Storage refused (private mode) or damaged: no favourites rather than a broken page.
    return [];
  }
}

/** @param {string} id */
export const isFavourite = (id) => favourites().some((f) => f.id === id);

/** Adds or removes a circuit; returns whether it is now a favourite. @param {string} id @param {string} name */
export function toggleFavourite(id, name) {
  const list = favourites();
  const on = !list.some((f) => f.id === id);
  const next = on ? [...list, { id, name }] : list.filter((f) => f.id !== id);
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Not kept (storage full or refused): the button still reflects the click for this page.
  }
  for (const fn of listeners) fn();
  return on;
}

/** @param {() => void} fn @returns {() => void} unsubscribe */
export function onFavouritesChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
