// The back-office's section "Circuits and points of interest": a searchable list of every
// circuit and a paged search of every point of interest, then one record at a time (the
// circuit, or a point of interest) in a form that sends only what changed, guarded by the
// record's version; a point's position on a small map; the record's photos, and a form to
// add one; the record's audit log, each version of which can be brought back.
//
// A change that comes after someone else's (412) is not lost: the notice shows the current
// values of the fields the user changed, and the form can be reloaded on the current
// version with the user's values kept, or without them.
import './records.css';
import { h, uid } from '../dom.js';
import { getLocale, onLangChange, t } from '../i18n.js';
import {
  RecordError,
  addPhoto,
  getHistory,
  getRecord,
  listCircuitPois,
  listCircuits,
  patchRecord,
  revertRecord,
  searchPois,
} from './records-api.js';

/** @typedef {import('./records-api.js').RecordKind} RecordKind */
/** @typedef {import('./records-api.js').StaffRecord} StaffRecord */
/** @typedef {import('./records-api.js').HistoryEntry} HistoryEntry */
/** @typedef {import('./records-api.js').CircuitRow} CircuitRow */
/** @typedef {import('./records-api.js').PoiSearchRow} PoiSearchRow */
/** @typedef {import('./records-api.js').MediaItem} MediaItem */

/**
 * One editable value: where it sits in `fields`, its label's key, how it is typed.
 * @typedef {Object} FieldSpec
 * @property {string[]} path
 * @property {string} label
 * @property {'text'|'textarea'|'select'|'themes'|'lines'|'number'|'checkbox'} type
 * @property {string[]} [options]   values of a select
 * @property {string} [optionKey]   prefix of the options' label keys
 * @property {'position'|'details'|'practical'} [group]   the fieldset it is shown in
 */

const POI_KINDS = ['heritage', 'fauna', 'flora', 'landscape', 'viewpoint', 'lodging', 'food', 'practical'];

/** The texts of `practical` a circuit may have; `steps` is a list, one step a line. */
const PRACTICAL = ['access', 'parking', 'public_transport', 'best_season', 'recommendations', 'accessibility'];

/** The texts of a point's `details`; the longer ones get a text area. */
const DETAILS = ['denomination', 'period', 'dates', 'history', 'protection', 'status', 'address', 'opening_hours', 'phone', 'website', 'wheelchair'];
const LONG_DETAILS = new Set(['history']);

/** Sub-texts whose emptying takes the key away rather than keeping it empty. */
const REMOVABLE = new Set(['translations', 'details', 'practical']);

/** Records shown per page of the points' search. */
const PAGE = 20;

/** @type {Record<RecordKind, FieldSpec[]>} */
const FIELDS = {
  circuits: [
    { path: ['name'], label: 'records.name', type: 'text' },
    { path: ['summary'], label: 'records.summary', type: 'textarea' },
    { path: ['description'], label: 'records.description', type: 'textarea' },
    { path: ['translations', 'en', 'name'], label: 'records.nameEn', type: 'text' },
    { path: ['translations', 'en', 'summary'], label: 'records.summaryEn', type: 'textarea' },
    { path: ['translations', 'en', 'description'], label: 'records.descriptionEn', type: 'textarea' },
    { path: ['practice'], label: 'records.practice', type: 'select', options: ['walk', 'mtb', 'bike', 'horse'], optionKey: 'practice' },
    { path: ['difficulty'], label: 'records.difficulty', type: 'select', options: ['easy', 'medium', 'hard', 'very_hard'], optionKey: 'difficulty' },
    { path: ['themes'], label: 'records.themes', type: 'themes' },
    { path: ['published'], label: 'records.published', type: 'checkbox' },
    ...PRACTICAL.map((k) => /** @type {FieldSpec} */ ({ path: ['practical', k], label: `records.practical.${k}`, type: 'textarea', group: 'practical' })),
    { path: ['practical', 'steps'], label: 'records.practical.steps', type: 'lines', group: 'practical' },
  ],
  pois: [
    { path: ['name'], label: 'records.name', type: 'text' },
    { path: ['description'], label: 'records.description', type: 'textarea' },
    { path: ['translations', 'en', 'name'], label: 'records.nameEn', type: 'text' },
    { path: ['translations', 'en', 'description'], label: 'records.descriptionEn', type: 'textarea' },
    {
      path: ['kind'],
      label: 'records.kind',
      type: 'select',
      options: POI_KINDS,
      optionKey: 'poiKind',
    },
    { path: ['published'], label: 'records.published', type: 'checkbox' },
    { path: ['lon'], label: 'records.lon', type: 'number', group: 'position' },
    { path: ['lat'], label: 'records.lat', type: 'number', group: 'position' },
    ...DETAILS.map((k) =>
      /** @type {FieldSpec} */ ({ path: ['details', k], label: `records.details.${k}`, type: LONG_DETAILS.has(k) ? 'textarea' : 'text', group: 'details' }),
    ),
  ],
};

/**
 * Texts made of more than a key, by element (marked `data-records-text`): made again on a
 * change of language, as the page's own `data-i18n` texts are.
 * @type {WeakMap<Element, () => string>}
 */
const texts = new WeakMap();
onLangChange(() => {
  for (const el of document.querySelectorAll('[data-records-text]')) el.textContent = texts.get(el)?.() ?? '';
  // Names given by `aria-label` (the map), which `data-i18n` does not reach.
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-records-label]'))) {
    el.setAttribute('aria-label', t(el.dataset.recordsLabel ?? ''));
  }
});

/** `el` shows `text()`, kept in the current language; null empties it. @param {Element} el @param {(() => string) | null} text */
function say(el, text) {
  if (text) {
    texts.set(el, text);
    el.setAttribute('data-records-text', '');
  } else {
    texts.delete(el);
    el.removeAttribute('data-records-text');
  }
  el.textContent = text ? text() : '';
  return el;
}

/** An element whose text is the translation of `key`. @param {string} tag @param {Record<string, any>} attrs @param {string} key */
const tr = (tag, attrs, key) => h(tag, { ...attrs, 'data-i18n': key }, t(key));

/** @param {any} obj @param {string[]} path */
function getAt(obj, path) {
  return path.reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
}

/** Sets `value` at `path` in `obj`, making the objects on the way. @param {Record<string, any>} obj @param {string[]} path @param {any} value */
function setAt(obj, path, value) {
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k] ??= {};
  o[path[path.length - 1]] = value;
}

/** A value as the notices show it. @param {any} v */
function display(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return t(v ? 'records.yes' : 'records.no');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** What to tell of a failed call. @param {unknown} err */
function describe(err) {
  if (err instanceof RecordError) {
    if (err.status === 0) return t('api.unreachable');
    if (err.status === 403) return t('records.forbidden', { reason: err.message });
    return t('admin.failed', { reason: err.message });
  }
  return t('admin.failed', { reason: String(err) });
}

/**
 * One field's control, bound to its spec: `read()` the value as the record would hold it,
 * `write(v)` shows a value.
 * @param {FieldSpec} spec
 * @param {StaffRecord} record
 */
function fieldControl(spec, record) {
  const id = uid('record-field');
  /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */
  let control;
  if (spec.type === 'textarea' || spec.type === 'lines') control = h('textarea', { id, rows: spec.group ? '2' : '4' });
  else if (spec.type === 'select') {
    control = h('select', { id }, (spec.options ?? []).map((o) => tr('option', { value: o }, `${spec.optionKey}.${o}`)));
  } else if (spec.type === 'number') control = h('input', { id, type: 'number', step: 'any', inputmode: 'decimal' });
  else if (spec.type === 'checkbox') control = h('input', { id, type: 'checkbox' });
  else control = h('input', { id, type: 'text' });

  const read = () => {
    if (control instanceof HTMLInputElement && spec.type === 'checkbox') return control.checked;
    if (spec.type === 'number') return control.value.trim() === '' ? null : Number(control.value);
    if (spec.type === 'themes') return control.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (spec.type === 'lines') return control.value.split('\n').map((s) => s.trim()).filter(Boolean);
    return control.value;
  };
  const write = (/** @type {any} */ v) => {
    if (control instanceof HTMLInputElement && spec.type === 'checkbox') control.checked = Boolean(v);
    else if (spec.type === 'themes') control.value = Array.isArray(v) ? v.join(', ') : '';
    else if (spec.type === 'lines') control.value = Array.isArray(v) ? v.join('\n') : '';
    else control.value = v === null || v === undefined ? '' : String(v);
  };
  write(getAt(record.fields, spec.path));

  const edited = getAt(record.edited, spec.path) !== undefined;
  const markId = uid('record-edited');
  if (edited) control.setAttribute('aria-describedby', markId);
  const mark = edited ? tr('span', { id: markId, class: 'record-field__edited' }, 'records.edited') : null;
  const label = tr('label', { for: id }, spec.label);
  const el =
    spec.type === 'checkbox'
      ? h('div', { class: 'field field--check' }, control, label, mark)
      : h('div', { class: 'field' }, label, control, mark);
  return { spec, el, read, write, control };
}

/** The value to send for a field, or undefined when unchanged. @param {FieldSpec} spec @param {any} value @param {any} before */
function changeOf(spec, value, before) {
  if (spec.type === 'themes') return JSON.stringify(value) === JSON.stringify(before ?? []) ? undefined : value;
  if (spec.type === 'lines') {
    if (JSON.stringify(value) === JSON.stringify(before ?? [])) return undefined;
    return value.length ? value : null;
  }
  if (spec.type === 'checkbox') return value === Boolean(before) ? undefined : value;
  if (spec.type === 'number') return value === (before ?? null) ? undefined : value;
  if (value === (before ?? '')) return undefined;
  // An emptied translation or sub-text is taken away rather than kept empty.
  return value === '' && REMOVABLE.has(spec.path[0]) ? null : value;
}

/**
 * The section. Who is logged in (`_staff`) does not change what is shown: the server
 * says, on saving, what a role or territory does not allow.
 * @param {import('./auth.js').Staff} _staff
 */
export function recordsSection(_staff) {
  const headingId = uid('records-title');
  const searchId = uid('records-search');
  const search = h('input', { id: searchId, type: 'search', name: 'q', autocomplete: 'off' });
  const list = h('ul', { class: 'records-list' });
  const listMessage = h('p', { class: 'records-list__message' });
  const panel = h('div', { class: 'records-panel' });

  async function refreshList() {
    say(listMessage, () => t('common.loading'));
    listMessage.removeAttribute('role');
    try {
      const circuits = await listCircuits(search.value.trim());
      list.replaceChildren(...circuits.map(circuitItem));
      say(listMessage, circuits.length ? null : () => t('records.noneFound'));
    } catch (err) {
      list.replaceChildren();
      listMessage.setAttribute('role', 'alert');
      say(listMessage, () => describe(err));
    }
  }

  /** @param {CircuitRow} c */
  function circuitItem(c) {
    return h(
      'li',
      { class: 'records-list__item' },
      h('button', { type: 'button', class: 'link-button', onclick: () => openCircuit(c) }, c.name),
      h('span', { class: 'records-list__communes' }, (c.communes ?? []).join(', ')),
      tr('span', { class: c.published ? 'records-badge' : 'records-badge records-badge--off' }, c.published ? 'records.isPublished' : 'records.notPublished'),
    );
  }

  /** @param {CircuitRow} c */
  async function openCircuit(c) {
    const pois = h('ul', { class: 'records-pois' });
    const recordBox = h('div', { class: 'records-record' });
    const poisId = uid('records-pois');
    panel.replaceChildren(
      h('h3', { tabindex: '-1' }, c.name),
      h('nav', { 'aria-labelledby': poisId }, tr('h4', { id: poisId }, 'records.pois'), pois),
      recordBox,
    );
    /** @type {HTMLElement | null} */ (panel.querySelector('h3'))?.focus();
    openRecord(recordBox, 'circuits', c.id);
    try {
      const rows = await listCircuitPois(c.id);
      pois.replaceChildren(
        h('li', {}, h('button', { type: 'button', class: 'link-button', onclick: () => openRecord(recordBox, 'circuits', c.id, true), 'data-i18n': 'records.theCircuit' }, t('records.theCircuit'))),
        ...rows.map((p) =>
          h('li', {}, h('button', { type: 'button', class: 'link-button', onclick: () => openRecord(recordBox, 'pois', p.id, true) }, p.name)),
        ),
      );
    } catch (err) {
      pois.replaceChildren(say(h('li', { role: 'alert' }), () => describe(err)));
    }
  }

  /** Opens a point found by the search, alone in the panel. @param {PoiSearchRow} p */
  function openFoundPoi(p) {
    const recordBox = h('div', { class: 'records-record' });
    panel.replaceChildren(h('h3', {}, p.name), recordBox);
    openRecord(recordBox, 'pois', p.id, true);
  }

  const form = h(
    'form',
    { class: 'records-search', role: 'search' },
    tr('label', { for: searchId }, 'records.search'),
    search,
    tr('button', { type: 'submit', class: 'button button--secondary' }, 'records.search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refreshList();
  });

  refreshList();
  return h(
    'section',
    { class: 'records', 'aria-labelledby': headingId },
    tr('h2', { id: headingId }, 'records.title'),
    form,
    listMessage,
    list,
    poiSearch(openFoundPoi),
    panel,
  );
}

/**
 * The search of every point of interest, by words of its name and by kind, one page at a
 * time; `open` is called with the point chosen.
 * @param {(p: PoiSearchRow) => void} open
 */
function poiSearch(open) {
  const headingId = uid('poi-search-title');
  const qId = uid('poi-search-q');
  const kindId = uid('poi-search-kind');
  const q = h('input', { id: qId, type: 'search', name: 'poi-q', autocomplete: 'off' });
  const kind = h(
    'select',
    { id: kindId, name: 'poi-kind' },
    tr('option', { value: '' }, 'records.allKinds'),
    POI_KINDS.map((k) => tr('option', { value: k }, `poiKind.${k}`)),
  );
  const results = h('ul', { class: 'records-list' });
  const message = h('p', { class: 'records-list__message' });
  const range = h('p', { role: 'status', class: 'records-pager__range' });
  const previous = tr('button', { type: 'button', class: 'button button--secondary' }, 'records.previous');
  const next = tr('button', { type: 'button', class: 'button button--secondary' }, 'records.next');
  const pager = h('div', { class: 'records-pager', hidden: true }, previous, next);
  /** What the last search asked, for the pages after it. */
  let query = { q: '', kind: '' };
  let offset = 0;

  /** Shows the page at `at` of the current query. @param {number} at */
  async function show(at) {
    say(message, () => t('common.loading'));
    message.removeAttribute('role');
    try {
      const { total, pois } = await searchPois({ ...query, limit: PAGE, offset: at });
      offset = at;
      results.replaceChildren(...pois.map(poiItem));
      say(message, pois.length ? null : () => t('records.noPoiFound'));
      say(range, pois.length ? () => t('records.range', { from: at + 1, to: at + pois.length, total }) : null);
      pager.hidden = total <= PAGE;
      previous.disabled = at === 0;
      next.disabled = at + pois.length >= total;
    } catch (err) {
      results.replaceChildren();
      say(range, null);
      pager.hidden = true;
      message.setAttribute('role', 'alert');
      say(message, () => describe(err));
    }
  }

  /** @param {PoiSearchRow} p */
  function poiItem(p) {
    return h(
      'li',
      { class: 'records-list__item' },
      h('button', { type: 'button', class: 'link-button', onclick: () => open(p) }, p.name),
      tr('span', { class: 'records-badge' }, `poiKind.${p.kind}`),
      h('span', { class: 'records-list__communes' }, p.commune ?? ''),
    );
  }

  previous.addEventListener('click', () => show(Math.max(0, offset - PAGE)));
  next.addEventListener('click', () => show(offset + PAGE));
  const form = h(
    'form',
    { class: 'records-search', role: 'search', 'aria-labelledby': headingId },
    h('div', { class: 'field' }, tr('label', { for: qId }, 'records.poiName'), q),
    h('div', { class: 'field' }, tr('label', { for: kindId }, 'records.poiKind'), kind),
    tr('button', { type: 'submit', class: 'button button--secondary' }, 'records.findPois'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    query = { q: q.value.trim(), kind: kind.value };
    show(0);
  });
  return h('div', { class: 'records-poi-search' }, tr('h3', { id: headingId }, 'records.poiSearch'), form, message, range, results, pager);
}

/**
 * Loads a record into `box`: its form, then its history.
 * @param {HTMLElement} box
 * @param {RecordKind} kind
 * @param {string} id
 * @param {boolean} [focus]
 */
async function openRecord(box, kind, id, focus = false) {
  box.replaceChildren(tr('p', {}, 'common.loading'));
  try {
    const record = await getRecord(kind, id);
    showRecord(box, kind, record, { focus });
  } catch (err) {
    box.replaceChildren(say(h('p', { role: 'alert' }), () => describe(err)));
  }
}

/**
 * The form of `record`, with `values` (field path → value) put in place of the record's
 * own: the user's changes carried over to a newer version.
 * @param {HTMLElement} box
 * @param {RecordKind} kind
 * @param {StaffRecord} record
 * @param {{ focus?: boolean, values?: Map<string, any>, message?: string, mediaMessage?: string }} [opts]
 */
function showRecord(box, kind, record, { focus = false, values, message, mediaMessage } = {}) {
  const controls = FIELDS[kind].map((spec) => fieldControl(spec, record));
  if (values) for (const c of controls) if (values.has(c.spec.path.join('.'))) c.write(values.get(c.spec.path.join('.')));
  const status = h('p', { role: 'status', class: 'admin-status' });
  const alert = h('div', { role: 'alert', class: 'form-alert' });
  const conflict = h('div', { class: 'records-conflict' });
  const save = tr('button', { type: 'submit', class: 'button' }, 'records.save');
  const headingKey = kind === 'circuits' ? 'records.circuit' : 'records.poi';
  const headingId = uid('record-title');
  const position = kind === 'pois' ? positionParts() : null;
  /** The fields of `group` in a fieldset of their own (the position's with its map). @param {'position'|'details'|'practical'} group */
  const fieldset = (group) => {
    const inGroup = controls.filter((c) => c.spec.group === group);
    if (!inGroup.length) return null;
    return h(
      'fieldset',
      { class: `records-group records-group--${group}` },
      tr('legend', {}, `records.group.${group}`),
      group === 'position' ? h('div', { class: 'records-group__row' }, inGroup.map((c) => c.el)) : inGroup.map((c) => c.el),
      group === 'position' ? position?.parts : null,
    );
  };
  const form = h(
    'form',
    { class: 'admin-form records-form', 'aria-labelledby': headingId },
    controls.filter((c) => !c.spec.group).map((c) => c.el),
    fieldset('position'),
    fieldset('details'),
    fieldset('practical'),
    h('div', { class: 'admin-form__actions' }, save),
  );

  /** The values the user changed and has not saved: the patch, and each by its path. */
  const unsaved = () => {
    /** @type {Record<string, any>} */
    const patch = {};
    /** @type {Map<string, any>} */
    const mine = new Map();
    for (const c of controls) {
      const value = c.read();
      const change = changeOf(c.spec, value, getAt(record.fields, c.spec.path));
      if (change === undefined) continue;
      setAt(patch, c.spec.path, change);
      mine.set(c.spec.path.join('.'), value);
    }
    return { patch, mine };
  };
  const media = mediaParts(kind, record, async (/** @type {any} */ answer, /** @type {HTMLElement} */ mediaAlert) => {
    // The photo is a new version of the record: the form moves on to it, with what the user
    // had typed and not saved kept. The server answers with the record, or with the photo alone.
    const { mine } = unsaved();
    try {
      const fresh = answer && typeof answer.etag === 'string' && answer.fields ? answer : await getRecord(kind, record.id);
      showRecord(box, kind, fresh, { values: mine, mediaMessage: 'records.photoAdded' });
    } catch (err) {
      say(mediaAlert, () => describe(err));
    }
  });
  const history = h('div', { class: 'records-history' });
  box.replaceChildren(
    h(
      'h4',
      { id: headingId, tabindex: '-1' },
      say(h('span', {}), () => t(headingKey, { name: String(record.fields.name ?? record.id) })),
    ),
    say(h('p', { class: 'records-version' }), () => t('records.version', { version: record.version })),
    status,
    alert,
    conflict,
    form,
    media.el,
    history,
  );
  if (message) say(status, () => t(message));
  if (focus) /** @type {HTMLElement | null} */ (box.querySelector('h4'))?.focus();
  if (mediaMessage) {
    say(media.status, () => t(mediaMessage));
    media.heading.focus();
  }
  if (position) {
    const lon = controls.find((c) => c.spec.path[0] === 'lon')?.control;
    const lat = controls.find((c) => c.spec.path[0] === 'lat')?.control;
    if (lon instanceof HTMLInputElement && lat instanceof HTMLInputElement) position.start(lon, lat);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const { patch, mine } = unsaved();
    say(alert, null);
    conflict.replaceChildren();
    if (!mine.size) {
      say(status, () => t('records.nothing'));
      return;
    }
    say(status, null);
    form.setAttribute('aria-busy', 'true');
    save.setAttribute('aria-disabled', 'true');
    try {
      const saved = await patchRecord(kind, record.id, record.etag, patch);
      showRecord(box, kind, saved, { message: 'records.saved' });
    } catch (err) {
      if (err instanceof RecordError && err.status === 412 && err.current) {
        showConflict(conflict, alert, kind, err.current, mine, box);
      } else {
        say(alert, () => describe(err));
      }
    } finally {
      form.removeAttribute('aria-busy');
      save.removeAttribute('aria-disabled');
    }
  });

  loadHistory(history, box, kind, record);
}

/**
 * The map of a point's position, with the hint that says how to move it: `parts` go in the
 * form, `start(lon, lat)` loads Leaflet and binds the map to the two inputs once the form is
 * in the page.
 */
function positionParts() {
  const hintId = uid('records-map-hint');
  const map = h('div', {
    class: 'records-map',
    role: 'region',
    'aria-label': t('records.mapLabel'),
    'data-records-label': 'records.mapLabel',
    'aria-describedby': hintId,
  });
  const note = h('p', { class: 'records-map__note' });
  const parts = [tr('p', { id: hintId, class: 'records-map__hint' }, 'records.mapHint'), map, note];
  const start = (/** @type {HTMLInputElement} */ lon, /** @type {HTMLInputElement} */ lat) => {
    import('./records-map.js').then(
      (m) => {
        if (map.isConnected) m.positionMap(map, note, lon, lat);
      },
      (err) => {
        note.setAttribute('role', 'alert');
        say(note, () => describe(err));
      },
    );
  };
  return { parts, start };
}

/**
 * The record's photos, videos and sounds, and the form that adds a photo; `added(answer,
 * alert)` is called with the server's answer once it took one.
 * @param {RecordKind} kind
 * @param {StaffRecord} record
 * @param {(answer: unknown, alert: HTMLElement) => void} added
 */
function mediaParts(kind, record, added) {
  const headingId = uid('media-title');
  const addId = uid('media-add');
  const ids = { file: uid('media-file'), alt: uid('media-alt'), hint: uid('media-alt-hint'), author: uid('media-author'), license: uid('media-license'), title: uid('media-title-field') };
  const items = record.media ?? [];
  const list = items.length ? h('ul', { class: 'records-media' }, items.map(mediaItem)) : tr('p', {}, 'records.noMedia');

  const file = h('input', { id: ids.file, type: 'file', name: 'photo', accept: 'image/jpeg,image/png,image/webp', required: true });
  const alt = h('input', { id: ids.alt, type: 'text', name: 'alt', required: true, 'aria-describedby': ids.hint });
  const author = h('input', { id: ids.author, type: 'text', name: 'author' });
  const license = h('input', { id: ids.license, type: 'text', name: 'license' });
  const title = h('input', { id: ids.title, type: 'text', name: 'title' });
  const status = h('p', { role: 'status', class: 'admin-status' });
  const alert = h('div', { role: 'alert', class: 'form-alert' });
  const send = tr('button', { type: 'submit', class: 'button' }, 'records.sendPhoto');
  const field = (/** @type {string} */ id, /** @type {string} */ key, /** @type {HTMLElement} */ control, /** @type {any} */ extra = null) =>
    h('div', { class: 'field' }, tr('label', { for: id }, key), control, extra);
  const form = h(
    'form',
    { class: 'admin-form records-media-form', 'aria-labelledby': addId, novalidate: true },
    tr('h6', { id: addId }, 'records.addPhoto'),
    alert,
    field(ids.file, 'records.photoFile', file),
    field(ids.alt, 'records.photoAlt', alt, tr('p', { id: ids.hint, class: 'field__hint' }, 'records.photoAltHint')),
    field(ids.title, 'records.photoTitle', title),
    field(ids.author, 'records.photoAuthor', author),
    field(ids.license, 'records.photoLicense', license),
    h('div', { class: 'admin-form__actions' }, send),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    say(status, null);
    for (const input of [file, alt]) input.removeAttribute('aria-invalid');
    const photo = file.files?.[0];
    const missing = !photo ? file : alt.value.trim() === '' ? alt : null;
    if (missing) {
      missing.setAttribute('aria-invalid', 'true');
      say(alert, () => t(missing === file ? 'records.photoMissing' : 'records.photoAltMissing'));
      missing.focus();
      return;
    }
    say(alert, null);
    const body = new FormData();
    body.append('photo', /** @type {File} */ (photo));
    body.append('alt', alt.value.trim());
    for (const [name, input] of /** @type {const} */ ([['author', author], ['license', license], ['title', title]])) {
      if (input.value.trim()) body.append(name, input.value.trim());
    }
    form.setAttribute('aria-busy', 'true');
    send.setAttribute('aria-disabled', 'true');
    let answer;
    try {
      answer = await addPhoto(kind, record.id, body);
    } catch (err) {
      say(alert, () => (err instanceof RecordError && err.status === 413 ? t('records.photoTooLarge') : describe(err)));
      return;
    } finally {
      form.removeAttribute('aria-busy');
      send.removeAttribute('aria-disabled');
    }
    added(answer, alert);
  });

  const heading = tr('h5', { id: headingId, tabindex: '-1' }, 'records.media');
  const el = h('section', { class: 'records-media-box', 'aria-labelledby': headingId }, heading, status, list, form);
  return { el, status, heading };
}

/** One photo, video or sound: a thumbnail with its alt text, or a link; its credits. @param {MediaItem} m */
function mediaItem(m) {
  const credit = (/** @type {string} */ key, /** @type {string | null | undefined} */ value) =>
    value ? say(h('p', { class: 'records-media__credit' }), () => t(key, { value })) : null;
  const shown =
    m.kind === 'photo'
      ? h('img', { class: 'records-media__thumb', src: m.url, alt: m.alt ?? '', loading: 'lazy' })
      : h('a', { href: m.url, rel: 'noopener' }, m.title || m.url);
  return h(
    'li',
    { class: 'records-media__item' },
    shown,
    h(
      'div',
      {},
      m.kind === 'photo' && m.title ? h('p', { class: 'records-media__title' }, m.title) : null,
      credit('records.mediaAlt', m.alt),
      credit('records.mediaAuthor', m.author),
      credit('records.mediaLicense', m.license),
    ),
  );
}

/**
 * The notice of a change that came too late: for each field the user changed, the current
 * value and theirs; then a way to reload on the current version, with or without theirs.
 * @param {HTMLElement} conflict
 * @param {HTMLElement} alert
 * @param {RecordKind} kind
 * @param {StaffRecord} current
 * @param {Map<string, any>} mine
 * @param {HTMLElement} box
 */
function showConflict(conflict, alert, kind, current, mine, box) {
  say(alert, () => t('records.conflict'));
  const rows = FIELDS[kind]
    .filter((spec) => mine.has(spec.path.join('.')))
    .map((spec) =>
      h(
        'tr',
        {},
        tr('th', { scope: 'row' }, spec.label),
        h('td', {}, display(getAt(current.fields, spec.path))),
        h('td', {}, display(mine.get(spec.path.join('.')))),
      ),
    );
  conflict.replaceChildren(
    h(
      'table',
      { class: 'records-table' },
      tr('caption', {}, 'records.conflictCaption'),
      h('thead', {}, h('tr', {}, tr('th', { scope: 'col' }, 'records.field'), tr('th', { scope: 'col' }, 'records.current'), tr('th', { scope: 'col' }, 'records.yours'))),
      h('tbody', {}, rows),
    ),
    h(
      'div',
      { class: 'admin-form__actions' },
      tr('button', { type: 'button', class: 'button', onclick: () => showRecord(box, kind, current, { focus: true, values: mine }) }, 'records.reapply'),
      tr('button', { type: 'button', class: 'button button--secondary', onclick: () => showRecord(box, kind, current, { focus: true }) }, 'records.reload'),
    ),
  );
}

/**
 * The record's audit log: one row per version, each with a way back to it, and one back
 * to the source's values.
 * @param {HTMLElement} el
 * @param {HTMLElement} box
 * @param {RecordKind} kind
 * @param {StaffRecord} record
 */
async function loadHistory(el, box, kind, record) {
  const headingId = uid('history-title');
  const alert = h('div', { role: 'alert', class: 'form-alert' });
  const revert = async (/** @type {number} */ version) => {
    say(alert, null);
    try {
      const back = await revertRecord(kind, record.id, version);
      showRecord(box, kind, back, { focus: true, message: 'records.reverted' });
    } catch (err) {
      say(alert, () => describe(err));
    }
  };
  el.replaceChildren(tr('h5', { id: headingId }, 'records.history'), alert);
  /** @type {HistoryEntry[]} */
  let entries;
  try {
    entries = await getHistory(kind, record.id);
  } catch (err) {
    say(alert, () => describe(err));
    return;
  }
  const when = (/** @type {number} */ at) =>
    new Intl.DateTimeFormat(getLocale(), { dateStyle: 'short', timeStyle: 'short' }).format(new Date(at * 1000));
  const changes = (/** @type {HistoryEntry} */ e) =>
    h(
      'ul',
      { class: 'records-changes' },
      e.changes.map((c) =>
        // An import's first entry for a record it made: one line, "created".
        c.field === '(record)'
          ? tr('li', {}, 'records.created')
          : h('li', {}, h('span', { class: 'records-changes__field' }, c.field), ' : ', display(c.before), ' → ', display(c.after)),
      ),
    );
  const rows = [...entries]
    .sort((a, b) => b.version - a.version)
    .map((e) =>
      h(
        'tr',
        {},
        h('td', {}, String(e.version)),
        say(h('td', {}), () => when(e.at)),
        h('td', {}, e.by),
        tr('td', {}, `records.origin.${e.origin}`),
        h('td', {}, changes(e)),
        h(
          'td',
          {},
          e.version === record.version
            ? tr('span', {}, 'records.isCurrent')
            : h(
                'button',
                { type: 'button', class: 'button button--secondary', onclick: () => revert(e.version) },
                tr('span', {}, 'records.revert'),
                // The version in the name tells one button from another to a screen reader.
                say(h('span', { class: 'visually-hidden' }), () => t('records.revertVersion', { version: e.version })),
              ),
        ),
      ),
    );
  const table = entries.length
    ? h(
        'table',
        { class: 'records-table', 'aria-labelledby': headingId },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['records.hVersion', 'records.hWhen', 'records.hWho', 'records.hOrigin', 'records.hChanges', 'records.hAction'].map((k) =>
              tr('th', { scope: 'col' }, k),
            ),
          ),
        ),
        h('tbody', {}, rows),
      )
    : tr('p', {}, 'records.noHistory');
  const toSource = record.version === 0 ? null : tr('button', { type: 'button', class: 'button button--secondary', onclick: () => revert(0) }, 'records.toSource');
  el.append(table, toSource ? h('div', { class: 'admin-form__actions' }, toSource) : '');
}
