// The back-office's "Embed on your website" section, for any staff: choose the circuits
// (communes, theme, difficulty, language, how many), see the widget <balade-circuits> as a
// visitor will, and copy the code for a site: the widget's script pinned by its published
// SRI hash, or the `/embed` page in an iframe for sites that take no script.
//
// The communes (by name) and themes offered are those of the public list's facets; INSEE
// codes may be typed as well, as the API takes either.
import './embed.css';
import { h, uid } from '../dom.js';
import { onLangChange, t } from '../i18n.js';

const WIDGET = '/widget/v1/balade-circuits.js';
const INTEGRITY = '/widget/v1/integrity.json';
const DIFFICULTIES = ['easy', 'medium', 'hard', 'very_hard'];

/** @param {string} tag @param {Record<string, any>} attrs @param {string} key */
const tr = (tag, attrs, key) => h(tag, { ...attrs, 'data-i18n': key }, t(key));

/** An attribute value as written in HTML. @param {string} v */
const attr = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The widget's attributes chosen, in the order a site's author reads them.
 * @typedef {[string, string][]} Choice
 */

/** The HTML a site adds for the widget. @param {string} origin @param {string} integrity @param {Choice} choice */
export function scriptSnippet(origin, integrity, choice) {
  const attrs = choice.map(([k, v]) => ` ${k}="${attr(v)}"`).join('');
  return (
    `<script type="module" src="${origin}${WIDGET}" integrity="${attr(integrity)}" crossorigin="anonymous"></script>\n` +
    `<balade-circuits${attrs}></balade-circuits>`
  );
}

/** The iframe a site adds when it takes no script. @param {string} origin @param {Choice} choice @param {string} title */
export function iframeSnippet(origin, choice, title) {
  const query = new URLSearchParams(choice).toString();
  return `<iframe src="${attr(`${origin}/embed${query ? `?${query}` : ''}`)}" title="${attr(title)}" width="100%" height="640" loading="lazy"></iframe>`;
}

/** Facet keys, most circuits first. @param {unknown} facet @returns {[string, number][]} */
function facetEntries(facet) {
  if (!facet || typeof facet !== 'object') return [];
  return Object.entries(/** @type {Record<string, number>} */ (facet))
    .filter(([k]) => k)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The "Embed on your website" section. */
export function embedSection() {
  const headingId = uid('embed-title');
  const root = h('section', { class: 'embed', id: 'embed', 'aria-labelledby': headingId });
  const ids = { codes: uid('embed-codes'), commune: uid('embed-commune'), theme: uid('embed-theme'), difficulty: uid('embed-difficulty'), lang: uid('embed-lang'), limit: uid('embed-limit') };
  const hintId = uid('embed-commune-hint');
  const codesHintId = uid('embed-codes-hint');
  const codes = h('input', { id: ids.codes, type: 'text', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': codesHintId });

  const commune = h('select', { id: ids.commune, multiple: true, size: '5', 'aria-describedby': hintId });
  const theme = h('select', { id: ids.theme }, tr('option', { value: '' }, 'embed.any'));
  const difficulty = h(
    'select',
    { id: ids.difficulty },
    tr('option', { value: '' }, 'embed.any'),
    DIFFICULTIES.map((d) => tr('option', { value: d }, `difficulty.${d}`)),
  );
  const lang = h('select', { id: ids.lang }, h('option', { value: 'fr', lang: 'fr' }, 'Français'), h('option', { value: 'en', lang: 'en' }, 'English'));
  const limit = h('input', { id: ids.limit, type: 'number', min: '1', max: '500', value: '10', inputmode: 'numeric' });

  const alertSlot = h('div');
  /** @param {string | null} text */
  const alert = (text) => alertSlot.replaceChildren(text ? h('div', { role: 'alert', class: 'form-alert' }, text) : '');

  const widget = document.createElement('balade-circuits');
  const previewId = uid('embed-preview');
  const preview = h('div', { class: 'embed__preview', role: 'region', 'aria-labelledby': previewId }, widget);

  const scriptId = uid('embed-script');
  const iframeId = uid('embed-iframe');
  const scriptCode = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: scriptId, readonly: true, rows: '4', spellcheck: 'false', class: 'embed__code' }));
  const iframeCode = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: iframeId, readonly: true, rows: '3', spellcheck: 'false', class: 'embed__code' }));
  const copied = h('p', { role: 'status', class: 'embed__status' });
  let integrity = '';

  /** @returns {Choice} */
  const choice = () => {
    /** @type {Choice} */
    const c = [];
    const communes = [
      ...Array.from(/** @type {HTMLSelectElement} */ (commune).selectedOptions, (o) => o.value),
      ...(/** @type {HTMLInputElement} */ (codes).value.split(/[\s,;]+/).filter(Boolean)),
    ];
    if (communes.length) c.push(['commune', communes.join(',')]);
    for (const [name, el] of /** @type {[string, HTMLSelectElement | HTMLInputElement][]} */ ([['theme', theme], ['difficulty', difficulty]])) {
      if (el.value) c.push([name, el.value]);
    }
    const n = Math.trunc(Number(/** @type {HTMLInputElement} */ (limit).value));
    if (n >= 1 && n <= 500) c.push(['limit', String(n)]);
    c.push(['lang', /** @type {HTMLSelectElement} */ (lang).value]);
    return c;
  };

  const update = () => {
    const c = choice();
    for (const name of ['commune', 'theme', 'difficulty', 'limit', 'lang']) {
      const found = c.find(([k]) => k === name);
      if (found) widget.setAttribute(name, found[1]);
      else widget.removeAttribute(name);
    }
    const origin = location.origin;
    scriptCode.value = integrity ? scriptSnippet(origin, integrity, c) : '';
    iframeCode.value = iframeSnippet(origin, c, t('embed.frameTitle'));
    copied.textContent = '';
  };
  for (const el of [codes, commune, theme, difficulty, lang, limit]) {
    el.addEventListener('change', update);
    el.addEventListener('input', update);
  }

  /** @param {HTMLTextAreaElement} area */
  const copy = async (area) => {
    try {
      await navigator.clipboard.writeText(area.value);
      copied.textContent = t('embed.copied');
    } catch {
      area.select();
      copied.textContent = t('embed.copyFailed');
    }
  };

  const onLang = onLangChange(() => {
    if (!root.isConnected) {
      onLang();
      return;
    }
    update();
  });

  const field = (/** @type {string} */ id, /** @type {string} */ key, /** @type {Element} */ control, /** @type {Element | null} */ hint = null) =>
    h('div', { class: 'field' }, tr('label', { for: id }, key), control, hint);

  root.append(
    tr('h2', { id: headingId }, 'embed.title'),
    tr('p', {}, 'embed.intro'),
    alertSlot,
    h(
      'form',
      { class: 'admin-form embed__form', 'aria-labelledby': headingId },
      field(ids.commune, 'embed.communes', commune, tr('p', { id: hintId, class: 'hint' }, 'embed.communesHint')),
      field(ids.codes, 'embed.codes', codes, tr('p', { id: codesHintId, class: 'hint' }, 'embed.codesHint')),
      field(ids.theme, 'embed.theme', theme),
      field(ids.difficulty, 'embed.difficulty', difficulty),
      field(ids.lang, 'embed.lang', lang),
      field(ids.limit, 'embed.limit', limit),
    ),
    tr('h3', { id: previewId }, 'embed.preview'),
    preview,
    tr('h3', {}, 'embed.codeTitle'),
    h('div', { class: 'field' }, tr('label', { for: scriptId }, 'embed.scriptCode'), scriptCode),
    tr('button', { type: 'button', class: 'button', onclick: () => copy(scriptCode) }, 'embed.copy'),
    h('div', { class: 'field' }, tr('label', { for: iframeId }, 'embed.iframeCode'), iframeCode),
    tr('button', { type: 'button', class: 'button button--secondary', onclick: () => copy(iframeCode) }, 'embed.copyIframe'),
    copied,
  );

  // The widget defines its element when its file runs; the page's own origin serves it.
  import(/* @vite-ignore */ new URL(WIDGET, location.href).href).catch(() => alert(t('embed.widgetFailed')));

  (async () => {
    try {
      const [list, pins] = await Promise.all(
        ['/api/v1/circuits?limit=1', INTEGRITY].map(async (path) => {
          const res = await fetch(path);
          if (!res.ok) throw new Error(t('api.http', { status: res.status }));
          return res.json();
        }),
      );
      integrity = String(pins['balade-circuits.js'] || '');
      for (const [code, n] of facetEntries(list.facets?.commune)) commune.append(h('option', { value: code }, `${code} (${n})`));
      for (const [name, n] of facetEntries(list.facets?.theme)) theme.append(h('option', { value: name }, `${name} (${n})`));
    } catch (err) {
      alert(t('admin.failed', { reason: err instanceof Error ? err.message : String(err) }));
    }
    update();
  })();
  update();
  return root;
}
