// The back-office's "Moderation" section, for moderators and admins: the walkers' reviews,
// reports and corrections in one queue, with their counts by kind and status (each a
// filter), filters, one page at a time; each item as plain text with its photos, the
// decisions that apply to it and its log; several items decided at once; the page's
// reports on a map, and the reports' export under the current filters.
//
// Walkers' texts only ever go through `textContent` (dom.js). Fixed texts carry `data-i18n`
// (the page translates them); texts made of names and figures are made again on a change
// of language, the list with them.
import './moderation.css';
import { h, uid } from '../dom.js';
import { formatDateTime } from '../format.js';
import { MESSAGES, onLangChange, t } from '../i18n.js';
import {
  CATEGORIES,
  KINDS,
  ModerationError,
  OPEN,
  REPORT_DECISION,
  STATUSES,
  decide,
  decideMany,
  exportUrl,
  getItem,
  listQueue,
} from './moderation-api.js';
import { listCircuits } from './records-api.js';

/** @typedef {import('./moderation-api.js').Item} Item */
/** @typedef {import('./moderation-api.js').Kind} Kind */
/** @typedef {import('./moderation-api.js').Filters} Filters */
/** @typedef {import('./moderation-api.js').Counts} Counts */
/** @typedef {import('./moderation-map.js').ReportsMapView} ReportsMapView */

const PAGE_SIZE = 20;
/** The statuses of the status filter, every kind's once. */
const FILTER_STATUSES = ['pending', 'flagged', 'published', 'accepted', 'new', 'in_progress', 'resolved', 'rejected'];

/** @param {string} tag @param {Record<string, any>} attrs @param {string} key */
const tr = (tag, attrs, key) => h(tag, { ...attrs, 'data-i18n': key }, t(key));

/** The text of `key`, or `raw` when there is none (a value the server added since). @param {string} key @param {string} raw */
const known = (key, raw) => (Object.hasOwn(MESSAGES.fr, key) ? t(key) : raw);

/** @param {Kind} kind @param {string | null | undefined} status */
const statusText = (kind, status) => (status ? known(`moderation.status.${kind}.${status}`, status) : '–');

/** @param {string | undefined} category */
const categoryText = (category) => known(`moderation.category.${category}`, category ?? '');

/** A date of the API (ISO text, or unix seconds). @param {string | number | undefined} at */
const when = (at) => (typeof at === 'number' ? formatDateTime(at < 1e12 ? at * 1000 : at) : at ? formatDateTime(at) : '–');

/** What an item is, in a few words: its heading and the end of its controls' names. @param {Item} item */
function itemName(item) {
  if (item.kind === 'review') return t('moderation.reviewTitle', { name: item.name ?? '' });
  if (item.kind === 'report') return t('moderation.reportTitle', { category: categoryText(item.category) });
  const target = item.target_name || item.target || '';
  const key = `moderation.correctionOf.${item.field}`;
  return Object.hasOwn(MESSAGES.fr, key) ? t(key, { target }) : `${item.field}: ${target}`;
}

/** What to tell of a failed call. @param {unknown} err */
function describe(err) {
  if (err instanceof ModerationError && err.status === 0) return t('api.unreachable');
  return t('admin.failed', { reason: err instanceof Error ? err.message : String(err) });
}

/** A button named by its verb and, for a screen reader, the item. @param {string} key @param {string} name @param {string} [cls] */
const itemButton = (key, name, cls = 'button button--small') =>
  h('button', { type: 'button', class: cls }, tr('span', {}, key), h('span', { class: 'visually-hidden' }, ` ${name}`));

/** The "Moderation" section of the logged-in page. */
export function moderationSection() {
  const headingId = uid('moderation-title');
  const root = h('section', { class: 'moderation', id: 'moderation', 'aria-labelledby': headingId });

  /** @type {Filters} */
  let filters = { kind: '', status: '', category: '', circuit: '', commune: '' };
  let offset = 0;
  /** @type {{ total: number, counts: Counts | null, items: Item[] }} */
  let page = { total: 0, counts: null, items: [] };
  /** Ids ticked for a decision on several. @type {Set<string>} */
  const selected = new Set();
  /** Ids whose history is open. @type {Set<string>} */
  const logsOpen = new Set();
  /** Each load has its number: an answer to an older one is dropped. */
  let loads = 0;

  // Alerts are inserted with their text (read out then); the status is there from the start.
  const alertSlot = h('div');
  /** @param {HTMLElement} slot @param {(() => string | Node) | null} fn */
  const alertIn = (slot, fn) => {
    slot.replaceChildren(fn ? h('div', { role: 'alert', class: 'form-alert' }, fn()) : '');
  };
  const status = h('p', { role: 'status', class: 'moderation__status' });
  /** The last success said, made again on a change of language. @type {(() => string) | null} */
  let said = null;
  /** @param {(() => string) | null} fn */
  const say = (fn) => {
    said = fn;
    status.textContent = fn ? fn() : '';
  };

  // --- Counts: each kind and status a filter
  const countsId = uid('moderation-counts');
  const chips = h('div', { class: 'moderation__chips' });
  /** @param {string} kind @param {string} st @param {string} visible @param {string} hidden */
  const chip = (kind, st, visible, hidden) => {
    const pressed = filters.kind === kind && filters.status === st;
    return h(
      'button',
      { type: 'button', class: 'moderation__chip', 'aria-pressed': String(pressed), 'data-chip': `${kind}/${st}`, onclick: () => choose(kind, st) },
      hidden ? h('span', { class: 'visually-hidden' }, `${hidden} `) : null,
      visible,
    );
  };
  const renderCounts = () => {
    const counts = page.counts;
    if (!counts) {
      chips.replaceChildren();
      return;
    }
    const open = KINDS.reduce((n, k) => n + OPEN[k].reduce((m, s) => m + counts[k][s], 0), 0);
    // A chip that had the focus keeps it once the counts are made again.
    const focused = document.activeElement instanceof HTMLElement && chips.contains(document.activeElement) ? document.activeElement.dataset.chip : null;
    chips.replaceChildren(
      h('p', { class: 'moderation__chip-row' }, chip('', '', t('moderation.openQueue', { n: open }), '')),
      ...KINDS.map((kind) =>
        h(
          'div',
          { class: 'moderation__chip-row' },
          // The kind is in each button's name too: hidden here from screen readers.
          h('span', { class: 'moderation__chip-kind', 'aria-hidden': 'true' }, t(`moderation.kinds.${kind}`)),
          STATUSES[kind].map((s) =>
            chip(kind, s, t('moderation.chip', { status: statusText(kind, s), n: counts[kind][s] }), t(`moderation.kinds.${kind}`)),
          ),
        ),
      ),
    );
    if (focused) /** @type {HTMLElement | null} */ (chips.querySelector(`[data-chip="${focused}"]`))?.focus();
  };

  // --- Filters
  const ids = { kind: uid('mod-kind'), status: uid('mod-status'), category: uid('mod-category'), circuit: uid('mod-circuit'), commune: uid('mod-commune') };
  const filtersTitle = uid('mod-filters');
  const circuitsList = uid('mod-circuits');
  const kindSelect = h(
    'select',
    { id: ids.kind, name: 'kind' },
    tr('option', { value: '' }, 'moderation.allKinds'),
    KINDS.map((k) => tr('option', { value: k }, `moderation.kind.${k}`)),
  );
  const statusSelect = h(
    'select',
    { id: ids.status, name: 'status' },
    tr('option', { value: '' }, 'moderation.filterStatus.open'),
    tr('option', { value: 'all' }, 'moderation.filterStatus.all'),
    FILTER_STATUSES.map((s) => tr('option', { value: s }, `moderation.filterStatus.${s}`)),
  );
  const categorySelect = h(
    'select',
    { id: ids.category, name: 'category' },
    tr('option', { value: '' }, 'moderation.allCategories'),
    CATEGORIES.map((c) => tr('option', { value: c }, `moderation.category.${c}`)),
  );
  const circuitInput = h('input', { id: ids.circuit, name: 'circuit', type: 'text', list: circuitsList, autocomplete: 'off', spellcheck: 'false' });
  const circuits = h('datalist', { id: circuitsList });
  const communeInput = h('input', { id: ids.commune, name: 'commune', type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false' });
  /** @param {string} id @param {string} key @param {HTMLElement} control */
  const field = (id, key, control) => h('div', { class: 'field' }, tr('label', { for: id }, key), control);
  const form = h(
    'form',
    { class: 'filters moderation__filters', role: 'search', 'aria-labelledby': filtersTitle },
    tr('h3', { id: filtersTitle, class: 'moderation__filters-title' }, 'moderation.filters'),
    h(
      'div',
      { class: 'filters__grid' },
      field(ids.kind, 'moderation.kind', kindSelect),
      field(ids.status, 'moderation.status', statusSelect),
      field(ids.category, 'moderation.category', categorySelect),
      field(ids.circuit, 'moderation.circuit', circuitInput),
      field(ids.commune, 'moderation.commune', communeInput),
      h('div', { class: 'moderation__filter-go' }, tr('button', { type: 'submit', class: 'button button--secondary' }, 'moderation.apply')),
    ),
    circuits,
  );
  const apply = () => {
    filters = {
      kind: kindSelect.value,
      status: statusSelect.value,
      category: categorySelect.value,
      circuit: circuitInput.value.trim(),
      commune: communeInput.value.trim(),
    };
    offset = 0;
    load();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  for (const select of [kindSelect, statusSelect, categorySelect]) select.addEventListener('change', apply);
  /** A count chosen: its kind and status in the form, the first page. @param {string} kind @param {string} st */
  const choose = (kind, st) => {
    kindSelect.value = kind;
    statusSelect.value = st;
    apply();
  };

  // --- Export of the reports, under the filters applied
  const exportId = uid('mod-export');
  const geojsonLink = h('a', { class: 'button button--secondary', download: '' }, tr('span', {}, 'moderation.exportGeojson'));
  const csvLink = h('a', { class: 'button button--secondary', download: '' }, tr('span', {}, 'moderation.exportCsv'));
  const exports = h(
    'div',
    { class: 'moderation__export', role: 'group', 'aria-labelledby': exportId },
    tr('span', { id: exportId, class: 'moderation__export-title' }, 'moderation.export'),
    geojsonLink,
    csvLink,
  );

  // --- Decisions on several
  const selectAllBox = h('input', { type: 'checkbox' });
  const selectAll = h('label', { class: 'moderation__choice' }, selectAllBox, ' ', tr('span', {}, 'moderation.selectAll'));
  const publishMany = tr('button', { type: 'button', class: 'button button--small' }, 'moderation.publishSelection');
  const rejectMany = tr('button', { type: 'button', class: 'button button--secondary button--small' }, 'moderation.rejectSelection');
  const bulk = h('div', { class: 'moderation__bulk' }, selectAll, publishMany, rejectMany);
  const syncSelectAll = () => {
    const onPage = page.items.filter((i) => selected.has(i.id)).length;
    selectAllBox.checked = onPage > 0 && onPage === page.items.length;
    selectAllBox.indeterminate = onPage > 0 && onPage < page.items.length;
  };
  selectAllBox.addEventListener('change', () => {
    for (const i of page.items) {
      if (selectAllBox.checked) selected.add(i.id);
      else selected.delete(i.id);
    }
    for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (list.querySelectorAll('input[data-select]'))) box.checked = selectAllBox.checked;
    syncSelectAll();
  });
  /** @param {string} decision @param {HTMLElement} button */
  const decideSelection = async (decision, button) => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    alertIn(alertSlot, null);
    say(null);
    const chosen = [...selected];
    if (!chosen.length) {
      alertIn(alertSlot, () => t('moderation.nothingSelected'));
      return;
    }
    const names = new Map(page.items.map((i) => [i.id, itemName(i)]));
    button.setAttribute('aria-disabled', 'true');
    try {
      const result = await decideMany(chosen, decision);
      const done = result.done.length;
      const failed = result.failed.length;
      say(() => t('moderation.bulkDone', { done, failed }));
      if (failed) {
        alertIn(alertSlot, () =>
          h('ul', {}, result.failed.map((f) => h('li', {}, t('moderation.bulkFailure', { name: names.get(f.id) ?? f.id, error: f.error })))),
        );
      }
      selected.clear();
      await load();
    } catch (err) {
      alertIn(alertSlot, () => describe(err));
    } finally {
      button.removeAttribute('aria-disabled');
    }
  };
  publishMany.addEventListener('click', () => decideSelection('publish', publishMany));
  rejectMany.addEventListener('click', () => decideSelection('reject', rejectMany));

  // --- The page of items
  const listId = uid('mod-list');
  const listTitle = tr('h3', { id: listId, tabindex: '-1' }, 'moderation.list');
  const list = h('ul', { class: 'moderation__items', 'aria-labelledby': listId });
  const empty = h('p', { class: 'moderation__empty', hidden: true });
  const range = h('p', { class: 'moderation__range', 'aria-live': 'polite' });
  const previous = tr('button', { type: 'button', class: 'button button--secondary button--small' }, 'moderation.previous');
  const next = tr('button', { type: 'button', class: 'button button--secondary button--small' }, 'moderation.next');
  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    load({ focus: '' });
  });
  next.addEventListener('click', () => {
    offset += PAGE_SIZE;
    load({ focus: '' });
  });
  const pager = h('div', { class: 'moderation__paging' }, previous, range, next);

  /** The item's photos, as thumbnails that link to the photo. @param {Item} item */
  const photos = (item) =>
    item.photos.length
      ? h(
          'ul',
          { class: 'moderation-item__photos' },
          item.photos.map((url, i) =>
            h('li', {}, h('a', { href: url }, h('img', { src: url, alt: t('moderation.photo', { n: i + 1, name: itemName(item) }), loading: 'lazy' }))),
          ),
        )
      : null;

  /** What a walker sent, by kind. @param {Item} item */
  const content = (item) => {
    if (item.kind === 'review') {
      const rating = Math.max(0, Math.min(5, Math.round(item.rating ?? 0)));
      const reasons = item.flag_reasons ?? [];
      return [
        h(
          'p',
          { class: 'moderation-item__rating' },
          h('span', { class: 'moderation-item__stars', 'aria-hidden': 'true' }, '★'.repeat(rating) + '☆'.repeat(5 - rating)),
          ' ',
          t('moderation.rating', { n: rating }),
        ),
        item.text ? h('p', { class: 'moderation-item__text' }, item.text) : null,
        photos(item),
        item.flags
          ? h(
              'div',
              { class: 'moderation-item__flags' },
              h('p', {}, t('moderation.flags', { n: item.flags })),
              reasons.length ? [h('p', {}, t('moderation.flagReasons')), h('ul', {}, reasons.map((r) => h('li', {}, r)))] : null,
            )
          : null,
      ];
    }
    if (item.kind === 'correction') {
      return [
        h('p', { class: 'moderation-item__meta' }, t('moderation.target', { target: item.target ?? '' })),
        h(
          'dl',
          { class: 'moderation-item__compare' },
          h('div', {}, h('dt', {}, t('moderation.current')), h('dd', { class: 'moderation-item__text' }, item.current || '–')),
          h('div', {}, h('dt', {}, t('moderation.proposed')), h('dd', { class: 'moderation-item__text' }, item.text ?? '')),
        ),
      ];
    }
    const at = Number.isFinite(item.lat) && Number.isFinite(item.lon);
    return [
      item.message ? h('p', { class: 'moderation-item__text' }, item.message) : null,
      at ? h('p', {}, t('moderation.position', { lat: Number(item.lat).toFixed(5), lon: Number(item.lon).toFixed(5) })) : null,
      item.commune ? h('p', {}, t('moderation.communeCode', { code: item.commune })) : null,
      h('p', {}, t(item.contact ? 'moderation.contactYes' : 'moderation.contactNo')),
      photos(item),
    ];
  };

  /** The decisions that apply to an item. @param {Item} item @param {HTMLElement} itemAlert */
  const actions = (item, itemAlert) => {
    const name = itemName(item);
    /** @param {string} decision @param {HTMLElement} control */
    const run = async (decision, control) => {
      if (control.getAttribute('aria-disabled') === 'true') return;
      control.setAttribute('aria-disabled', 'true');
      alertIn(itemAlert, null);
      alertIn(alertSlot, null);
      say(null);
      try {
        const after = await decide(item.id, decision);
        const afterName = itemName(after);
        say(() => t('moderation.decided', { name: afterName, status: statusText(after.kind, after.status) }));
        await load({ focus: item.id });
      } catch (err) {
        alertIn(itemAlert, () => describe(err));
        control.removeAttribute('aria-disabled');
      }
    };
    /** @param {string} key @param {string} decision @param {string} [cls] */
    const button = (key, decision, cls) => {
      const b = itemButton(key, name, cls);
      b.addEventListener('click', () => run(decision, b));
      return b;
    };
    if (item.kind === 'report') {
      const selectId = uid('mod-report-status');
      const select = h(
        'select',
        { id: selectId, class: 'moderation-item__select' },
        STATUSES.report.map((s) => tr('option', { value: s, selected: s === item.status }, `moderation.filterStatus.${s}`)),
      );
      const update = itemButton('moderation.update', name);
      update.addEventListener('click', () => run(REPORT_DECISION[select.value], update));
      return [
        h('label', { for: selectId }, tr('span', {}, 'moderation.newStatus'), h('span', { class: 'visually-hidden' }, ` ${name}`)),
        select,
        update,
      ];
    }
    if (item.kind === 'correction') {
      return item.status === 'pending'
        ? [button('moderation.accept', 'publish'), button('moderation.reject', 'reject', 'button button--secondary button--small')]
        : [];
    }
    return [
      item.status !== 'published' ? button('moderation.publish', 'publish') : null,
      item.status !== 'rejected' ? button('moderation.reject', 'reject', 'button button--secondary button--small') : null,
    ];
  };

  /** The log of an item in `area`, asked for again each time it is shown. @param {Item} item @param {HTMLElement} area */
  const showLog = async (item, area) => {
    area.replaceChildren(tr('p', { class: 'admin-status' }, 'common.loading'));
    let full;
    try {
      full = await getItem(item.id);
    } catch (err) {
      if (area.isConnected) alertIn(area, () => describe(err));
      return;
    }
    const log = full.log ?? [];
    if (!log.length) {
      area.replaceChildren(tr('p', {}, 'moderation.noLog'));
      return;
    }
    area.replaceChildren(
      h(
        'table',
        { class: 'moderation-item__log' },
        h('caption', { class: 'visually-hidden' }, `${t('moderation.history')} ${itemName(item)}`),
        h('thead', {}, h('tr', {}, ['when', 'who', 'decision', 'change'].map((c) => tr('th', { scope: 'col' }, `moderation.col.${c}`)))),
        h(
          'tbody',
          {},
          log.map((e) =>
            h(
              'tr',
              {},
              h('td', {}, when(e.at)),
              // A walker's step (a flag) is the server's "public".
              h('td', { class: 'moderation-item__who' }, e.actor && e.actor !== 'public' ? e.actor : t('moderation.walker')),
              h('td', {}, known(`moderation.decision.${e.decision}`, String(e.decision ?? ''))),
              h('td', {}, `${statusText(item.kind, e.from)} → ${statusText(item.kind, e.to)}`),
            ),
          ),
        ),
      ),
    );
  };

  /** One item: what it is, what was sent, its decisions, its history. @param {Item} item */
  const itemView = (item) => {
    const name = itemName(item);
    const titleId = uid('mod-item');
    const logId = uid('mod-log');
    const box = h('input', { type: 'checkbox', checked: selected.has(item.id), 'data-select': '' });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(item.id);
      else selected.delete(item.id);
      syncSelectAll();
    });
    const itemAlert = h('div');
    const logArea = h('div', { id: logId, class: 'moderation-item__history', hidden: !logsOpen.has(item.id) });
    const toggle = itemButton('moderation.history', name, 'button button--secondary button--small');
    toggle.setAttribute('aria-expanded', String(logsOpen.has(item.id)));
    toggle.setAttribute('aria-controls', logId);
    toggle.addEventListener('click', () => {
      const opening = !logsOpen.has(item.id);
      if (opening) logsOpen.add(item.id);
      else logsOpen.delete(item.id);
      toggle.setAttribute('aria-expanded', String(opening));
      logArea.hidden = !opening;
      if (opening) showLog(item, logArea);
    });
    if (logsOpen.has(item.id)) showLog(item, logArea);
    const dates =
      item.updated_at && item.updated_at !== item.created_at
        ? `${t('moderation.received', { date: when(item.created_at) })}, ${t('moderation.updated', { date: when(item.updated_at) })}`
        : t('moderation.received', { date: when(item.created_at) });
    return h(
      'li',
      { 'data-id': item.id },
      h(
        'article',
        { class: `moderation-item moderation-item--${item.kind}`, 'aria-labelledby': titleId },
        h(
          'div',
          { class: 'moderation-item__head' },
          h('label', { class: 'moderation-item__pick' }, box, h('span', { class: 'visually-hidden' }, t('moderation.select', { name }))),
          h('h4', { id: titleId, tabindex: '-1' }, name),
          h('span', { class: `moderation-item__status moderation-item__status--${item.status}` }, t('moderation.state', { status: statusText(item.kind, item.status) })),
        ),
        h(
          'p',
          { class: 'moderation-item__meta' },
          dates,
          item.circuit ? ` · ${t('moderation.onCircuit', { name: item.circuit_name || item.circuit })}` : '',
        ),
        content(item),
        itemAlert,
        h('div', { class: 'moderation-item__actions' }, actions(item, itemAlert), toggle),
        logArea,
      ),
    );
  };

  // --- The page's reports on a map (moderation-map.js, loaded when there is one to show)
  const mapTitle = uid('mod-map');
  const mapEl = h('div', { class: 'map moderation__map' });
  const mapNote = h('p', { class: 'moderation__map-note' });
  const mapBlock = h('div', { class: 'moderation__map-block', hidden: true }, tr('h3', { id: mapTitle }, 'moderation.map'), mapEl, mapNote);
  /** @type {Promise<ReportsMapView> | null} */
  let mapView = null;
  const renderMap = () => {
    const marks = page.items
      .filter((i) => i.kind === 'report' && Number.isFinite(i.lat) && Number.isFinite(i.lon))
      .map((i) => ({
        lat: /** @type {number} */ (i.lat),
        lon: /** @type {number} */ (i.lon),
        title: `${itemName(i)} (${statusText(i.kind, i.status)})`,
        message: i.message ?? '',
      }));
    mapBlock.hidden = marks.length === 0;
    mapNote.textContent = t('moderation.located', { n: marks.length });
    if (!marks.length) return;
    if (!mapView) {
      mapView = import('./moderation-map.js').then((m) => m.mountReportsMap(mapEl, t('moderation.map')));
      mapView.catch(() => {
        mapNote.textContent = t('moderation.mapUnavailable');
      });
    }
    const drawn = page;
    mapView.then((v) => {
      if (page === drawn && root.isConnected) v.draw(marks, t('moderation.map'));
    }, () => {});
  };

  /** The page as loaded, in the current language. */
  const render = () => {
    renderCounts();
    list.replaceChildren(...page.items.map(itemView));
    empty.hidden = page.items.length > 0;
    empty.textContent = t('moderation.none');
    range.textContent = page.total ? t('moderation.range', { from: offset + 1, to: offset + page.items.length, total: page.total }) : '';
    previous.disabled = offset === 0;
    next.disabled = offset + page.items.length >= page.total;
    syncSelectAll();
    geojsonLink.setAttribute('href', exportUrl('geojson', filters));
    csvLink.setAttribute('href', exportUrl('csv', filters));
    renderMap();
  };

  /**
   * Loads the page of the filters and offset; `focus`: the id of the item whose heading
   * takes the focus (the list's heading when it left the page; '' for the list's heading).
   * @param {{ focus?: string }} [opts]
   */
  async function load({ focus } = {}) {
    const mine = ++loads;
    list.setAttribute('aria-busy', 'true');
    try {
      const answer = await listQueue(filters, PAGE_SIZE, offset);
      if (mine !== loads) return;
      page = answer;
      for (const id of selected) if (!page.items.some((i) => i.id === id)) selected.delete(id);
      render();
      if (focus !== undefined) {
        const heading = /** @type {HTMLElement | null} */ (list.querySelector(`li[data-id="${CSS.escape(focus)}"] h4`));
        (focus && heading ? heading : listTitle).focus();
      }
    } catch (err) {
      if (mine === loads) alertIn(alertSlot, () => describe(err));
    } finally {
      if (mine === loads) list.removeAttribute('aria-busy');
    }
  }

  const unsubscribe = onLangChange(() => {
    if (!root.isConnected) {
      unsubscribe();
      mapView?.then((v) => v.destroy(), () => {});
      return;
    }
    if (said) status.textContent = said();
    render();
  });

  root.append(
    tr('h2', { id: headingId }, 'moderation.title'),
    alertSlot,
    status,
    tr('h3', { id: countsId }, 'moderation.counts'),
    h('div', { role: 'group', 'aria-labelledby': countsId }, chips),
    form,
    exports,
    listTitle,
    bulk,
    list,
    empty,
    pager,
    mapBlock,
  );
  load();
  listCircuits('').then(
    (rows) => circuits.replaceChildren(...rows.map((c) => h('option', { value: c.id }, c.name))),
    () => {},
  );
  return root;
}
