// "Suggest a correction" of a circuit's or a POI's name or description.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { submitContribution } from '../outbox-ui.js';
import { disclosure, field, formButtons, formError, honeypot } from './form-parts.js';

/**
 * @param {{ target: string, label: string, current: { name?: string, description?: string }, circuit: string|null, named?: boolean }} what
 *   target "circuit:ID" or "poi:ID"; label: the record's name (said in the button's
 *   accessible name when `named`, for lists of POIs)
 */
export function correctionControl({ target, label, current, circuit, named = false }) {
  // The fields are made when the form first opens (see disclosure's `fill`).
  /** @type {HTMLSelectElement|null} */
  let fieldSelect = null;
  /** @type {HTMLTextAreaElement|null} */
  let text = null;
  // The current text as a starting point, as long as the walker has not typed anything.
  let edited = false;
  const prefill = () => {
    if (!edited && text && fieldSelect) text.value = (fieldSelect.value === 'name' ? current.name : current.description) ?? '';
  };
  const trap = honeypot();
  const error = formError();
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'contribute__form', 'aria-label': t('correction.formLabel', { name: label }) }));
  const fill = () => {
    const select = /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { name: 'field' },
        h('option', { value: 'name' }, t('correction.fieldName')),
        h('option', { value: 'description' }, t('correction.fieldDescription')),
      )
    );
    const area = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'text', required: true, maxlength: 5000, rows: 4 }));
    area.addEventListener('input', () => {
      edited = true;
    });
    select.addEventListener('change', prefill);
    fieldSelect = select;
    text = area;
    form.append(field(t('correction.field'), select), field(t('correction.text'), area), trap.el, error.el, formButtons(() => control.close()));
  };
  const control = disclosure(t('correction.open'), form, {
    ariaLabel: named ? t('correction.openNamed', { name: label }) : undefined,
    onOpen: prefill,
    fill,
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!text || !fieldSelect) return;
    error.clear();
    const value = text.value.trim();
    if (!value) return error.show(t('correction.empty'));
    try {
      await submitContribution({
        kind: 'correction',
        path: 'api/v1/corrections',
        fields: { target, field: fieldSelect.value, text: value, website: trap.input.value },
        photos: [],
        circuit,
        label,
      });
    } catch (err) {
      return error.show(t('form.notStored', { msg: err?.message ?? '' }));
    }
    form.reset();
    edited = false;
    control.close();
  });
  return control.el;
}
