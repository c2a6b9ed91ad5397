// When guidance starts online on a circuit that is not on the phone, the download is
// offered again above the guide, without stopping it: the network may not last the walk.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { isOffline } from '../network.js';
import { getOffline } from '../offline.js';
import { downloadControl } from './sheet-actions.js';

/**
 * Fills `slot` (a shell element above <main>) for the guide of circuit `id`.
 * @param {HTMLElement} slot
 * @param {string} id
 * @returns {() => void} cleanup
 */
export function offerDownload(slot, id) {
  const controller = new AbortController();
  getOffline(id).then((record) => {
    if (record || isOffline() || controller.signal.aborted) return;
    const dismiss = h('button', { type: 'button', class: 'button button--small button--secondary', onclick: () => slot.replaceChildren() }, t('guideOffer.later'));
    const download = downloadControl(id, undefined, controller.signal, () => {
      dismiss.textContent = t('common.close');
    });
    slot.replaceChildren(
      h(
        'section',
        { class: 'guide-offer', 'aria-label': t('guideOffer.label') },
        h('p', {}, t('guideOffer.text')),
        h('p', { class: 'guide-offer__buttons' }, download.button, ' ', dismiss),
        download.status,
      ),
    );
  });
  return () => {
    controller.abort();
    slot.replaceChildren();
  };
}
