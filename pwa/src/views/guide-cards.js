// The guide's POI cards: only the newest reached is open (pinned above the bottom bar);
// earlier ones go, in walking order, into a collapsed "Seen (N)" list, so the walker never
// has to scroll past old cards to find the one about where they stand.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function createCardStack() {
  const current = h('div', { class: 'guide__current', role: 'region', 'aria-label': t('guide.reached'), 'aria-live': 'polite' });
  const summary = h('summary', {}, '');
  const list = h('div', { class: 'guide__seen-list' });
  const seen = h('details', { class: 'guide__seen', hidden: true }, summary, list);
  const count = () => {
    const n = list.childElementCount;
    summary.textContent = t('guide.seen', { n });
    seen.hidden = n === 0;
  };
  count();
  return {
    /** The region of the open card. */
    current,
    /** The <details> of the cards seen before. */
    seen,
    /** Opens `card`: the one open so far joins the seen list. @param {HTMLElement} card */
    open(card) {
      for (const old of [...current.children]) list.append(old);
      current.replaceChildren(card);
      count();
    },
    /** Closes a card: the open one is put away with the others, a seen one stays seen. @param {HTMLElement} card */
    close(card) {
      if (card.parentElement === current) list.append(card);
      count();
    },
  };
}
