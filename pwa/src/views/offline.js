// "Downloaded circuits" page (#/offline).
import { h } from '../dom.js';
import { formatBytes, formatDateTime } from '../format.js';
import { t } from '../i18n.js';
import { isOffline } from '../network.js';
import { deleteOffline, downloadCircuit, fetchManifest, listOffline } from '../offline.js';

/**
 * @param {HTMLElement} main
 * @param {{ setTitle: (t: string) => void, focusHeading: () => void }} ctx
 * @returns {() => void}
 */
export function renderOffline(main, ctx) {
  ctx.setTitle(t('offline.title'));
  const controller = new AbortController();
  const status = h('p', { class: 'count', role: 'status' }, t('common.loading'));
  const list = h('ul', { class: 'offline-list' });
  main.append(
    h(
      'div',
      { class: 'page' },
      h('h1', { tabindex: '-1' }, t('offline.title')),
      h('p', { class: 'muted' }, t('offline.intro')),
      status,
      list,
    ),
  );
  ctx.focusHeading();

  /** @param {import('../offline.js').OfflineRecord} rec @param {boolean} [fresh] just updated: no need to ask the server again */
  function item(rec, fresh = false) {
    /** @type {HTMLElement | null} */
    let updateButton = null;
    const note = h('p', { class: 'offline-item__note', role: 'status' });
    const busy = (on) => {
      for (const b of li.querySelectorAll('button')) b.disabled = on;
    };
    const li = h(
      'li',
      { class: 'offline-item', dataset: { id: rec.id } },
      h('h2', {}, h('a', { href: `#/circuits/${encodeURIComponent(rec.id)}` }, rec.name)),
      h(
        'p',
        { class: 'offline-item__meta' },
        t('offline.metaShort', { size: formatBytes(rec.bytes), date: formatDateTime(rec.savedAt) }),
      ),
      h(
        'p',
        { class: 'offline-item__actions' },
        h('a', { class: 'button button--small', href: `#/circuits/${encodeURIComponent(rec.id)}`, 'aria-label': t('offline.openLabel', { name: rec.name }) }, t('offline.open')),
        ' ',
        updateButton = h(
          'button',
          {
            type: 'button',
            class: 'button button--small button--secondary',
            hidden: true,
            'aria-label': t('offline.updateLabel', { name: rec.name }),
            onclick: async () => {
              busy(true);
              note.textContent = t('offline.checking');
              try {
                const { record, fetched } = await downloadCircuit(rec.id, {
                  signal: controller.signal,
                  onProgress: (p) => {
                    if (p.total) note.textContent = t('offline.updating', { done: p.done, total: p.total });
                  },
                });
                note.textContent =
                  fetched === 0
                    ? t('offline.upToDate')
                    : fetched === 1
                      ? t('offline.updatedOne')
                      : t('offline.updatedMany', { n: fetched });
                const replacement = item(record, true);
                replacement.querySelector('.offline-item__note').textContent = note.textContent;
                li.replaceWith(replacement);
              } catch (err) {
                if (err?.name === 'AbortError') return;
                note.textContent = err.message;
                note.classList.add('notice', 'notice--error');
              } finally {
                busy(false);
              }
            },
          },
          t('offline.updateShort'),
        ),
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'button button--small button--danger',
            'aria-label': t('offline.deleteLabel', { name: rec.name }),
            onclick: async () => {
              busy(true);
              try {
                await deleteOffline(rec.id);
                li.remove();
                refreshCount();
              } catch (err) {
                note.textContent = t('offline.deleteFailed', { msg: err.message });
                busy(false);
              }
            },
          },
          t('offline.delete'),
        ),
      ),
      note,
    );
    // Update offered only when the server's package differs from the copy (online only).
    if (!fresh && !isOffline()) {
      fetchManifest(rec.id, { signal: controller.signal })
        .then((m) => {
          if (m.version === rec.version) {
            if (!note.textContent) note.textContent = t('offline.upToDate');
            return;
          }
          if (updateButton) updateButton.hidden = false;
          note.textContent = t('offline.updateAvailableShort');
        })
        .catch(() => {
          // Cannot tell (server unreachable): nothing offered.
        });
    }
    return li;
  }

  function refreshCount() {
    const n = list.children.length;
    status.textContent = n === 0 ? t('offline.countZero') : n === 1 ? t('offline.countOne') : t('offline.countMany', { n });
  }

  listOffline()
    .then((records) => {
      if (controller.signal.aborted) return;
      list.replaceChildren(...records.map((r) => item(r)));
      refreshCount();
    })
    .catch((err) => {
      status.textContent = t('offline.listFailed', { msg: err.message });
    });

  return () => controller.abort();
}
