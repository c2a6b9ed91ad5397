// "Downloaded circuits" page (#/offline).
import { h } from '../dom.js';
import { formatBytes, formatDateTime } from '../format.js';
import { deleteOffline, downloadCircuit, listOffline, shortVersion } from '../offline.js';

/**
 * @param {HTMLElement} main
 * @param {{ setTitle: (t: string) => void, focusHeading: () => void }} ctx
 * @returns {() => void}
 */
export function renderOffline(main, ctx) {
  ctx.setTitle('Circuits téléchargés');
  const controller = new AbortController();
  const status = h('p', { class: 'count', role: 'status' }, 'Chargement…');
  const list = h('ul', { class: 'offline-list' });
  main.append(
    h(
      'div',
      { class: 'page' },
      h('h1', { tabindex: '-1' }, 'Circuits téléchargés'),
      h('p', { class: 'muted' }, 'Ces circuits restent consultables et utilisables pour le guidage sans connexion.'),
      status,
      list,
    ),
  );
  ctx.focusHeading();

  function item(rec) {
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
        `${formatBytes(rec.bytes)} · version ${shortVersion(rec.version)} · téléchargé le ${formatDateTime(rec.savedAt)}`,
      ),
      h(
        'p',
        { class: 'offline-item__actions' },
        h('a', { class: 'button button--small', href: `#/circuits/${encodeURIComponent(rec.id)}`, 'aria-label': `Ouvrir ${rec.name}` }, 'Ouvrir'),
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'button button--small button--secondary',
            'aria-label': `Mettre à jour ${rec.name}`,
            onclick: async () => {
              busy(true);
              note.textContent = 'Recherche d’une mise à jour…';
              try {
                const { record, fetched } = await downloadCircuit(rec.id, {
                  signal: controller.signal,
                  onProgress: (p) => {
                    if (p.total) note.textContent = `Mise à jour : ${p.done} / ${p.total} parties`;
                  },
                });
                note.textContent =
                  fetched === 0
                    ? 'Déjà à jour.'
                    : `Mis à jour : ${fetched} partie${fetched > 1 ? 's' : ''} téléchargée${fetched > 1 ? 's' : ''}.`;
                const fresh = item(record);
                fresh.querySelector('.offline-item__note').textContent = note.textContent;
                li.replaceWith(fresh);
              } catch (err) {
                if (err?.name === 'AbortError') return;
                note.textContent = err.message;
                note.classList.add('notice', 'notice--error');
              } finally {
                busy(false);
              }
            },
          },
          'Mettre à jour',
        ),
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'button button--small button--danger',
            'aria-label': `Supprimer ${rec.name}`,
            onclick: async () => {
              busy(true);
              try {
                await deleteOffline(rec.id);
                li.remove();
                refreshCount();
              } catch (err) {
                note.textContent = `Suppression impossible : ${err.message}`;
                busy(false);
              }
            },
          },
          'Supprimer',
        ),
      ),
      note,
    );
    return li;
  }

  function refreshCount() {
    const n = list.children.length;
    status.textContent = n === 0 ? 'Aucun circuit téléchargé.' : n === 1 ? '1 circuit téléchargé' : `${n} circuits téléchargés`;
  }

  listOffline()
    .then((records) => {
      if (controller.signal.aborted) return;
      list.replaceChildren(...records.map(item));
      refreshCount();
    })
    .catch((err) => {
      status.textContent = `Liste indisponible : ${err.message}`;
    });

  return () => controller.abort();
}
