// Work for what is below the first screen, done when the walker scrolls towards it (issue
// 17): on a phone the sheet's map is not on the first screen, and its code (Leaflet) need
// not load, run and draw while the sheet's text is being shown.

/**
 * Calls `run` once, the first time `el` comes within `marginPx` pixels of the screen (at
 * once where IntersectionObserver is missing). A small margin: ahead enough that the map is
 * usually drawn by the time it scrolls into view, not so far that a phone's first screen
 * pays for it.
 * @param {Element} el
 * @param {() => void} run
 * @param {{ marginPx?: number, signal?: AbortSignal }} [options] `signal`: stop watching
 * @returns {() => void} runs it now if it has not run yet (the walker asked for the map)
 */
export function whenNear(el, run, { marginPx = 150, signal } = {}) {
  let done = false;
  /** @type {IntersectionObserver|null} */
  let observer = null;
  const go = () => {
    if (done || signal?.aborted) return;
    done = true;
    observer?.disconnect();
    run();
  };
  if (typeof IntersectionObserver === 'undefined') {
    queueMicrotask(go);
    return go;
  }
  observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && go(), {
    rootMargin: `${marginPx}px 0px`,
  });
  observer.observe(el);
  signal?.addEventListener('abort', () => observer?.disconnect(), { once: true });
  return go;
}
