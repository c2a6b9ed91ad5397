// The page's side of the outbox (outbox.js): submitting a contribution, the panel that
// shows what waits to be sent and the walker's trail reports, and when to try again
// (app start, the network's return as network.js sees it, the `online` event, the service
// worker's Background Sync having sent something).
import { getReportStatus } from './api.js';
import { h, uid } from './dom.js';
import { formatDateTime } from './format.js';
import { t } from './i18n.js';
import { isOffline, onNetworkChange, trackedFetch } from './network.js';
import { dismissNotice, enqueue, flushOutbox, pendingNotices, queuedItems, savedReports, SYNC_TAG } from './outbox.js';

const DEVICE_KEY = 'balade.device';

/** The random id this device sends as X-Balade-Device (per-device rate limits), kept in localStorage. */
export function deviceId() {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    // Private mode without storage: one id for this page.
    return (fallbackDevice ??= Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''));
  }
}
/** @type {string|undefined} */
let fallbackDevice;

// --- The panel (mounted once by startOutbox, before <main>) ------------------------------

const live = h('p', { class: 'outbox__live', role: 'status' });
const waitingTitle = h('h2', { id: uid('outbox') });
const waitingList = h('ul', { class: 'outbox__list' });
const sendNow = h('button', { type: 'button', class: 'button button--small button--secondary', onclick: () => flush() });
const waiting = h('section', { class: 'outbox__waiting', 'aria-labelledby': waitingTitle.id, hidden: true }, waitingTitle, waitingList, sendNow);
const notices = h('div', { class: 'outbox__notices' });
const reportsSummary = h('summary');
const reportsList = h('ul', { class: 'outbox__reports' });
const reports = h('details', { class: 'outbox__mine', hidden: true }, reportsSummary, reportsList);
const panel = h('aside', { class: 'outbox', 'aria-label': '' }, live, waiting, notices, reports);
reports.addEventListener('toggle', () => {
  if (reports.open) refreshReportStatuses();
});

/** Says `text` in the panel's live region (the same text twice is said twice). @param {string} text */
function announce(text) {
  live.textContent = '';
  clearTimeout(announceTimer);
  // A tick later: screen readers announce a change, not a text set again. The toast then
  // goes away, so as not to cover the page.
  announceTimer = setTimeout(() => {
    live.textContent = text;
    announceTimer = setTimeout(() => {
      live.textContent = '';
    }, ANNOUNCE_MS);
  }, 50);
}
/** How long the toast stays. */
const ANNOUNCE_MS = 12_000;
/** @type {ReturnType<typeof setTimeout>|undefined} */
let announceTimer;

/** @param {import('./outbox.js').OutboxKind} kind */
const kindLabel = (kind) => t(`outbox.kind.${kind}`);

/** The panel from what IndexedDB holds now. */
export async function renderPanel() {
  panel.setAttribute('aria-label', t('outbox.panel'));
  sendNow.textContent = t('outbox.sendNow');
  let items = [];
  let refused = [];
  let mine = [];
  try {
    [items, refused, mine] = await Promise.all([queuedItems(), pendingNotices(), savedReports()]);
  } catch (err) {
    console.warn('outbox unreadable', err);
  }
  waitingTitle.textContent = t('outbox.waiting', { n: items.length });
  waiting.hidden = items.length === 0;
  waitingList.replaceChildren(
    ...items.map((item) =>
      h('li', {}, `${kindLabel(item.kind)} — ${item.label} — `, h('time', { datetime: item.createdAt }, formatDateTime(item.createdAt))),
    ),
  );
  notices.replaceChildren(
    ...refused.map((n) =>
      h(
        'p',
        { class: 'notice notice--error' },
        t('outbox.refused', { kind: kindLabel(n.kind), label: n.label, msg: n.message }),
        ' ',
        h(
          'button',
          { type: 'button', class: 'button button--small', onclick: () => dismissNotice(n.key).then(renderPanel) },
          t('outbox.dismiss'),
        ),
      ),
    ),
  );
  reports.hidden = mine.length === 0;
  reportsSummary.textContent = t('outbox.mine', { n: mine.length });
  const known = new Map([...reportsList.querySelectorAll('li')].map((li) => [li.getAttribute('data-id'), li]));
  reportsList.replaceChildren(
    ...mine.map((r) => {
      const li = known.get(r.id) ?? h('li', { 'data-id': r.id, 'data-follow': r.follow }, h('span', { class: 'outbox__report' }), h('span', { class: 'outbox__status' }));
      /** @type {HTMLElement} */ (li.firstChild).textContent = `${t(`report.cat.${r.category}`)} — ${r.label} — ${formatDateTime(r.createdAt)} : `;
      return li;
    }),
  );
  if (reports.open) refreshReportStatuses();
}

/** Each saved report's status, from its follow link (online only). */
async function refreshReportStatuses() {
  if (isOffline()) return;
  for (const li of reportsList.querySelectorAll('li')) {
    const statusEl = /** @type {HTMLElement} */ (li.lastChild);
    try {
      const report = await getReportStatus(li.getAttribute('data-follow') ?? '');
      statusEl.textContent = t(`report.status.${report.status}`);
    } catch (err) {
      statusEl.textContent = t('report.statusUnknown');
    }
  }
}

// --- Sending -----------------------------------------------------------------------------

const SENT_KEYS = { review: 'outbox.sent.review', flag: 'outbox.sent.flag', report: 'outbox.sent.report', correction: 'outbox.sent.correction' };

/** Tries to send what waits, and tells the walker what happened. */
export async function flush() {
  let result;
  try {
    result = await flushOutbox({ base: document.baseURI, fetchFn: trackedFetch });
  } catch (err) {
    console.warn('outbox flush failed', err);
    return null;
  }
  await renderPanel();
  const last = result.rejected.at(-1);
  if (last) announce(t('outbox.refused', { kind: kindLabel(last.item.kind), label: last.item.label, msg: last.message }));
  else if (result.sent.length === 1) announce(t(SENT_KEYS[result.sent[0].item.kind]));
  else if (result.sent.length > 1) announce(t('outbox.sentMany', { n: result.sent.length }));
  return result;
}

/** Asks the service worker to send the outbox when the network is back (Background Sync). */
async function registerSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    if (registration && 'sync' in registration) {
      await /** @type {any} */ (registration).sync.register(SYNC_TAG);
    }
  } catch {
    // No Background Sync (or refused): the page's own triggers remain.
  }
}

/**
 * Stores a contribution on the device, then sends it unless the app knows it is offline.
 * Resolves once it is stored; what became of it is said in the panel's live region.
 * @param {Omit<import('./outbox.js').OutboxItem, 'key'|'createdAt'|'attempts'|'device'>} what
 */
export async function submitContribution(what) {
  await enqueue({ ...what, device: deviceId() });
  await renderPanel();
  registerSync();
  const result = isOffline() ? null : await flush();
  if (!result || result.unreachable || result.left > 0) {
    announce(t('outbox.savedOffline'));
  }
}

let started = false;

/** Mounts the panel before `main` and sets the retry triggers; sends what waits. @param {HTMLElement} main */
export function startOutbox(main) {
  if (started) return;
  started = true;
  main.before(panel);
  renderPanel();
  window.addEventListener('online', () => flush());
  onNetworkChange((offline) => {
    if (!offline) flush();
  });
  // The service worker sent things (Background Sync): show the new state.
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type !== 'balade-outbox') return;
    renderPanel();
    if (event.data.sent > 0) announce(t('outbox.sentMany', { n: event.data.sent }));
  });
  flush();
}
