// Entry point: hash router (#/…), offline state, service worker.
import './style.css';
import { h } from './dom.js';
import { chooseLang, getLang, initLang, onLangChange, t } from './i18n.js';
import { isOffline, onNetworkChange } from './network.js';
import { renderPanel, startOutbox } from './outbox-ui.js';
import { initInstall } from './install.js';
import { renderList } from './views/list.js';
import { offerDownload } from './views/guide-offer.js';
import { renderOffline } from './views/offline.js';
import { startSheetRequests } from './sheet-requests.js';

// The sheet and the guide (with the map code) load when first opened: the list's first
// load ships only what it shows.
const loadSheet = () => import('./views/sheet.js');
const loadGuide = () => import('./views/guide.js');

/**
 * An element of the shell (index.html): without it the build is broken, better said at once.
 * @param {string} id
 */
function shellElement(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

/**
 * The shell's elements that carry the data attribute `name` (`data-i18n`…), with its value.
 * @param {string} name
 * @returns {Array<[HTMLElement, string]>}
 */
function marked(name) {
  const els = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(`[${name}]`));
  return Array.from(els, (el) => [el, el.getAttribute(name) ?? '']);
}

const main = shellElement('main');
const langSelect = /** @type {HTMLSelectElement | null} */ (document.getElementById('lang-select'));
const offlineBanner = shellElement('offline-banner');
const updateBanner = shellElement('update-banner');
const guideOfferSlot = shellElement('guide-offer');

/** @type {(() => void) | null} the current view's, called before the next one */
let cleanup = null;
let firstRoute = true;
let pendingFocus = false;
let lastListHash = '#/';
let routeCount = 0;

/** What every view gets from the router. */
const ctx = {
  /** @param {string} title */
  setTitle(title) {
    document.title = title ? `${title} — Balade` : 'Balade';
  },
  listHash: () => lastListHash,
  /** @param {string} hash */
  rememberListHash(hash) {
    lastListHash = hash || '#/';
  },
  /** Moves focus to the page heading after a navigation (not on first load). */
  focusHeading() {
    if (!pendingFocus) return;
    const heading = main.querySelector('h1');
    if (heading) {
      pendingFocus = false;
      heading.focus({ preventScroll: true });
    }
  },
};

/** Splits the hash: "#/circuits/x?a=b" → { path: '/circuits/x', query }. @param {string} hash */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/';
  const i = raw.indexOf('?');
  const path = i >= 0 ? raw.slice(0, i) : raw;
  const query = new URLSearchParams(i >= 0 ? raw.slice(i + 1) : '');
  return { path: path.startsWith('/') ? path : `/${path}`, query };
}

/** @param {string} path */
function setCurrentNav(path) {
  for (const [link, nav] of marked('data-nav')) {
    const current = nav === '/' ? path === '/' : path.startsWith(nav);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function renderNotFound() {
  ctx.setTitle(t('app.notFoundTitle'));
  main.append(
    h(
      'div',
      { class: 'page page--message' },
      h('h1', { tabindex: '-1' }, t('app.notFoundTitle')),
      h('p', {}, t('app.notFoundText')),
      h('p', {}, h('a', { href: '#/' }, t('app.seeList'))),
    ),
  );
}

/** The shell's texts (index.html: data-i18n, data-i18n-aria-label, data-i18n-content) and <html lang>. */
function applyShellTexts() {
  document.documentElement.lang = getLang();
  for (const [el, key] of marked('data-i18n')) el.textContent = t(key);
  for (const [el, key] of marked('data-i18n-aria-label')) el.setAttribute('aria-label', t(key));
  for (const [el, key] of marked('data-i18n-content')) el.setAttribute('content', t(key));
  if (langSelect) langSelect.value = getLang();
}

/** Re-renders the current view (`keepFocus`: no move of focus to the heading). */
function route({ keepFocus = false } = {}) {
  try {
    cleanup?.();
  } catch (err) {
    console.error(err);
  }
  cleanup = null;
  routeCount += 1;
  main.replaceChildren();
  pendingFocus = !firstRoute && !keepFocus;
  firstRoute = false;
  if (pendingFocus) window.scrollTo(0, 0);

  const { path, query } = parseHash(location.hash);
  setCurrentNav(path);
  const sheet = path.match(/^\/circuits\/([^/]+)(\/guide)?\/?$/);
  if (path === '/') {
    cleanup = renderList(main, query, ctx);
  } else if (path === '/offline' || path === '/offline/') {
    cleanup = renderOffline(main, ctx);
  } else if (sheet) {
    let id;
    try {
      id = decodeURIComponent(sheet[1]);
    } catch {
      id = sheet[1];
    }
    const guide = Boolean(sheet[2]);
    const routeId = ++routeCount;
    /** @type {(() => void) | null} */
    let viewCleanup = null;
    const offerCleanup = guide ? offerDownload(guideOfferSlot, id) : null;
    // The sheet's requests go out with its code, not after it.
    const requestsCleanup = guide ? null : startSheetRequests(id);
    cleanup = () => {
      offerCleanup?.();
      requestsCleanup?.();
      viewCleanup?.();
      viewCleanup = () => {};
    };
    /** @type {Promise<() => () => void>} */
    const view = guide
      ? loadGuide().then((m) => () => m.renderGuide(main, id, ctx))
      : loadSheet().then((m) => () => m.renderSheet(main, id, ctx));
    view.then(
      (render) => {
        // Another route since: this view is not wanted any more.
        if (routeId !== routeCount || viewCleanup) return;
        viewCleanup = render();
        ctx.focusHeading();
      },
      (err) => {
        console.error(err);
        if (routeId === routeCount) renderNotFound();
      },
    );
  } else {
    renderNotFound();
  }
  ctx.focusHeading();
}

function updateOnlineState() {
  offlineBanner.hidden = !isOffline();
}

// The skip link must not change the hash (routing uses #/…).
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  (main.querySelector('h1') || main).focus();
});

initLang();
applyShellTexts();
// A new language: the shell's texts, then the current view again (its data in that language).
onLangChange(() => {
  applyShellTexts();
  renderPanel();
  route({ keepFocus: true });
});
langSelect?.addEventListener('change', () => chooseLang(langSelect.value));

window.addEventListener('hashchange', () => route());
onNetworkChange(updateOnlineState);
updateOnlineState();
// Contributions waiting to be sent: shown above the page, sent now if possible.
startOutbox(main);
initInstall(document.getElementById('install-button'));
route();

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // A new version took over: offer to reload (not on the first control).
    if (hadController) updateBanner.hidden = false;
  });
  updateBanner.querySelector('button')?.addEventListener('click', () => location.reload());
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch((err) => console.warn('Service worker not registered:', err));
  });
}
