// The sheet's two requests (circuit, profile), started by the router at the same time as
// the sheet's code is fetched rather than once it has arrived (issue 17): one round trip
// less before the sheet's text shows. Kept small: it comes with the list's first load.
import { getCircuit, getProfile } from './api.js';
import { isOffline } from './network.js';
import { fromApi } from './source.js';

/**
 * @typedef {object} SheetRequests
 * @property {string} id
 * @property {AbortController} controller
 * @property {Promise<{ value: import('./api.js').CircuitDetail, fromCache: boolean }>} circuit
 * @property {Promise<import('./api.js').Profile | Error>} profile never rejects
 */

/** @type {SheetRequests | null} */
let started = null;

/**
 * Starts the requests of circuit `id`'s sheet, unless offline (the sheet then shows the
 * downloaded copy without asking the network). Returns the function that cancels them if
 * the sheet has not taken them (the walker left first).
 * @param {string} id
 * @returns {() => void}
 */
export function startSheetRequests(id) {
  started?.controller.abort();
  started = null;
  if (isOffline()) return () => {};
  const controller = new AbortController();
  const { signal } = controller;
  const mine = {
    id,
    controller,
    circuit: fromApi(() => getCircuit(id, { signal })),
    profile: getProfile(id, { signal }).catch((err) => err),
  };
  // Handled where they are taken; a request left untaken must not be an unhandled rejection.
  mine.circuit.catch(() => {});
  started = mine;
  return () => {
    if (started === mine) {
      started = null;
      controller.abort();
    }
  };
}

/**
 * The requests started for circuit `id`, once (null when none were, or for another one).
 * @param {string} id
 * @returns {SheetRequests | null}
 */
export function takeSheetRequests(id) {
  const taken = started?.id === id ? started : null;
  started = null;
  return taken;
}
