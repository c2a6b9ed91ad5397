// Pieces shared by the contribution forms (review, trail report, correction).
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';

export const MAX_PHOTOS = 3;

/** A labelled control (`hint` under it, linked by aria-describedby). */
export function field(labelText, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h('span', { class: 'hint', id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

/**
 * The honeypot: a field that humans never see nor reach (off-screen, hidden from
 * assistive technologies, out of the tab order) and that bots fill; the server then
 * answers as usual and stores nothing.
 */
export function honeypot() {
  const id = uid('website');
  const input = h('input', { id, type: 'text', name: 'website', tabindex: '-1', autocomplete: 'off' });
  return { input, el: h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: id }, 'Website'), input) };
}

/** Up to MAX_PHOTOS images; more is refused by the browser's own validation. */
export function photoInput() {
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'file', name: 'photo', accept: 'image/*', multiple: true }));
  input.addEventListener('change', () => {
    input.setCustomValidity((input.files?.length ?? 0) > MAX_PHOTOS ? t('form.tooManyPhotos', { n: MAX_PHOTOS }) : '');
  });
  return { input, el: field(t('form.photos'), input, t('form.photosHint', { n: MAX_PHOTOS })), files: () => Array.from(input.files ?? []).slice(0, MAX_PHOTOS) };
}

/**
 * A button that shows or hides a form (aria-expanded); the form's first control gets the
 * focus when it opens, and the button again when it closes after sending.
 * @param {string} text visible text of the button
 * @param {HTMLFormElement} form
 * @param {{ ariaLabel?: string, onOpen?: () => void, fill?: () => void }} [options] `fill`:
 *   puts the form's fields in, once, before it first opens (a sheet lists a form per point
 *   of interest, most never opened: not built with the page)
 */
export function disclosure(text, form, { ariaLabel, onOpen, fill } = {}) {
  let filled = !fill;
  form.id ||= uid('form');
  form.hidden = true;
  const button = h('button', {
    type: 'button',
    class: 'button button--secondary',
    'aria-expanded': 'false',
    'aria-controls': form.id,
    'aria-label': ariaLabel ?? null,
  }, text);
  const set = (open) => {
    form.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      if (!filled) {
        filled = true;
        fill?.();
      }
      onOpen?.();
      /** @type {HTMLElement|null} */ (form.querySelector('input:not([tabindex="-1"]), select, textarea'))?.focus();
    }
  };
  button.addEventListener('click', () => set(form.hidden));
  return {
    el: h('div', { class: 'contribute' }, button, form),
    close() {
      set(false);
      button.focus();
    },
  };
}

/** The buttons row of a form: send and cancel. @param {() => void} cancel */
export function formButtons(cancel) {
  return h(
    'p',
    { class: 'contribute__actions' },
    h('button', { type: 'submit', class: 'button' }, t('form.send')),
    ' ',
    h('button', { type: 'button', class: 'button button--secondary', onclick: cancel }, t('form.cancel')),
  );
}

/** An error line inside a form (role=alert), empty and hidden until `show`. */
export function formError() {
  const el = h('p', { class: 'notice notice--error', role: 'alert', hidden: true });
  return {
    el,
    /** @param {string} text */
    show(text) {
      el.textContent = text;
      el.hidden = false;
    },
    clear() {
      el.textContent = '';
      el.hidden = true;
    },
  };
}
