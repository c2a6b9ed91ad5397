// Theme labels: the API gives a circuit's themes as the source's own French words
// ("patrimoine", "eau"…). Known ones are translated (keys `theme.<word>` in i18n.js);
// any other word is shown as it comes, capitalised, rather than hidden.
import { getLocale, MESSAGES, t } from './i18n.js';

/** @param {unknown} value @returns {string} */
export function themeLabel(value) {
  const word = typeof value === 'string' ? value.trim() : '';
  if (!word) return '';
  const key = `theme.${word.toLowerCase()}`;
  if (Object.hasOwn(MESSAGES.fr, key)) return t(key);
  return word.charAt(0).toLocaleUpperCase(getLocale()) + word.slice(1);
}
