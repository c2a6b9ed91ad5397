// The list's filter sheet: a modal <dialog> holding chips (toggle buttons with
// aria-pressed, one value per filter as the API takes), the area and commune selects and a
// duration range. Values whose facet count is zero are not offered (except the current
// choice, so that it can be undone). The sheet only edits `state`; list.js loads.
import { h, uid } from '../dom.js';
import { DIFFICULTY_LABELS, PRACTICE_LABELS, TYPE_LABELS, facetChoices, withCount } from '../format.js';
import { t } from '../i18n.js';
import { themeLabel } from '../themes.js';

/** Chip groups: API parameter, legend, labels (null: free values from the facet). */
const CHIP_GROUPS = [
  { name: 'difficulty', legend: 'list.difficulty', labels: DIFFICULTY_LABELS },
  { name: 'type', legend: 'list.type', labels: TYPE_LABELS },
  { name: 'practice', legend: 'list.practice', labels: PRACTICE_LABELS },
  { name: 'theme', legend: 'list.theme', labels: null },
];

/** Selects of free names (too many for chips); `prop`: the card property of a circuit's values. */
const SELECTS = [
  { name: 'intercommunality', prop: 'intercommunalities', label: 'list.area', all: 'list.allM' },
  { name: 'commune', prop: 'communes', label: 'list.commune', all: 'list.allF' },
];

/** Filters counted on the "Filtres (n)" button. */
export const SHEET_KEYS = ['difficulty', 'type', 'practice', 'theme', 'intercommunality', 'commune', 'duration_min', 'duration_max'];

/**
 * @param {Record<string, string>} state  the list's filters, edited in place
 * @param {() => void} changed  called after each change (immediate)
 * @param {() => void} changedLater  called after typing in a duration (debounced by the caller)
 * @param {() => void} reset
 */
export function filterSheet(state, changed, changedLater, reset) {
  const titleId = uid('filters');
  /** @type {Record<string, Record<string, number> | undefined>} */
  let facets = {};
  const groups = CHIP_GROUPS.map((g) => ({ ...g, list: h('div', { class: 'chips' }) }));
  const selects = SELECTS.map((def) => ({
    ...def,
    known: new Set(),
    el: h('select', { name: def.name, id: uid('f') }, h('option', { value: '' }, t(def.all))),
  }));
  const durationMin = h('input', { type: 'number', name: 'duration_min', id: uid('f'), min: 0, step: 15, inputmode: 'numeric', value: state.duration_min });
  const durationMax = h('input', { type: 'number', name: 'duration_max', id: uid('f'), min: 0, step: 15, inputmode: 'numeric', value: state.duration_max });
  const showButton = h('button', { type: 'button', class: 'button' }, t('list.showResults'));
  const resetButton = h('button', { type: 'button', class: 'button button--secondary' }, t('list.reset'));

  const dialog = h(
    'dialog',
    { class: 'filter-sheet', 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'filter-sheet__head' },
      h('h2', { id: titleId }, t('list.filtersTitle')),
      h('button', { type: 'button', class: 'button button--secondary filter-sheet__close', onclick: () => dialog.close() }, t('common.close')),
    ),
    h(
      'div',
      { class: 'filter-sheet__body' },
      groups.map((g) => h('fieldset', { class: 'chip-group', dataset: { filter: g.name } }, h('legend', {}, t(g.legend)), g.list)),
      h(
        'fieldset',
        { class: 'chip-group duration-range' },
        h('legend', {}, t('list.duration')),
        h('div', { class: 'field' }, h('label', { for: durationMin.id }, t('list.durationFrom')), durationMin),
        h('div', { class: 'field' }, h('label', { for: durationMax.id }, t('list.durationTo')), durationMax),
      ),
      selects.map((s) => h('div', { class: 'field' }, h('label', { for: s.el.id }, t(s.label)), s.el)),
    ),
    h('div', { class: 'filter-sheet__foot' }, resetButton, showButton),
  );
  showButton.addEventListener('click', () => dialog.close());
  resetButton.addEventListener('click', reset);
  // A tap on the backdrop (outside the sheet's box) closes it, as on native sheets.
  dialog.addEventListener('click', (e) => {
    if (e.target !== dialog) return;
    const r = dialog.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) dialog.close();
  });
  for (const s of selects) {
    s.el.addEventListener('change', () => {
      state[s.name] = s.el.value;
      changed();
    });
  }
  for (const input of [durationMin, durationMax]) {
    input.addEventListener('input', () => {
      state[input.name] = input.value.trim();
      changedLater();
    });
  }

  /** Values offered by a chip group: those with a count above zero, plus the current one. */
  function values(group) {
    const facet = facets?.[group.name];
    const current = state[group.name];
    if (group.labels) {
      return Object.keys(group.labels).filter((v) => v === current || !facet || (facet[v] ?? 0) > 0);
    }
    return facetChoices(facet ? Object.fromEntries(Object.entries(facet).filter(([, n]) => n > 0)) : {}, current).sort((a, b) =>
      themeLabel(a).localeCompare(themeLabel(b)),
    );
  }

  function renderChips() {
    for (const g of groups) {
      const facet = facets?.[g.name];
      const label = (v) => (g.labels ? g.labels[v] : themeLabel(v));
      g.list.replaceChildren(
        ...values(g).map((v) => {
          const pressed = state[g.name] === v;
          return h(
            'button',
            {
              type: 'button',
              class: 'chip',
              'aria-pressed': String(pressed),
              dataset: { value: v },
              onclick: () => {
                state[g.name] = pressed ? '' : v;
                renderChips();
                changed();
              },
            },
            withCount(label(v), facet ? (facet[v] ?? 0) : undefined),
          );
        }),
      );
      g.list.closest('fieldset').hidden = g.list.childElementCount === 0;
    }
  }

  /** Options of a free-value select: the facet's values with their counts, the choice kept. */
  function renderSelect({ el, known, prop, name }, features) {
    for (const f of features) {
      const vs = f.properties?.[prop];
      if (Array.isArray(vs)) for (const v of vs) if (typeof v === 'string' && v) known.add(v);
    }
    const facet = facets?.[name];
    const source = facet || Object.fromEntries([...known].map((v) => [v, undefined]));
    const list = facetChoices(source, state[name]);
    const options = [...el.options].slice(1);
    if (!(options.length === list.length && options.every((o, i) => o.value === list[i]))) {
      el.replaceChildren(el.options[0], ...list.map((v) => h('option', { value: v }, v)));
    }
    el.value = state[name] || '';
    for (const option of [...el.options].slice(1)) {
      const text = withCount(option.value, facet ? (facet[option.value] ?? 0) : undefined);
      if (option.textContent !== text) option.textContent = text;
    }
  }

  return {
    dialog,
    open: () => dialog.showModal(),
    /** New facets (or none, from an old cached answer) and the circuits they came with. */
    update(newFacets, features) {
      if (newFacets !== undefined) facets = newFacets && typeof newFacets === 'object' ? newFacets : {};
      renderChips();
      for (const s of selects) renderSelect(s, features);
    },
    /** After a reset of `state`. */
    sync() {
      durationMin.value = state.duration_min || '';
      durationMax.value = state.duration_max || '';
      renderChips();
      for (const s of selects) s.el.value = state[s.name] || '';
    },
  };
}
