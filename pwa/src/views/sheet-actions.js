// The sheet's actions, at its top: start guidance, download for offline (or update, only
// when the server's package differs from the copy), share, favourite. No version hash is
// shown to walkers: a copy is "downloaded on <date> (<size>)" or "an update is available".
import { h } from '../dom.js';
import { favourites, isFavourite, toggleFavourite } from '../favourites.js';
import { formatBytes, formatDateTime } from '../format.js';
import { t } from '../i18n.js';
import { isOffline } from '../network.js';
import { downloadCircuit, fetchManifest } from '../offline.js';

/** "Downloaded for offline use on … (size)." @param {import('../offline.js').OfflineRecord} record */
export const savedSummary = (record) => t('offline.savedOn', { date: formatDateTime(record.savedAt), size: formatBytes(record.bytes) });

/**
 * Download (or update) button, progress and state: used on the sheet and by the offer shown
 * when guidance starts on a circuit not downloaded.
 * @param {string} id
 * @param {import('../offline.js').OfflineRecord | undefined} stored
 * @param {AbortSignal} signal
 * @param {(record: import('../offline.js').OfflineRecord) => void} [onSaved]
 */
export function downloadControl(id, stored, signal, onSaved) {
  let record = stored;
  const state = h('p', { class: 'offline-state', role: 'status' }, record ? savedSummary(record) : '');
  const progress = h('progress', { class: 'offline-progress', max: '1', value: '0', hidden: true, 'aria-label': t('offline.progress') });
  const button = h('button', { type: 'button', class: 'button button--secondary' }, t('offline.download'));
  const error = h('p', { class: 'notice notice--error', role: 'alert', hidden: true });
  // With a copy, the button appears only once the server says it has a newer package.
  button.hidden = Boolean(record);
  button.addEventListener('click', async () => {
    button.disabled = true;
    error.hidden = true;
    progress.hidden = false;
    progress.value = 0;
    state.textContent = t('offline.preparing');
    try {
      const { record: saved } = await downloadCircuit(id, {
        signal,
        onProgress: ({ done, total, bytes, totalBytes }) => {
          progress.max = Math.max(total, 1);
          progress.value = done;
          state.textContent = t('offline.downloading', { done, total, bytes: formatBytes(bytes), totalBytes: formatBytes(totalBytes) });
        },
      });
      record = saved;
      state.textContent = savedSummary(saved);
      button.hidden = true;
      onSaved?.(saved);
    } catch (err) {
      if (err?.name === 'AbortError') return;
      state.textContent = record ? savedSummary(record) : t('offline.notAvailable');
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      progress.hidden = true;
      button.disabled = false;
    }
  });
  // Online with a copy: compare its version with the server's (one small request).
  if (record && !isOffline()) {
    fetchManifest(id, { signal })
      .then((m) => {
        if (!record || m.version === record.version || signal.aborted) return;
        button.textContent = t('offline.update');
        button.hidden = false;
        state.textContent = t('offline.updateAvailable', { date: formatDateTime(record.savedAt) });
      })
      .catch(() => {
        // Cannot tell: the copy stays as it is, nothing offered.
      });
  }
  return { button, status: h('div', { class: 'offline-panel' }, state, progress, error) };
}

/** Share through the system's sheet, else copy the link. @param {string} name @param {HTMLElement} note */
async function share(name, note) {
  const url = location.href;
  if (typeof navigator.share === 'function') {
    try {
      await navigator.share({ title: name, text: name, url });
      return;
    } catch (err) {
      if (err?.name === 'AbortError') return;
      // Refused (no user gesture, unsupported data): fall back to the clipboard.
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    note.textContent = t('share.copied');
  } catch {
    note.textContent = t('share.copyThis', { url });
  }
}

/**
 * @param {{ id: string, name: string, record: import('../offline.js').OfflineRecord | undefined,
 *   signal: AbortSignal, startGuide: () => void }} opts
 */
export function sheetActions({ id, name, record, signal, startGuide }) {
  const download = downloadControl(id, record, signal);
  const note = h('p', { class: 'share-note', role: 'status' });
  const fav = h('button', { type: 'button', class: 'button button--secondary fav-toggle', 'aria-pressed': String(isFavourite(id)) },
    h('span', { 'aria-hidden': 'true', class: 'fav-toggle__star' }),
    t('fav.add'),
  );
  fav.addEventListener('click', () => {
    const on = toggleFavourite(id, name);
    fav.setAttribute('aria-pressed', String(on));
    note.textContent = on ? t('fav.added', { n: favourites().length }) : t('fav.removed');
  });
  return h(
    'div',
    { class: 'sheet__actions' },
    h(
      'p',
      { class: 'sheet__buttons' },
      h('button', { type: 'button', class: 'button', onclick: startGuide }, t('sheet.startGuide')),
      download.button,
      h('button', { type: 'button', class: 'button button--secondary', onclick: () => share(name, note) }, t('share.button')),
      fav,
    ),
    download.status,
    note,
  );
}
