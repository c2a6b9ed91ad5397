// Staff accounts over `/api/v1/admin/users` (admins only): list, add, disable. Raw answers
// are checked into `Account`; the view (users.js) never reads a response itself.
import { StaffApiError as UsersError, send } from './http.js';
import { ROLES } from './auth.js';

const USERS = '/api/v1/admin/users';

/** @typedef {import('./auth.js').Role} Role */

/**
 * @typedef {Object} Account
 * @property {string} email
 * @property {Role} role
 * @property {string[]} territory   INSEE commune and SIREN intercommunality codes
 * @property {boolean} disabled
 */

export { UsersError };

/** @param {any} raw @returns {Account|null} an account, or null when the shape is not one */
export function toAccount(raw) {
  if (!raw || typeof raw.email !== 'string' || !ROLES.includes(raw.role)) return null;
  const territory = Array.isArray(raw.territory) ? raw.territory.filter((/** @type {unknown} */ c) => typeof c === 'string') : [];
  return { email: raw.email, role: raw.role, territory, disabled: raw.disabled === true };
}

/** Every account, by e-mail. @returns {Promise<Account[]>} */
export async function listAccounts() {
  const body = await send(USERS);
  const users = Array.isArray(body?.users) ? body.users : [];
  return users.map(toAccount).filter((/** @type {Account|null} */ a) => a !== null);
}

/**
 * Makes an account; the server states why it refuses one (a 400 with its reason).
 * @param {{ email: string, role: string, territory: string[], password: string }} account
 */
export async function addAccount(account) {
  const body = await send(USERS, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(account) });
  const made = toAccount(body);
  if (!made) throw new UsersError(201, 'unexpected answer');
  return made;
}

/** Disables an account: it is logged out and can no longer log in. @param {string} email */
export async function disableAccount(email) {
  await send(`${USERS}/${encodeURIComponent(email)}/disable`, { method: 'POST' });
}

/** Territory codes as typed: split on commas (and spaces), blanks dropped. @param {string} text */
export const parseCodes = (text) => text.split(/[\s,;]+/).filter(Boolean);
