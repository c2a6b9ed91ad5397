// "Report a problem" on the trail (fallen tree, missing signage…): category, message, up to
// three photos, an optional e-mail, and where: the walker's position, or a place chosen by a
// click on the map.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { submitContribution } from '../outbox-ui.js';
import { disclosure, field, formButtons, formError, honeypot, photoInput } from './form-parts.js';

export const REPORT_CATEGORIES = ['fallen_tree', 'signage', 'path_damage', 'flooding', 'danger', 'litter', 'other'];

/** 5 decimals: about a metre. @param {number} n */
const coord = (n) => Math.round(n * 1e5) / 1e5;

/**
 * @param {{ circuit: string|null, circuitName: string, map: () => import('leaflet').Map | null,
 *   lastFix?: () => { lon: number, lat: number } | null }} options
 *   map: the page's map, where a click chooses the place; lastFix: the guide's last known
 *   position (else the position is asked when the form opens)
 */
export function reportControl({ circuit, circuitName, map, lastFix }) {
  const category = h('select', { name: 'category', required: true }, REPORT_CATEGORIES.map((c) => h('option', { value: c }, t(`report.cat.${c}`))));
  const message = h('textarea', { name: 'message', required: true, maxlength: 2000, rows: 4 });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email' });
  const photos = photoInput();
  const trap = honeypot();
  const error = formError();

  /** @type {{ lon: number, lat: number } | null} the place the report will carry */
  let place = null;
  let mode = 'here';
  /** @type {(() => void) | null} */
  let stopPicking = null;
  const where = h('p', { class: 'report__where' });
  const say = (text) => {
    where.textContent = text;
  };
  const showPlace = () => say(place ? t('report.placeAt', { lat: coord(place.lat), lon: coord(place.lon) }) : mode === 'map' ? t('report.tapMap') : t('report.noPosition'));

  function useMyPosition() {
    stopPicking?.();
    stopPicking = null;
    const fix = lastFix?.();
    if (fix) {
      place = { lon: fix.lon, lat: fix.lat };
      return showPlace();
    }
    place = null;
    if (!('geolocation' in navigator)) return say(t('report.noPosition'));
    say(t('report.locating'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        if (mode !== 'here') return;
        place = { lon: pos.coords.longitude, lat: pos.coords.latitude };
        showPlace();
      },
      () => mode === 'here' && say(t('report.noPosition')),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  function chooseOnMap() {
    const m = map();
    place = null;
    if (!m) return say(t('report.noMap'));
    stopPicking?.();
    stopPicking = null;
    showPlace();
    m.getContainer().scrollIntoView({ behavior: 'smooth', block: 'center' });
    // A map is on the page, so its module is already loaded: imported here rather than at
    // the top so that this form (on the sheet) does not pull Leaflet in with the sheet.
    import('../map.js').then(({ pickOnMap }) => {
      if (mode !== 'map' || map() !== m) return;
      stopPicking?.();
      stopPicking = pickOnMap(m, (lon, lat) => {
        place = { lon, lat };
        showPlace();
      });
    });
  }

  const radioName = uid('where');
  const legendId = uid('legend');
  const choice = (value, text, checked) =>
    h(
      'label',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: radioName,
        value,
        checked,
        onchange: () => {
          mode = value;
          if (value === 'here') useMyPosition();
          else chooseOnMap();
        },
      }),
      ` ${text}`,
    );
  const position = h(
    'fieldset',
    { class: 'report__position', 'aria-labelledby': legendId },
    h('legend', { id: legendId }, t('report.position')),
    choice('here', lastFix ? t('report.lastFix') : t('report.myPosition'), true),
    choice('map', t('report.onMap'), false),
    where,
  );

  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'contribute__form report', 'aria-label': t('report.formLabel') }));
  const close = () => {
    stopPicking?.();
    stopPicking = null;
    control.close();
  };
  const control = disclosure(t('report.open'), form, {
    onOpen: () => {
      mode = 'here';
      /** @type {HTMLInputElement} */ (position.querySelector('input[value="here"]')).checked = true;
      useMyPosition();
    },
  });
  form.append(
    field(t('report.category'), category),
    field(t('report.message'), message),
    photos.el,
    field(t('report.email'), email, t('report.emailHint')),
    position,
    trap.el,
    error.el,
    formButtons(close),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    if (!place) return error.show(mode === 'map' ? t('report.tapMap') : t('report.noPosition'));
    /** @type {Record<string, string|number>} */
    const fields = {
      lon: coord(place.lon),
      lat: coord(place.lat),
      category: /** @type {HTMLSelectElement} */ (category).value,
      message: /** @type {HTMLTextAreaElement} */ (message).value.trim(),
      website: trap.input.value,
    };
    const mail = /** @type {HTMLInputElement} */ (email).value.trim();
    if (mail) fields.email = mail;
    if (circuit) fields.circuit = circuit;
    try {
      await submitContribution({ kind: 'report', path: 'api/v1/reports', fields, photos: photos.files(), circuit, label: circuitName });
    } catch (err) {
      return error.show(t('form.notStored', { msg: err?.message ?? '' }));
    }
    form.reset();
    place = null;
    close();
  });
  return control.el;
}
