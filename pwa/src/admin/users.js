// The back-office's "Accounts" section, for admins: every staff account, a way to disable
// one (asked twice: the button turns into a confirmation beside a way back), and a form
// that adds one. The server decides what an account may be; its reason for a refusal is
// shown as it gave it.
//
// Fixed texts carry `data-i18n` (the page translates them); texts made of names are kept
// as functions here and made again on a change of language.
import './users.css';
import { h, uid } from '../dom.js';
import { onLangChange, t } from '../i18n.js';
import { ROLES } from './auth.js';
import { UsersError, addAccount, disableAccount, listAccounts, parseCodes } from './users-api.js';

/** @typedef {import('./users-api.js').Account} Account */
/** @typedef {import('./auth.js').Staff} Staff */

/** @param {string} tag @param {Record<string, any>} attrs @param {string} key */
const tr = (tag, attrs, key) => h(tag, { ...attrs, 'data-i18n': key }, t(key));

/** What to tell of a failed call. @param {unknown} err */
function describe(err) {
  if (err instanceof UsersError && err.status === 0) return t('api.unreachable');
  return t('admin.failed', { reason: err instanceof Error ? err.message : String(err) });
}

/** The "Accounts" section. @param {Staff} staff the admin logged in */
export function usersSection(staff) {
  const headingId = uid('users-title');
  const tableId = uid('users-table');
  const root = h('section', { class: 'users', id: 'users', 'aria-labelledby': headingId });

  /** @type {Map<Element, () => string>} */
  const texts = new Map();
  /** @template {Element} E @param {E} el @param {() => string} fn */
  const setText = (el, fn) => {
    texts.set(el, fn);
    el.textContent = fn();
    return el;
  };
  // An alert inserted with its text is read out; the status region is there from the start.
  const alertSlot = h('div');
  /** @param {(() => string) | null} fn */
  const alert = (fn) => alertSlot.replaceChildren(fn ? setText(h('div', { role: 'alert', class: 'form-alert' }), fn) : '');
  const status = h('p', { role: 'status', class: 'users__status' });
  /** @param {(() => string) | null} fn */
  const say = (fn) => {
    if (fn) setText(status, fn);
    else {
      texts.delete(status);
      status.textContent = '';
    }
  };

  // --- The table of accounts
  /** @type {Account[]} */
  let accounts = [];
  /** The account whose disabling waits for its confirmation. */
  let confirming = '';
  const tableArea = h('div', { class: 'imports__scroll', tabindex: '0', role: 'region', 'aria-labelledby': tableId });

  /** @param {Account} a */
  const actions = (a) => {
    if (a.disabled || a.email.toLowerCase() === staff.email.toLowerCase()) return null;
    if (confirming !== a.email) {
      return h(
        'button',
        { type: 'button', class: 'button button--secondary button--small', onclick: () => ask(a) },
        tr('span', {}, 'users.disable'),
        h('span', { class: 'visually-hidden' }, ` ${a.email}`),
      );
    }
    return h(
      'span',
      { class: 'users__confirm' },
      h(
        'button',
        { type: 'button', class: 'button button--small users__yes', onclick: () => disable(a) },
        tr('span', {}, 'users.confirmDisable'),
        ` ${a.email}`,
      ),
      h(
        'button',
        { type: 'button', class: 'button button--secondary button--small', onclick: () => cancel(a) },
        tr('span', {}, 'users.cancel'),
        h('span', { class: 'visually-hidden' }, ` ${a.email}`),
      ),
    );
  };

  /** @param {Account} a */
  const row = (a) =>
    h(
      'tr',
      { 'data-email': a.email },
      h('th', { scope: 'row', class: 'users__email' }, a.email),
      h('td', {}, t(`role.${a.role}`)),
      h('td', {}, a.territory.join(', ') || '–'),
      h('td', { class: a.disabled ? 'users__state users__state--off' : 'users__state' }, t(a.disabled ? 'users.disabled' : 'users.active')),
      h('td', {}, actions(a)),
    );

  const render = () => {
    if (!accounts.length) {
      tableArea.replaceChildren(h('p', { class: 'imports__empty' }, t('users.none')));
      return;
    }
    tableArea.replaceChildren(
      h(
        'table',
        { class: 'imports__table users__table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['email', 'role', 'territory', 'state'].map((c) => h('th', { scope: 'col' }, t(`users.col.${c}`))),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('users.col.actions'))),
          ),
        ),
        h('tbody', {}, accounts.map(row)),
      ),
    );
  };

  /** The row's first button, after the row was made again. @param {string} email */
  const focusRow = (email) => {
    const line = [...tableArea.querySelectorAll('tr[data-email]')].find((el) => el.getAttribute('data-email') === email);
    /** @type {HTMLElement | null | undefined} */ (line?.querySelector('button'))?.focus();
  };

  /** @param {Account} a */
  const ask = (a) => {
    confirming = a.email;
    render();
    focusRow(a.email);
  };
  /** @param {Account} a */
  const cancel = (a) => {
    confirming = '';
    render();
    focusRow(a.email);
  };
  /** @param {Account} a */
  const disable = async (a) => {
    alert(null);
    say(null);
    try {
      await disableAccount(a.email);
      confirming = '';
      say(() => t('users.disabledOne', { email: a.email }));
      await refresh();
      /** @type {HTMLElement | null} */ (root.querySelector(`#${tableId}`))?.focus();
    } catch (err) {
      alert(() => describe(err));
    }
  };

  async function refresh() {
    try {
      accounts = await listAccounts();
      render();
    } catch (err) {
      alert(() => describe(err));
    }
  }

  // --- The form that adds an account
  const ids = { email: uid('user-email'), role: uid('user-role'), territory: uid('user-territory'), password: uid('user-password') };
  const hints = { territory: uid('user-territory-hint'), password: uid('user-password-hint') };
  const email = h('input', { id: ids.email, name: 'email', type: 'email', required: true, autocomplete: 'off', spellcheck: 'false' });
  const role = h(
    'select',
    { id: ids.role, name: 'role' },
    ROLES.map((r) => tr('option', { value: r, selected: r === 'editor' }, `role.${r}`)),
  );
  const territory = h('input', { id: ids.territory, name: 'territory', type: 'text', 'aria-describedby': hints.territory, spellcheck: 'false', inputmode: 'text' });
  // No `minlength`: the server states the rule and its reason is shown as it gave it.
  const password = h('input', { id: ids.password, name: 'password', type: 'password', required: true, autocomplete: 'new-password', 'aria-describedby': hints.password });
  const submit = tr('button', { type: 'submit', class: 'button' }, 'users.add');
  const formTitleId = uid('users-add');
  const form = h(
    'form',
    { class: 'admin-form users__form', method: 'post', 'aria-labelledby': formTitleId },
    h('div', { class: 'field' }, tr('label', { for: ids.email }, 'admin.email'), email),
    h('div', { class: 'field' }, tr('label', { for: ids.role }, 'admin.role'), role),
    h(
      'div',
      { class: 'field' },
      tr('label', { for: ids.territory }, 'users.territory'),
      territory,
      tr('p', { id: hints.territory, class: 'hint' }, 'users.territoryHint'),
    ),
    h(
      'div',
      { class: 'field' },
      tr('label', { for: ids.password }, 'admin.password'),
      password,
      tr('p', { id: hints.password, class: 'hint' }, 'users.passwordHint'),
    ),
    h('div', { class: 'admin-form__actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    form.setAttribute('aria-busy', 'true');
    submit.setAttribute('aria-disabled', 'true');
    alert(null);
    say(null);
    try {
      const made = await addAccount({ email: email.value.trim(), role: role.value, territory: parseCodes(territory.value), password: password.value });
      form.reset();
      say(() => t('users.added', { email: made.email, role: t(`role.${made.role}`) }));
      await refresh();
    } catch (err) {
      alert(() => describe(err));
      password.value = '';
    } finally {
      form.removeAttribute('aria-busy');
      submit.removeAttribute('aria-disabled');
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
    render();
  });

  root.append(
    tr('h2', { id: headingId }, 'users.title'),
    alertSlot,
    status,
    tr('h3', { id: tableId, tabindex: '-1' }, 'users.list'),
    tableArea,
    tr('h3', { id: formTitleId }, 'users.addTitle'),
    form,
  );
  refresh();
  return root;
}
