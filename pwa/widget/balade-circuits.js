// <balade-circuits>: the embeddable list of a territory's circuits, for a commune's own site.
// One element, its own shadow root (styles inside only), its own small dictionary; it reads
// the public API of the Balade server it came from (or the one its `api` attribute names).
// Hosts restyle it through --balade-accent, --balade-font, --balade-radius,
// --balade-background and the parts `card`, `title`, `button`.
//
//   <script type="module" src="https://balade.example/widget/v1/balade-circuits.js"></script>
//   <balade-circuits commune="77379" lang="fr"></balade-circuits>

const TEXTS = {
  fr: {
    circuits: 'Circuits',
    loading: 'Chargement des circuits…',
    error: 'Les circuits n’ont pas pu être chargés.',
    empty: 'Aucun circuit ne correspond.',
    length: 'Longueur',
    duration: 'Durée',
    ascent: 'Dénivelé positif',
    difficulty: 'Difficulté',
    rating: 'Avis des randonneurs',
    reviews: 'avis',
    type: 'Type',
    back: 'Retour à la liste',
    gpx: 'Télécharger la trace GPX',
    open: 'Ouvrir dans Balade',
    newTab: '(nouvel onglet)',
    pois: 'Points d’intérêt le long du parcours',
    themes: 'Thèmes',
    profile: 'Profil altimétrique',
    map: 'Carte du parcours',
    profileSummary: 'Altitude de {min} m à {max} m sur {km} km',
    easy: 'Facile',
    medium: 'Moyenne',
    hard: 'Difficile',
    very_hard: 'Très difficile',
    loop: 'Boucle',
    return: 'Aller-retour',
    one_way: 'Aller simple',
  },
  en: {
    circuits: 'Walks',
    loading: 'Loading walks…',
    error: 'The walks could not be loaded.',
    empty: 'No walk matches.',
    length: 'Length',
    duration: 'Duration',
    ascent: 'Ascent',
    difficulty: 'Difficulty',
    rating: 'Walkers’ rating',
    reviews: 'reviews',
    type: 'Type',
    back: 'Back to the list',
    gpx: 'Download the GPX track',
    open: 'Open in Balade',
    newTab: '(new tab)',
    pois: 'Points of interest along the way',
    themes: 'Themes',
    profile: 'Elevation profile',
    map: 'Map of the walk',
    profileSummary: 'Elevation from {min} m to {max} m over {km} km',
    easy: 'Easy',
    medium: 'Medium',
    hard: 'Hard',
    very_hard: 'Very hard',
    loop: 'Loop',
    return: 'Out and back',
    one_way: 'One way',
  },
};

/** @typedef {keyof typeof TEXTS.fr} TextKey */

const STYLE = `
:host { all: initial !important; display: block !important;
  color: #1f2a24 !important; font: 16px/1.45 var(--balade-font, system-ui, sans-serif) !important; }
:host([hidden]) { display: none !important; }
* { box-sizing: border-box; }
.root { display: block; color: #1f2a24; font: inherit; background: var(--balade-background, transparent); }
ul.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1rem; list-style: none; margin: 0; padding: 0; }
.card { position: relative; display: flex; flex-direction: column; background: #fff; border: 1px solid #cfd8d2;
  border-radius: var(--balade-radius, 8px); overflow: hidden; }
.card:focus-within { outline: 3px solid var(--balade-accent, #1d6b45); outline-offset: 2px; }
.card img, .sheet img { display: block; width: 100%; aspect-ratio: 3 / 2; object-fit: cover; background: #e8ede9; }
.body { display: block; padding: .75rem 1rem 1rem; }
h2, h3 { display: block; margin: 0 0 .5rem; font: 700 1.1rem/1.3 var(--balade-font, system-ui, sans-serif); color: #14301f; }
h2 { font-size: 1.4rem; }
.card button { all: unset; cursor: pointer; color: inherit; }
.card button::after { content: ""; position: absolute; inset: 0; }
dl { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; font-size: .9rem; }
dl div { display: block; }
dt { display: inline; color: #4a5a50; }
dt::after { content: " : "; }
:host([lang="en"]) dt::after { content: ": "; }
dd { display: inline; margin: 0; font-weight: 600; }
p { display: block; margin: 0 0 .75rem; }
.sheet { display: block; }
.sheet h3 { font-size: 1rem; margin-top: 1rem; }
.sheet ul { display: block; margin: 0 0 1rem; padding-left: 1.25rem; }
.sheet li { display: list-item; }
.kind { color: #4a5a50; font-size: .9rem; }
.map { display: block; height: 16rem; margin: 1rem 0; border-radius: var(--balade-radius, 8px); }
.map img { width: auto; aspect-ratio: auto; background: none; }
figure.profile { display: block; margin: 1rem 0; }
figure.profile svg { display: block; width: 100%; height: auto; max-height: 8rem; }
figure.profile figcaption { display: block; color: #4a5a50; font-size: .9rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
.button { display: inline-block; padding: .5rem .9rem; border: 2px solid var(--balade-accent, #1d6b45);
  border-radius: var(--balade-radius, 8px); background: #fff; color: var(--balade-accent, #1d6b45);
  font: 600 .95rem/1.2 var(--balade-font, system-ui, sans-serif); text-decoration: none; cursor: pointer; }
.button.primary { background: var(--balade-accent, #1d6b45); color: #fff; }
.button:focus-visible, a:focus-visible { outline: 3px solid var(--balade-accent, #1d6b45); outline-offset: 2px; }
.status { display: block; color: #4a5a50; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** The Balade server this script was loaded from: `/widget/v1/x.js` → its base URL. */
const OWN_SERVER = new URL(/* @vite-ignore */ '../../', import.meta.url).href.replace(/\/+$/, '');

/**
 * An element with attributes (null ones skipped) and children (strings become text).
 * @param {string} tag @param {Record<string, string | null | undefined>} attrs
 * @param {...(Node | string | null | undefined | false)} children
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  for (const c of children) if (c != null && c !== false) el.append(c);
  return el;
}

/** An SVG element with attributes. @param {string} tag @param {Record<string, string>} attrs */
function svgEl(tag, attrs) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Comma-separated attribute values, trimmed, empties dropped. @param {string | null} v */
const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

/**
 * @typedef {{ id: string, name: string, summary?: string, description?: string, length_m: number,
 *   duration_min: number, ascent_m?: number, difficulty: string, type: string, themes?: string[],
 *   media?: { kind: string, url: string, alt?: string | null }[],
 *   pois_along?: { id: string, name: string, kind: string }[],
 *   rating?: { average: number | null, count: number },
 *   geometry?: { type: string, coordinates: any } | null }} Circuit
 */

/** @type {CSSStyleSheet | null | undefined} */
let constructed;

/** The widget's style as one sheet shared by its instances, where the browser builds one. */
function sharedSheet() {
  if (constructed === undefined) {
    try {
      constructed = new CSSStyleSheet();
      constructed.replaceSync(STYLE);
    } catch {
      constructed = null;
    }
  }
  return constructed;
}

export class BaladeCircuits extends HTMLElement {
  static observedAttributes = ['commune', 'intercommunality', 'theme', 'difficulty', 'type', 'practice', 'limit', 'lang', 'api'];

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.view = h('div', { class: 'root' });
    // A constructed style sheet passes a host page's strict CSP (no inline style), as on /embed.
    const sheet = sharedSheet();
    if (sheet) this.root.adoptedStyleSheets = [sheet];
    else this.root.append(h('style', {}, STYLE));
    this.root.append(this.view);
    /** @type {Circuit[]} */
    this.circuits = [];
    /** @type {Map<string, Promise<Circuit>>} */
    this.sheets = new Map();
    this.run = 0;
    this.queued = false;
    /** Where the sheet's elevation profile goes once it comes. */
    this.profileSlot = h('div', {});
    this.mapSlot = h('div', {});
  }

  connectedCallback() {
    this.refresh();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.refresh();
  }

  get lang2() {
    return this.getAttribute('lang') === 'en' ? 'en' : 'fr';
  }

  /** @param {TextKey} key */
  t(key) {
    return TEXTS[this.lang2][key] || key;
  }

  get api() {
    return (this.getAttribute('api') || OWN_SERVER).replace(/\/+$/, '');
  }

  /** @param {string} path */
  url(path) {
    return new URL(path, this.api + '/').href;
  }

  /** Loads the list again (once per burst of attribute changes). */
  refresh() {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.load();
    });
  }

  async load() {
    const run = ++this.run;
    this.sheets.clear();
    this.status(this.t('loading'));
    const limit = Math.max(1, Math.min(500, Number(this.getAttribute('limit')) || 50));
    const common = new URLSearchParams({ lang: this.lang2, limit: String(limit) });
    for (const key of ['theme', 'difficulty', 'type', 'practice']) {
      const v = list(this.getAttribute(key)).join(',');
      if (v) common.set(key, v);
    }
    // The API takes one commune or intercommunality a request: one request each, merged.
    const places = [
      ...list(this.getAttribute('commune')).map((c) => ['commune', c]),
      ...list(this.getAttribute('intercommunality')).map((c) => ['intercommunality', c]),
    ];
    const queries = (places.length ? places : [null]).map((place) => {
      const q = new URLSearchParams(common);
      if (place) q.set(place[0], place[1]);
      return q;
    });
    try {
      const answers = await Promise.all(
        queries.map(async (q) => {
          const res = await fetch(this.url(`api/v1/circuits?${q}`));
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.json();
        }),
      );
      if (run !== this.run) return;
      /** @type {Map<string, Circuit>} */
      const seen = new Map();
      for (const a of answers) for (const f of a.features || []) if (!seen.has(f.properties.id)) seen.set(f.properties.id, f.properties);
      this.circuits = [...seen.values()].slice(0, limit);
      this.showList();
    } catch {
      if (run === this.run) this.status(this.t('error'));
    }
  }

  /** @param {string} text */
  status(text) {
    this.view.replaceChildren(h('p', { class: 'status', role: 'status' }, text));
  }

  /** A circuit's sheet, fetched once. @param {string} id @returns {Promise<Circuit>} */
  sheet(id) {
    let p = this.sheets.get(id);
    if (!p) {
      p = fetch(this.url(`api/v1/circuits/${encodeURIComponent(id)}?lang=${this.lang2}`)).then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.json().then((f) => ({ ...f.properties, geometry: f.geometry }));
      });
      p.catch(() => this.sheets.delete(id));
      this.sheets.set(id, p);
    }
    return p;
  }

  /** @param {Circuit} c */
  figures(c, full = false) {
    const nf = new Intl.NumberFormat(this.lang2, { maximumFractionDigits: 1 });
    const mins = Math.round(c.duration_min || 0);
    const hours = Math.floor(mins / 60);
    const duration = hours ? `${hours} h ${String(mins % 60).padStart(2, '0')}` : `${mins} min`;
    /** @type {[TextKey, string][]} */
    const rows = [
      ['length', `${nf.format((c.length_m || 0) / 1000)} km`],
      ['duration', duration],
      ['difficulty', this.t(/** @type {TextKey} */ (c.difficulty))],
    ];
    // Published reviews only: the server counts nothing else.
    if (c.rating && c.rating.count > 0 && c.rating.average != null) {
      rows.push(['rating', `★ ${nf.format(c.rating.average)} / 5 (${c.rating.count} ${this.t('reviews')})`]);
    }
    if (full) {
      if (Number.isFinite(c.ascent_m)) rows.push(['ascent', `${Math.round(c.ascent_m || 0)} m`]);
      rows.push(['type', this.t(/** @type {TextKey} */ (c.type))]);
    }
    return h('dl', {}, ...rows.map(([k, v]) => h('div', {}, h('dt', {}, this.t(k)), h('dd', {}, v))));
  }

  /** The first photo of a sheet, or null. @param {Circuit} c */
  photo(c) {
    const m = (c.media || []).find((x) => x.kind === 'photo');
    return m ? h('img', { src: this.url(m.url), alt: m.alt || '', loading: 'lazy', decoding: 'async' }) : null;
  }

  /** @param {string} [focusId] the circuit whose card gets the focus back */
  showList(focusId) {
    if (!this.circuits.length) return this.status(this.t('empty'));
    const cards = this.circuits.map((c) => {
      const button = h('button', { type: 'button', part: 'button card-button', 'data-id': c.id }, c.name);
      button.addEventListener('click', () => this.showSheet(c.id));
      const card = h('li', { class: 'card', part: 'card' }, h('div', { class: 'body' }, h('h3', { part: 'title' }, button), this.figures(c)));
      // The list has no photo: the sheet's first one, when it comes.
      this.sheet(c.id).then(
        (s) => {
          const img = this.photo(s);
          if (img && card.isConnected) card.prepend(img);
        },
        () => {},
      );
      return card;
    });
    this.view.replaceChildren(h('ul', { class: 'cards', 'aria-label': this.t('circuits') }, ...cards));
    if (focusId) /** @type {HTMLButtonElement | null} */ (this.view.querySelector(`button[data-id="${CSS.escape(focusId)}"]`))?.focus();
  }

  /** @param {string} id */
  async showSheet(id) {
    const run = this.run;
    this.status(this.t('loading'));
    /** @type {Circuit} */
    let c;
    try {
      c = await this.sheet(id);
    } catch {
      if (run === this.run) this.status(this.t('error'));
      return;
    }
    if (run !== this.run) return;
    const back = h('button', { type: 'button', class: 'button', part: 'button' }, `← ${this.t('back')}`);
    back.addEventListener('click', () => this.showList(id));
    const title = h('h2', { part: 'title', tabindex: '-1' }, c.name);
    const pois = c.pois_along || [];
    this.profileSlot = h('div', {});
    const gpx = this.url(`api/v1/circuits/${encodeURIComponent(id)}/download?format=gpx`);
    const app = `${this.url('')}#/circuits/${encodeURIComponent(id)}`;
    this.view.replaceChildren(
      h(
        'article',
        { class: 'sheet' },
        h('p', {}, back),
        title,
        this.photo(c),
        this.figures(c, true),
        h('p', {}, c.description || c.summary || ''),
        c.themes?.length ? h('p', {}, `${this.t('themes')}${this.lang2 === 'fr' ? ' : ' : ': '}${c.themes.join(', ')}`) : null,
        h(
          'div',
          { class: 'actions' },
          h('a', { class: 'button primary', part: 'button', href: gpx, download: '' }, this.t('gpx')),
          h('a', { class: 'button', part: 'button', href: app, target: '_blank', rel: 'noopener' }, this.t('open'), h('span', { class: 'sr' }, ` ${this.t('newTab')}`)),
        ),
        this.mapSlot,
        this.profileSlot,
        pois.length ? h('h3', {}, this.t('pois')) : null,
        pois.length ? h('ul', {}, ...pois.map((p) => h('li', {}, p.name))) : null,
      ),
    );
    title.focus();
    this.showMap(c, run);
    this.showProfile(id, run);
  }

  /** The trace on a map: Leaflet is fetched now, from the widget's own build. @param {Circuit} c @param {number} run */
  async showMap(c, run) {
    const g = c.geometry;
    const lines = g?.type === 'LineString' ? [g.coordinates] : g?.type === 'MultiLineString' ? g.coordinates : [];
    if (!lines.length) return;
    const slot = this.mapSlot;
    try {
      const { drawTrace, mapSheet, MAP_CSS } = await import('./map.js');
      if (run !== this.run || !slot.isConnected) return;
      const sheet = mapSheet();
      if (sheet && !this.root.adoptedStyleSheets.includes(sheet)) this.root.adoptedStyleSheets = [...this.root.adoptedStyleSheets, sheet];
      else if (!sheet && !this.root.querySelector('style[data-map]')) this.root.prepend(h('style', { 'data-map': '' }, MAP_CSS));
      const el = h('div', { class: 'map', part: 'map', role: 'region', 'aria-label': this.t('map') });
      slot.replaceChildren(el);
      await drawTrace(el, lines, (path) => this.url(path));
    } catch {
      slot.replaceChildren();
    }
  }

  /** The elevation profile as a small SVG, once it comes; nothing when the trace has none. */
  async showProfile(/** @type {string} */ id, /** @type {number} */ run) {
    const slot = this.profileSlot;
    /** @type {[number, number][]} */
    let points;
    try {
      const res = await fetch(this.url(`api/v1/circuits/${encodeURIComponent(id)}/profile`));
      if (!res.ok) return;
      points = await res.json();
    } catch {
      return;
    }
    if (run !== this.run || !slot.isConnected || !Array.isArray(points) || points.length < 2) return;
    const W = 600;
    const H = 120;
    const total = points[points.length - 1][0] || 1;
    const zs = points.map((p) => p[1]);
    const min = Math.min(...zs);
    const max = Math.max(...zs);
    const span = max - min || 1;
    const xy = points.map(([d, z]) => `${((d / total) * W).toFixed(1)},${(H - 4 - ((z - min) / span) * (H - 8)).toFixed(1)}`);
    const summary = this.t('profileSummary')
      .replace('{min}', String(Math.round(min)))
      .replace('{max}', String(Math.round(max)))
      .replace('{km}', (total / 1000).toLocaleString(this.lang2, { maximumFractionDigits: 1 }));
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${this.t('profile')}${this.lang2 === 'fr' ? ' : ' : ': '}${summary}`, part: 'profile' });
    svg.append(
      svgEl('path', { d: `M0,${H} L${xy.join(' L')} L${W},${H} Z`, fill: '#dfeee5' }),
      svgEl('polyline', { points: xy.join(' '), fill: 'none', stroke: 'var(--balade-accent, #1d6b45)', 'stroke-width': '2' }),
    );
    slot.replaceChildren(h('figure', { class: 'profile' }, svg, h('figcaption', {}, summary)));
  }
}

if (!customElements.get('balade-circuits')) customElements.define('balade-circuits', BaladeCircuits);
