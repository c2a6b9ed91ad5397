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
import { ImportError, KINDS, commit, getJob, listJobs, planRecords, upload } from './imports-api.js';
import { planMap } from './plan-map.js';

/** @typedef {import('./imports-api.js').Job} Job */
/** @typedef {import('./imports-api.js').PlanRecord} PlanRecord */
/** @typedef {import('./imports-api.js').Change} Change */

const POLL_MS = 500;
const PAGE_SIZE = 50;
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
    jobArea.replaceChildren(heading, said, countsList(job));
    return heading;
  };

  /** The plan: counts, filters, records page by page, the choices, commit. @param {Job} job @param {number} token */
  const showPlan = (job, token) => {
    /** Keys of creates and updates left out. */
    const excluded = new Set();
    /** Keys of vanished records to delete. */
    const deleted = new Set();
    let filter = { status: '', q: '', commune: '' };
    let offset = 0;
    /** @type {{ total: number, records: PlanRecord[] }} */
    let page = { total: 0, records: [] };

    const heading = setText(h('h3', { tabindex: '-1' }), () => t('imports.planOf', { file: job.fileName }));
    const ids = { status: uid('plan-status'), q: uid('plan-q'), commune: uid('plan-commune'), table: uid('plan-table') };
    const statusSelect = h(
      'select',
      { id: ids.status, name: 'status' },
      tr('option', { value: '' }, 'imports.filter.all'),
      LISTED.map((s) => tr('option', { value: s }, `imports.status.${s}`)),
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
        h('div', { class: 'field' }, tr('label', { for: ids.q }, 'imports.filter.q'), qInput),
        h('div', { class: 'field' }, tr('label', { for: ids.commune }, 'imports.filter.commune'), communeInput),
        h('div', { class: 'imports__filter-go' }, tr('button', { type: 'submit', class: 'button button--secondary' }, 'imports.filter.apply')),
      ),
    );
    const applyFilter = () => {
      filter = { status: statusSelect.value, q: qInput.value.trim(), commune: communeInput.value.trim() };
      offset = 0;
      load();
    };
    filters.addEventListener('submit', (event) => {
      event.preventDefault();
      applyFilter();
    });
    statusSelect.addEventListener('change', applyFilter);

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

    /** @param {Change} c @param {boolean} kept */
    const diff = (c, kept) =>
      h(
        'li',
        {},
        h('span', { class: 'imports__field' }, c.field),
        t('imports.fieldSep'),
        h('span', { class: 'imports__before' }, valueText(c.before)),
        ' → ',
        h('span', { class: 'imports__after' }, valueText(c.after)),
        kept ? h('span', { class: 'imports__kept' }, ` (${t('imports.kept')})`) : null,
      );

    /** @param {PlanRecord} r */
    const detail = (r) => {
      switch (r.status) {
        case 'update':
          return h('ul', { class: 'imports__diff' }, r.changes.map((c) => diff(c, false)), r.kept.map((c) => diff(c, true)));
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
        const done = await commit(job.id, [...excluded], [...deleted]);
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
      tableTitle,
      loadAlertSlot,
      frame,
      h('div', { class: 'imports__paging' }, previous, range, next),
      map.el,
      commitAlertSlot,
      h('div', { class: 'imports__commit' }, commitButton),
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
      h('td', {}, open),
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
