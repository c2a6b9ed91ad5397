// The open-data page (`/donnees`, `/data`): the exports the server publishes
// (`GET /api/v1/exports`), each with its download link, size and date, the licence, and
// the filters every export URL takes. Same language choice as the walkers' app.
import './style.css';
import { h } from './dom.js';
import { formatBytes } from './format.js';
import { chooseLang, getLang, getLocale, initLang, onLangChange, t } from './i18n.js';

/**
 * @typedef {{ format: string, url: string, media_type: string, bytes: number, modified: string, etag: string }} Export
 * @typedef {{ licence: { name: string, url: string }, exports: Export[], filters: string[] }} Catalogue
 */

/** The example of a filtered export the page shows. */
const EXAMPLE = '/api/v1/exports/geojson?commune=77379';

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const langSelect = /** @type {HTMLSelectElement | null} */ (document.getElementById('lang-select'));

/** @type {Catalogue | null} */
let catalogue = null;
/** @type {string | null} */
let failure = null;

/** The human name of an export format (its tag when unknown). @param {string} format */
function formatName(format) {
  const key = `data.format.${format}`;
  const text = t(key);
  return text === key ? format : text;
}

/** An HTTP date in the page's language: « 4 décembre 2026 ». @param {string} httpDate */
function formatDay(httpDate) {
  const d = new Date(httpDate);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleDateString(getLocale(), { day: 'numeric', month: 'long', year: 'numeric' });
}

/** @param {Catalogue} data */
function table(data) {
  return h(
    'table',
    { class: 'data-table' },
    h('caption', {}, t('data.caption')),
    h(
      'thead',
      {},
      h('tr', {}, ['data.colFormat', 'data.colFile', 'data.colSize', 'data.colDate'].map((k) => h('th', { scope: 'col' }, t(k)))),
    ),
    h(
      'tbody',
      {},
      data.exports.map((e) => {
        const name = formatName(e.format);
        return h(
          'tr',
          { dataset: { format: e.format } },
          h('th', { scope: 'row' }, name),
          h('td', {}, h('a', { href: e.url, download: '', type: e.media_type }, t('data.download', { name }))),
          h('td', { class: 'data-table__size' }, formatBytes(e.bytes)),
          h('td', {}, h('time', { datetime: new Date(e.modified).toISOString() }, formatDay(e.modified))),
        );
      }),
    ),
  );
}

function render() {
  document.documentElement.lang = getLang();
  document.title = `${t('data.title')} — Balade`;
  document.querySelector('meta[name="description"]')?.setAttribute('content', t('data.description'));
  if (langSelect) langSelect.value = getLang();
  const parts = [h('h1', {}, t('data.title')), h('p', {}, t('data.intro'))];
  if (failure) parts.push(h('p', { role: 'alert' }, failure));
  else if (!catalogue) parts.push(h('p', { role: 'status' }, t('common.loading')));
  else {
    parts.push(
      table(catalogue),
      h('h2', {}, t('data.licenceTitle')),
      h('p', {}, t('data.licence'), ' ', h('a', { href: catalogue.licence.url, rel: 'license' }, catalogue.licence.name), '.'),
      h('h2', {}, t('data.filtersTitle')),
      h('p', {}, t('data.filters')),
      h('p', {}, t('data.example'), ' ', h('a', { href: EXAMPLE }, h('code', {}, EXAMPLE))),
      h('p', {}, h('a', { href: '/' }, t('data.back'))),
    );
  }
  main.replaceChildren(...parts);
}

async function load() {
  try {
    const res = await fetch('/api/v1/exports', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(t('api.http', { status: res.status }));
    catalogue = /** @type {Catalogue} */ (await res.json());
  } catch (err) {
    failure = err instanceof TypeError ? t('api.unreachable') : err instanceof Error ? err.message : t('api.invalid');
  }
  render();
}

initLang();
onLangChange(render);
langSelect?.addEventListener('change', () => chooseLang(langSelect.value));
render();
load();
