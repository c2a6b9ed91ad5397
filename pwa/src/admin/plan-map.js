// The map of an import plan's page of records: one marker per located record, shaped and
// coloured by its status, with a legend. Leaflet is loaded the first time a plan is shown
// (plan-map-view.js), so the back-office's first load stays small.
import './plan-map.css';
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';

/** @typedef {import('./imports-api.js').PlanRecord} PlanRecord */

/** Statuses of the legend; a located rejection (rare) gets its own mark too. */
export const MAPPED = /** @type {const} */ (['create', 'update', 'delete', 'rejected']);

/** @param {string} tag @param {Record<string, any>} attrs @param {string} key */
const tr = (tag, attrs, key) => h(tag, { ...attrs, 'data-i18n': key }, t(key));

/** A record with coordinates. @param {PlanRecord} r */
export const located = (r) => Number.isFinite(r.lon) && Number.isFinite(r.lat);

/** The mark of a status, as drawn on the map and in the legend (the glyph is decorative). @param {string} status */
export const markHtml = (status) => `<span class="plan-mark plan-mark--${status}" aria-hidden="true"></span>`;

/**
 * The map block of a plan: `el` to place in the page, `show(records)` after each page
 * (and each change of language), `dispose()` when the plan goes away.
 */
export function planMap() {
  const titleId = uid('plan-map');
  const legendId = uid('plan-legend');
  const mapEl = h('div', { class: 'map plan-map__map' });
  const note = h('p', { class: 'plan-map__note' });
  const legend = h(
    'div',
    { class: 'plan-map__legend' },
    tr('span', { id: legendId, class: 'plan-map__legend-title' }, 'plan.legend'),
    h(
      'ul',
      { 'aria-labelledby': legendId },
      MAPPED.map((s) => {
        const mark = h('span', { class: `plan-mark plan-mark--${s}`, 'aria-hidden': 'true' });
        return h('li', { class: `plan-map__key plan-map__key--${s}`, hidden: s === 'rejected' }, mark, tr('span', {}, `imports.status.${s}`));
      }),
    ),
  );
  const el = h('div', { class: 'plan-map' }, tr('h4', { id: titleId }, 'plan.map'), legend, mapEl, note);

  /** @type {Promise<import('./plan-map-view.js').PlanMapView> | null} */
  let view = null;
  let disposed = false;
  /** @type {PlanRecord[]} */
  let shown = [];

  const describeNote = () => {
    const n = shown.filter(located).length;
    note.textContent = t('plan.located', { n, total: shown.length });
  };

  return {
    el,
    /** @param {PlanRecord[]} records the page's */
    show(records) {
      shown = records;
      describeNote();
      // The legend lists a rejection only when one is on the map.
      legend.querySelector('.plan-map__key--rejected')?.toggleAttribute('hidden', !records.some((r) => r.status === 'rejected' && located(r)));
      if (!view) {
        view = import('./plan-map-view.js').then((m) => m.mountPlanMap(mapEl));
        view.catch(() => {
          note.textContent = t('plan.unavailable');
        });
      }
      view.then((v) => {
        if (!disposed && shown === records) v.draw(records, t('plan.map'));
      }, () => {});
    },
    dispose() {
      disposed = true;
      view?.then((v) => v.destroy(), () => {});
    },
  };
}
