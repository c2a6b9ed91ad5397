// The back-office page (`/admin`): the login form, or who is logged in and a way out.
// Texts follow the walkers' language choice (the same `balade.lang`); a change of language
// translates the page in place, so that what was typed and the focus stay.
import './admin.css';
import { h, uid } from '../dom.js';
import { formatWait } from '../format.js';
import { chooseLang, getLang, initLang, onLangChange, t } from '../i18n.js';
import { AuthError, logIn, logOut, whoAmI } from './auth.js';
import { embedSection } from './embed.js';
import { importsSection } from './imports.js';
import { moderationSection } from './moderation.js';
import { recordsSection } from './records.js';
import { usersSection } from './users.js';

/** @typedef {import('./auth.js').Staff} Staff */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const langSelect = /** @type {HTMLSelectElement | null} */ (document.getElementById('lang-select'));

/** The page's title key: the login's or the back-office's. */
let titleKey = 'admin.loginTitle';
/**
 * Texts made of more than a key (an error with its wait, the server's reason), by element
 * (marked `data-i18n-composed`): made again on a change of language.
 * @type {WeakMap<Element, () => string>}
 */
const composed = new WeakMap();

/**
 * An element whose text is the translation of `key`, kept in the current language.
 * @param {string} tag
 * @param {Record<string, any>} attrs
 * @param {string} key
 */
function tr(tag, attrs, key) {
  return h(tag, { ...attrs, 'data-i18n': key }, t(key));
}

/** Translates every `data-i18n` element, the title and `<html lang>`, then the composed texts. */
function applyTexts() {
  document.documentElement.lang = getLang();
  document.title = `${t(titleKey)} — Balade`;
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-i18n]'))) {
    el.textContent = t(el.dataset.i18n ?? '');
  }
  for (const el of document.querySelectorAll('[data-i18n-composed]')) el.textContent = composed.get(el)?.() ?? '';
  if (langSelect) langSelect.value = getLang();
}

/** What to tell of a failed call, in the current language. @param {unknown} err */
function describeFailure(err) {
  if (!(err instanceof AuthError)) return t('admin.failed', { reason: String(err) });
  switch (err.kind) {
    case 'credentials':
      return t('admin.wrongPair');
    case 'throttled':
      return err.retryAfterS === null ? t('admin.tooManyNoWait') : t('admin.tooMany', { wait: formatWait(err.retryAfterS) });
    case 'network':
      return t('api.unreachable');
    default:
      return t('admin.failed', { reason: err.message });
  }
}

/**
 * An alert region, present (and empty) from the start so that what is put in it is read out.
 * `show(text)` fills it (null empties it) with a text made again on a change of language.
 */
function alertRegion() {
  const el = h('div', { role: 'alert', class: 'form-alert', 'data-i18n-composed': true });
  return {
    el,
    /** @param {(() => string) | null} text */
    show(text) {
      if (text) composed.set(el, text);
      else composed.delete(el);
      el.textContent = text ? text() : '';
    },
  };
}

/**
 * Replaces the page's content; `focus`: the heading takes the focus (after a change of
 * state the user caused, not on the first load).
 * @param {string} key the title's
 * @param {Node[]} content
 * @param {{ focus?: boolean }} [opts]
 */
function show(key, content, { focus = false } = {}) {
  titleKey = key;
  main.replaceChildren(...content);
  applyTexts();
  if (focus) /** @type {HTMLElement | null} */ (main.querySelector('h1'))?.focus();
}

/** While `GET /api/v1/auth/me` is on its way. */
function showChecking() {
  show('admin.title', [h('div', { class: 'admin-page' }, tr('p', { role: 'status' }, 'admin.checking'))]);
}

/** The session could not be checked: why, and a way to try again. @param {unknown} err */
function showCheckFailed(err) {
  const alert = alertRegion();
  show('admin.title', [
    h(
      'div',
      { class: 'admin-page' },
      tr('h1', { tabindex: '-1' }, 'admin.title'),
      alert.el,
      tr('button', { type: 'button', class: 'button', onclick: () => start({ focus: true }) }, 'common.retry'),
    ),
  ]);
  alert.show(() => describeFailure(err));
}

/**
 * The login form; `loggedOut`: a session was just closed here.
 * @param {{ focus?: boolean, loggedOut?: boolean }} [opts]
 */
function showLogin({ focus = false, loggedOut = false } = {}) {
  const emailId = uid('admin-email');
  const passwordId = uid('admin-password');
  const alert = alertRegion();
  const email = h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input', { id: passwordId, name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = tr('button', { type: 'submit', class: 'button' }, 'admin.logIn');
  const form = h(
    'form',
    { class: 'admin-form', method: 'post' },
    alert.el,
    h('div', { class: 'field' }, tr('label', { for: emailId }, 'admin.email'), email),
    h('div', { class: 'field' }, tr('label', { for: passwordId }, 'admin.password'), password),
    h('div', { class: 'admin-form__actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    form.setAttribute('aria-busy', 'true');
    submit.setAttribute('aria-disabled', 'true');
    alert.show(null);
    try {
      await logIn(email.value.trim(), password.value);
      const staff = await whoAmI();
      if (staff) {
        showSession(staff, { focus: true });
        return;
      }
      alert.show(() => t('admin.cookieRefused'));
    } catch (err) {
      alert.show(() => describeFailure(err));
      if (err instanceof AuthError && err.kind === 'credentials') {
        password.value = '';
        password.focus();
      }
    } finally {
      form.removeAttribute('aria-busy');
      submit.removeAttribute('aria-disabled');
    }
  });
  show(
    'admin.loginTitle',
    [
      h(
        'div',
        { class: 'admin-page' },
        tr('h1', { tabindex: '-1' }, 'admin.loginTitle'),
        loggedOut ? tr('p', { role: 'status', class: 'admin-status' }, 'admin.loggedOut') : null,
        form,
      ),
    ],
    { focus },
  );
}

/**
 * Who is logged in: e-mail, role, territory (when the account has one), and logging out.
 * @param {Staff} staff
 * @param {{ focus?: boolean }} [opts]
 */
function showSession(staff, { focus = false } = {}) {
  const alert = alertRegion();
  const row = (/** @type {string} */ key, /** @type {Node|string} */ value) =>
    h('div', { class: 'session__row' }, tr('dt', {}, key), h('dd', {}, value));
  const out = tr('button', { type: 'button', class: 'button button--secondary' }, 'admin.logOut');
  out.addEventListener('click', async () => {
    if (out.getAttribute('aria-disabled') === 'true') return;
    out.setAttribute('aria-disabled', 'true');
    alert.show(null);
    try {
      await logOut();
      showLogin({ focus: true, loggedOut: true });
    } catch (err) {
      alert.show(() => describeFailure(err));
      out.removeAttribute('aria-disabled');
    }
  });
  show(
    'admin.title',
    [
      h(
        'div',
        { class: 'admin-page' },
        h(
          'header',
          { class: 'session' },
          tr('h1', { tabindex: '-1' }, 'admin.title'),
          h(
            'dl',
            { class: 'session__who' },
            row('admin.email', h('span', { class: 'session__email' }, staff.email)),
            row('admin.role', tr('span', {}, `role.${staff.role}`)),
            staff.territory.length ? row('admin.territory', staff.territory.join(', ')) : null,
          ),
          out,
          alert.el,
        ),
      ),
      // The walkers' contributions are the moderators' and admins' (the server refuses them
      // to editors too).
      ...(staff.role === 'admin' || staff.role === 'moderator' ? [moderationSection()] : []),
      recordsSection(staff),
      importsSection(),
      // Account care is the admins' alone (the server refuses it to the others too).
      ...(staff.role === 'admin' ? [usersSection(staff)] : []),
      embedSection(),
    ],
    { focus },
  );
}

/** Asks who is logged in, then shows the form or the session. @param {{ focus?: boolean }} [opts] */
async function start({ focus = false } = {}) {
  showChecking();
  let staff;
  try {
    staff = await whoAmI();
  } catch (err) {
    showCheckFailed(err);
    return;
  }
  if (staff) showSession(staff, { focus });
  else showLogin({ focus });
}

// The skip link moves the focus without changing the address.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  (/** @type {HTMLElement | null} */ (main.querySelector('h1')) || main).focus();
});

initLang();
applyTexts();
onLangChange(applyTexts);
langSelect?.addEventListener('change', () => chooseLang(langSelect.value));
start();
