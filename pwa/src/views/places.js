// Where a circuit goes: the communes it crosses and their intercommunalities, called
// "Territoire" / "Area" for visitors (list card, sheet).
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** Non-empty names of an API array (anything else: none). */
function names(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === 'string' && v.trim() !== '') : [];
}

/**
 * Labelled list of the communes crossed (walking order) and of the intercommunalities:
 * `<dl class="places …">`, one `<div>` (term + names) per kind; null when both are empty
 * (e.g. an offline copy saved before the server gave them).
 * @param {{ communes?: unknown, intercommunalities?: unknown }} p circuit properties
 * @param {string} [className] extra class of the list
 * @returns {HTMLElement | null}
 */
export function circuitPlaces(p, className = '') {
  const communes = names(p?.communes);
  const intercos = names(p?.intercommunalities);
  if (!communes.length && !intercos.length) return null;
  const row = (kind, term, values) =>
    h('div', { class: `places__${kind}` }, h('dt', {}, term), h('dd', {}, values.join(', ')));
  return h(
    'dl',
    { class: `places ${className}`.trim() },
    communes.length ? row('communes', t(communes.length === 1 ? 'place.communeOne' : 'place.communeMany'), communes) : null,
    intercos.length
      ? row('intercommunalities', t(intercos.length === 1 ? 'place.areaOne' : 'place.areaMany'), intercos)
      : null,
  );
}
