// The one error of downloads and of the downloaded copies: its message is translated and
// shown as is to the walker; `code` tells the code what kind of failure it was.
import { t } from './i18n.js';

/**
 * @typedef {'quota'|'network'|'incomplete'|'corrupt'|'invalid'|'storage'} OfflineErrorCode
 *   quota: no room left; network: the server could not be reached or refused; incomplete:
 *   a part of another size than announced; corrupt: a part of another SHA-256; invalid: a
 *   manifest or a part that makes no sense; storage: the device's database failed.
 */

export class OfflineError extends Error {
  /**
   * @param {string} message  translated, shown to the walker
   * @param {OfflineErrorCode} code
   * @param {{ cause?: unknown }} [options]  the browser's own error, kept for debugging
   */
  constructor(message, code, options) {
    super(message, options);
    this.name = 'OfflineError';
    this.code = code;
  }
}

/** The message shown when the device has no room left for a download. */
export const quotaMessage = () => t('offlineErr.quota');

/**
 * True for a QuotaExceededError (DOMException or anything with that name, legacy code 22)
 * and for an OfflineError of code 'quota'.
 * @param {unknown} err
 */
export function isQuotaError(err) {
  if (!err || typeof err !== 'object') return false;
  const { name, code } = /** @type {{ name?: unknown, code?: unknown }} */ (err);
  return name === 'QuotaExceededError' || code === 22 || code === 'quota';
}
