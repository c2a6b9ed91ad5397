// The back-office's "Imports" section: upload a file, follow its analysis, read and trim
// the plan, commit it; below, the latest jobs. Nothing is written before "Commit": the
// plan is the server's, the choices (records left out, deletions ticked) stay here until
// then, across pages and filters. Deletions happen only when ticked.
//
// Fixed texts carry `data-i18n` (the page translates them); texts made of figures and
// names are kept as functions here and made again on a change of language.
import { h, uid } from '../dom.js';
import { formatDateTime } from '../format.js';
import { onLangChange, t } from '../i18n.js';
import { ImportError, KINDS, RECORD_KINDS, commit, getJob, listJobs, planRecords, reportUrl, upload } from './imports-api.js';
import { planMap } from './plan-map.js';

/** @typedef {import('./imports-api.js').Job} Job */
/** @typedef {import('./imports-api.js').PlanRecord} PlanRecord */
/** @typedef {import('./imports-api.js').Change} Change */

const POLL_MS = 500;
const PAGE_SIZE = 50;
/** Page size when reading every record of a filter at once (the server's maximum). */
const ALL_PAGE = 500;
const COUNTS = /** @type {const} */ (['create', 'update', 'unchanged', 'delete', 'rejected']);
/** Statuses the plan lists (unchanged records are only counted). */
const LISTED = ['create', 'update', 'delete', 'rejected'];

/** @param {string} tag @param {Record<string, any>} attrs @param {string} key */
const tr = (tag, attrs, key) => h(tag, { ...attrs, 'data-i18n': key }, t(key));

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What to tell of a failed call. @param {unknown} err */
function describe(err) {
  if (!(err instanceof ImportError)) return t('admin.failed', { reason: String(err) });
  if (err.status === 0) return t('api.unreachable');
  if (err.status === 413 && err.message.startsWith('HTTP ')) return t('imports.tooLarge');
  return t('admin.failed', { reason: err.message });
}

/** @param {string} kind */
const kindText = (kind) => (/** @type {readonly string[]} */ (KINDS).includes(kind) ? t(`imports.kind.${kind}`) : kind);
/** @param {number} unixS */
const when = (unixS) => formatDateTime(unixS * 1000);
/** A field's value as read in a diff. @param {unknown} v */
const valueText = (v) => (v === null || v === undefined || v === '' ? '–' : typeof v === 'string' ? v : JSON.stringify(v));
/** The plan's counts in one line. @param {Job} job */
const countsLine = (job) => COUNTS.map((c) => `${t(`imports.count.${c}`)} ${job.counts[c]}`).join(' · ');

/** A link to the job's CSV report; the file name in its name tells one row's from another's. @param {Job} job */
const reportLink = (job) =>
  h(
    'a',
    { href: reportUrl(job.id), download: '', class: 'imports__report' },
    tr('span', {}, 'imports.report'),
    h('span', { class: 'visually-hidden' }, ` ${job.fileName}`),
  );

/** A scrolling frame for a wide table, reachable by keyboard, named by `labelId`. @param {string} labelId */
const scroller = (labelId) => h('div', { class: 'imports__scroll', tabindex: '0', role: 'region', 'aria-labelledby': labelId });

/** The "Imports" section of the logged-in page. */
export function importsSection() {
  const headingId = uid('imports-title');
  const root = h('section', { class: 'imports', id: 'imports', 'aria-labelledby': headingId });

  /** Elements whose text is made of more than a key, with how to make it. @type {Map<Element, () => string>} */
  const texts = new Map();
  /**
   * @template {Element} E
   * @param {E} el
   * @param {() => string} fn
   */
  const setText = (el, fn) => {
    texts.set(el, fn);
    el.textContent = fn();
    return el;
  };
  /** Made again on a change of language: the tables. @type {Set<() => void>} */
  const renders = new Set();

  /**
   * An alert put in `slot` when there is something to say (an alert inserted with its text
   * is read out), removed when there is not.
   * @param {HTMLElement} slot
   */
  const alertIn = (slot) => (/** @type {(() => string) | null} */ fn) => {
    slot.replaceChildren(fn ? setText(h('div', { role: 'alert', class: 'form-alert' }), fn) : '');
  };

  // --- The upload form
  const fileId = uid('imports-file');
  const kindId = uid('imports-kind');
  const fileInput = h('input', { id: fileId, name: 'file', type: 'file', required: true });
  const kindSelect = h(
    'select',
    { id: kindId, name: 'kind' },
    tr('option', { value: '' }, 'imports.kind.detect'),
    KINDS.map((k) => tr('option', { value: k }, `imports.kind.${k}`)),
  );
  const analyse = tr('button', { type: 'submit', class: 'button' }, 'imports.analyse');
  const formAlertSlot = h('div');
  const formAlert = alertIn(formAlertSlot);
  const form = h(
    'form',
    { class: 'admin-form imports__form', method: 'post' },
    formAlertSlot,
    h('div', { class: 'field' }, tr('label', { for: fileId }, 'imports.file'), fileInput),
    h('div', { class: 'field' }, tr('label', { for: kindId }, 'imports.kind'), kindSelect),
    h('div', { class: 'admin-form__actions' }, analyse),
  );

  const jobArea = h('div', { class: 'imports__job' });
  const historyId = uid('imports-history');
  const historyArea = h('div');

  /** Each job shown replaces the previous one: a stale answer is dropped by its number. */
  let shown = 0;
  /** Lets go of the plan's map (if one is shown) when the plan is replaced. */
  let closePlan = () => {};

  /** @param {Job} job */
  const showJob = (job) => {
    closePlan();
    shown += 1;
    renders.clear();
    renders.add(renderHistory);
    if (job.status === 'queued' || job.status === 'running') follow(job, shown);
    else if (job.status === 'planned') showPlan(job, shown);
    else if (job.status === 'committed') showCommitted(job);
    else showFailed(job);
  };

  /** Live progress until the plan is made (or fails). @param {Job} job @param {number} token */
  const follow = async (job, token) => {
    const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'imports__progress' });
    let read = job.progress;
    setText(status, () => t('imports.progress', { n: read }));
    const alertSlot = h('div');
    jobArea.replaceChildren(setText(h('h3', { tabindex: '-1' }), () => job.fileName), status, alertSlot);
    let current = job;
    while (current.status === 'queued' || current.status === 'running') {
      await sleep(POLL_MS);
      if (token !== shown || !root.isConnected) return;
      try {
        current = await getJob(current.id);
      } catch (err) {
        if (token === shown) alertIn(alertSlot)(() => describe(err));
        return;
      }
      if (token !== shown) return;
      read = current.progress;
      setText(status, () => t('imports.progress', { n: read }));
    }
    showJob(current);
    refreshHistory();
  };

  /** @param {Job} job */
  const showFailed = (job) => {
    const alertSlot = h('div');
    jobArea.replaceChildren(setText(h('h3', {}), () => job.fileName), alertSlot);
    alertIn(alertSlot)(() => t('imports.failedJob', { reason: job.error ?? '' }));
  };

  /** The counts of a plan. @param {Job} job */
  const countsList = (job) =>
    h(
      'ul',
      { class: 'imports__counts' },
      COUNTS.map((c) => h('li', {}, tr('span', { class: 'imports__count-label' }, `imports.count.${c}`), ' ', h('strong', {}, String(job.counts[c])))),
    );

  /** @param {Job} job */
  const showCommitted = (job) => {
    const heading = setText(h('h3', { tabindex: '-1' }), () => job.fileName);
    const said = setText(h('p', { class: 'imports__done' }), () =>
      t('imports.committed', { who: job.committedBy ?? '', when: job.committedAt ? when(job.committedAt) : '–' }),
    );
    jobArea.replaceChildren(heading, said, countsList(job), h('p', {}, reportLink(job)));
    return heading;
  };

  /** The plan: counts, filters, records page by page, the choices, commit. @param {Job} job @param {number} token */
  const showPlan = (job, token) => {
    /** Keys of creates and updates left out. */
    const excluded = new Set();
    /** Keys of vanished records to delete. */
    const deleted = new Set();
    /** Kept edits to drop for the source's value: field names by record key. @type {Map<string, Set<string>>} */
    const takeSource = new Map();
    let filter = { status: '', kind: '', q: '', commune: '' };
    let offset = 0;
    /** @type {{ total: number, records: PlanRecord[] }} */
    let page = { total: 0, records: [] };

    const heading = setText(h('h3', { tabindex: '-1' }), () => t('imports.planOf', { file: job.fileName }));
    const ids = { status: uid('plan-status'), kind: uid('plan-kind'), q: uid('plan-q'), commune: uid('plan-commune'), table: uid('plan-table') };
    const statusSelect = h(
      'select',
      { id: ids.status, name: 'status' },
      tr('option', { value: '' }, 'imports.filter.all'),
      LISTED.map((s) => tr('option', { value: s }, `imports.status.${s}`)),
    );
    const recordKindSelect = h(
      'select',
      { id: ids.kind, name: 'kind' },
      tr('option', { value: '' }, 'imports.filter.all'),
      RECORD_KINDS.map((k) => tr('option', { value: k }, `imports.recordKind.${k}`)),
    );
    const qInput = h('input', { id: ids.q, name: 'q', type: 'search' });
    const communeInput = h('input', { id: ids.commune, name: 'commune', type: 'text' });
    const filters = h(
      'form',
      { class: 'filters imports__filters', role: 'search' },
      h(
        'div',
        { class: 'filters__grid' },
        h('div', { class: 'field' }, tr('label', { for: ids.status }, 'imports.filter.status'), statusSelect),
        h('div', { class: 'field' }, tr('label', { for: ids.kind }, 'imports.filter.recordKind'), recordKindSelect),
        h('div', { class: 'field' }, tr('label', { for: ids.q }, 'imports.filter.q'), qInput),
        h('div', { class: 'field' }, tr('label', { for: ids.commune }, 'imports.filter.commune'), communeInput),
        h('div', { class: 'imports__filter-go' }, tr('button', { type: 'submit', class: 'button button--secondary' }, 'imports.filter.apply')),
      ),
    );
    const applyFilter = () => {
      filter = { status: statusSelect.value, kind: recordKindSelect.value, q: qInput.value.trim(), commune: communeInput.value.trim() };
      offset = 0;
      load();
    };
    filters.addEventListener('submit', (event) => {
      event.preventDefault();
      applyFilter();
    });
    statusSelect.addEventListener('change', applyFilter);
    recordKindSelect.addEventListener('change', applyFilter);

    // --- Every create and update of the filter (as applied), all pages, left out at once
    const excludeAll = tr('button', { type: 'button', class: 'button button--secondary' }, 'imports.excludeAll');
    const excludeStatus = h('p', { role: 'status', class: 'imports__excluded' });
    const excludeAlertSlot = h('div');
    const excludeAlert = alertIn(excludeAlertSlot);
    excludeAll.addEventListener('click', async () => {
      if (excludeAll.getAttribute('aria-disabled') === 'true') return;
      excludeAll.setAttribute('aria-disabled', 'true');
      excludeAlert(null);
      const mine = token;
      try {
        /** @type {string[]} */
        const keys = [];
        for (let from = 0; ; from += ALL_PAGE) {
          const part = await planRecords(job.id, { ...filter, limit: ALL_PAGE, offset: from });
          for (const r of part.records) if (r.status === 'create' || r.status === 'update') keys.push(r.key);
          if (!part.records.length || from + part.records.length >= part.total) break;
        }
        if (mine !== shown) return;
        for (const k of keys) excluded.add(k);
        const n = keys.length;
        setText(excludeStatus, () => t('imports.excludedAll', { n }));
        renderPage();
      } catch (err) {
        if (mine === shown) excludeAlert(() => describe(err));
      } finally {
        excludeAll.removeAttribute('aria-disabled');
      }
    });

    const tableTitle = tr('h4', { id: ids.table }, 'imports.records');
    const frame = scroller(ids.table);
    const range = h('p', { class: 'imports__range', 'aria-live': 'polite' });
    const previous = tr('button', { type: 'button', class: 'button button--secondary button--small' }, 'imports.previous');
    const next = tr('button', { type: 'button', class: 'button button--secondary button--small' }, 'imports.next');
    previous.addEventListener('click', () => {
      offset = Math.max(0, offset - PAGE_SIZE);
      load();
    });
    next.addEventListener('click', () => {
      offset += PAGE_SIZE;
      load();
    });
    const loadAlertSlot = h('div');
    const loadAlert = alertIn(loadAlertSlot);
    const commitButton = tr('button', { type: 'button', class: 'button' }, 'imports.commit');
    const commitAlertSlot = h('div');
    const commitAlert = alertIn(commitAlertSlot);
    // --- The page's records on a map (plan-map.js)
    const map = planMap();
    closePlan = () => {
      map.dispose();
      closePlan = () => {};
    };

    /** A checkbox whose accessible name is its verb and the record's label. @param {string} verb @param {PlanRecord} r @param {Set<string>} set */
    const choice = (verb, r, set) => {
      const box = h('input', { type: 'checkbox', checked: set.has(r.key) });
      box.addEventListener('change', () => {
        if (box.checked) set.add(r.key);
        else set.delete(r.key);
      });
      return h('label', { class: 'imports__choice' }, box, ' ', tr('span', {}, verb), h('span', { class: 'visually-hidden' }, ` ${r.label || r.key}`));
    };

    /** "Take the source's value" for one kept edit, named with the field and the record. @param {PlanRecord} r @param {Change} c */
    const takeChoice = (r, c) => {
      const box = h('input', { type: 'checkbox', checked: takeSource.get(r.key)?.has(c.field) ?? false });
      box.addEventListener('change', () => {
        const fields = takeSource.get(r.key) ?? new Set();
        if (box.checked) fields.add(c.field);
        else fields.delete(c.field);
        if (fields.size) takeSource.set(r.key, fields);
        else takeSource.delete(r.key);
      });
      return h(
        'label',
        { class: 'imports__choice imports__take' },
        box,
        ' ',
        h('span', {}, t('imports.takeSource', { field: c.field })),
        h('span', { class: 'visually-hidden' }, ` ${r.label || r.key}`),
      );
    };

    /** @param {Change} c @param {PlanRecord | null} keptOf the record, when the line is a kept edit */
    const diff = (c, keptOf) =>
      h(
        'li',
        {},
        h('span', { class: 'imports__field' }, c.field),
        t('imports.fieldSep'),
        h('span', { class: 'imports__before' }, valueText(c.before)),
        ' → ',
        h('span', { class: 'imports__after' }, valueText(c.after)),
        keptOf ? h('span', { class: 'imports__kept' }, ` (${t('imports.kept')})`) : null,
        keptOf ? takeChoice(keptOf, c) : null,
      );

    /** @param {PlanRecord} r */
    const detail = (r) => {
      switch (r.status) {
        case 'update':
          return h('ul', { class: 'imports__diff' }, r.changes.map((c) => diff(c, null)), r.kept.map((c) => diff(c, r)));
        case 'unchanged':
          // Listed only for an edit the source contradicts: the edit is kept.
          return r.kept.length ? h('ul', { class: 'imports__diff' }, r.kept.map((c) => diff(c, r))) : '';
        case 'create':
          return t('imports.new');
        case 'delete':
          return t('imports.gone');
        case 'rejected':
          return t('imports.rejection', { line: r.line ?? '–', column: r.column ?? '–', field: r.field ?? '–', reason: r.reason ?? '' });
        default:
          return '';
      }
    };

    /** @param {PlanRecord} r */
    const row = (r) =>
      h(
        'tr',
        { class: `imports__row imports__row--${r.status}`, 'data-key': r.key },
        h('td', {}, t(`imports.status.${r.status}`)),
        h('th', { scope: 'row' }, h('span', { class: 'imports__label' }, r.label || r.key), h('span', { class: 'imports__key' }, r.key)),
        h('td', {}, r.commune ?? ''),
        h('td', {}, detail(r)),
        h(
          'td',
          {},
          r.status === 'create' || r.status === 'update' ? choice('imports.exclude', r, excluded) : null,
          r.status === 'delete' ? choice('imports.delete', r, deleted) : null,
        ),
      );

    const renderPage = () => {
      if (!page.records.length) {
        frame.replaceChildren(h('p', { class: 'imports__empty' }, t('imports.noRecords')));
      } else {
        frame.replaceChildren(
          h(
            'table',
            { class: 'imports__table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['status', 'record', 'commune', 'detail', 'choice'].map((c) => h('th', { scope: 'col' }, t(`imports.col.${c}`))),
              ),
            ),
            h('tbody', {}, page.records.map(row)),
          ),
        );
      }
      const from = page.total ? offset + 1 : 0;
      const to = offset + page.records.length;
      range.textContent = t('imports.range', { from, to, total: page.total });
      previous.disabled = offset === 0;
      next.disabled = to >= page.total;
      map.show(page.records);
    };

    let loads = 0;
    const load = async () => {
      loads += 1;
      const mine = loads;
      frame.setAttribute('aria-busy', 'true');
      try {
        const answer = await planRecords(job.id, { ...filter, limit: PAGE_SIZE, offset });
        if (mine !== loads || token !== shown) return;
        page = answer;
        loadAlert(null);
        renderPage();
      } catch (err) {
        if (mine === loads && token === shown) loadAlert(() => describe(err));
      } finally {
        if (mine === loads) frame.removeAttribute('aria-busy');
      }
    };

    commitButton.addEventListener('click', async () => {
      if (commitButton.getAttribute('aria-disabled') === 'true') return;
      commitButton.setAttribute('aria-disabled', 'true');
      commitAlert(null);
      try {
        const take = [...takeSource].flatMap(([key, fields]) => [...fields].map((field) => ({ key, field })));
        const done = await commit(job.id, [...excluded], [...deleted], take);
        if (token !== shown) return;
        closePlan();
        shown += 1;
        renders.clear();
        renders.add(renderHistory);
        showCommitted(done).focus();
        refreshHistory();
      } catch (err) {
        commitAlert(() => describe(err));
        commitButton.removeAttribute('aria-disabled');
      }
    });

    jobArea.replaceChildren(
      heading,
      countsList(job),
      filters,
      h('div', { class: 'imports__bulk' }, excludeAll, excludeStatus),
      excludeAlertSlot,
      tableTitle,
      loadAlertSlot,
      frame,
      h('div', { class: 'imports__paging' }, previous, range, next),
      map.el,
      commitAlertSlot,
      h('div', { class: 'imports__commit' }, commitButton, ' ', reportLink(job)),
    );
    renders.add(renderPage);
    load();
    return heading;
  };

  /** @type {Job[]} */
  let jobs = [];
  let historyLoaded = false;
  const historyAlertSlot = h('div');
  const historyAlert = alertIn(historyAlertSlot);

  /** @param {Job} job */
  const historyRow = (job) => {
    const open =
      job.status === 'planned' || job.status === 'queued' || job.status === 'running'
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button--secondary button--small',
              onclick: () => {
                showJob(job);
                /** @type {HTMLElement | null} */ (jobArea.querySelector('h3'))?.focus();
              },
            },
            tr('span', {}, 'imports.open'),
            h('span', { class: 'visually-hidden' }, ` ${job.fileName}`),
          )
        : null;
    return h(
      'tr',
      { 'data-job': job.id },
      h('th', { scope: 'row', class: 'imports__file' }, job.fileName),
      h('td', {}, kindText(job.kind)),
      h('td', { class: 'imports__who' }, job.createdBy),
      h('td', {}, when(job.createdAt)),
      h('td', {}, t(`imports.job.${job.status}`)),
      h('td', {}, job.status === 'planned' || job.status === 'committed' ? countsLine(job) : job.error ?? ''),
      h('td', {}, open, job.status === 'planned' || job.status === 'committed' ? [' ', reportLink(job)] : null),
    );
  };

  function renderHistory() {
    if (!historyLoaded) return;
    if (!jobs.length) {
      historyArea.replaceChildren(h('p', { class: 'imports__empty' }, t('imports.noJobs')));
      return;
    }
    const frame = scroller(historyId);
    frame.append(
      h(
        'table',
        { class: 'imports__table imports__history' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['file', 'kind', 'who', 'when', 'status', 'counts'].map((c) => h('th', { scope: 'col' }, t(`imports.col.${c}`))),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('imports.col.choice'))),
          ),
        ),
        h('tbody', {}, jobs.map(historyRow)),
      ),
    );
    historyArea.replaceChildren(frame);
  }

  async function refreshHistory() {
    try {
      jobs = await listJobs();
      historyLoaded = true;
      historyAlert(null);
      renderHistory();
    } catch (err) {
      historyAlert(() => describe(err));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const file = fileInput.files?.[0];
    if (!file) {
      formAlert(() => t('imports.noFile'));
      fileInput.focus();
      return;
    }
    form.setAttribute('aria-busy', 'true');
    analyse.setAttribute('aria-disabled', 'true');
    formAlert(null);
    try {
      const job = await upload(file, kindSelect.value);
      showJob(job);
      refreshHistory();
    } catch (err) {
      formAlert(() => describe(err));
    } finally {
      form.removeAttribute('aria-busy');
      analyse.removeAttribute('aria-disabled');
    }
  });

  const unsubscribe = onLangChange(() => {
    if (!root.isConnected) {
      unsubscribe();
      return;
    }
    for (const [el, fn] of texts) {
      if (el.isConnected) el.textContent = fn();
      else texts.delete(el);
    }
    for (const render of renders) render();
  });
  renders.add(renderHistory);

  root.append(
    tr('h2', { id: headingId }, 'imports.title'),
    form,
    jobArea,
    tr('h3', { id: historyId }, 'imports.history'),
    historyAlertSlot,
    historyArea,
  );
  refreshHistory();
  return root;
}
