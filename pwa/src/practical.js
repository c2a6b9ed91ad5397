// Practical information of a circuit sheet (`properties.practical`): what is worth showing.
// Pure (no DOM), so that it runs under Node too (tests/i18n.test.mjs).

/** Text fields of `practical`, in display order (i18n key `practical.<field>`). */
export const PRACTICAL_FIELDS = ['access', 'parking', 'public_transport', 'best_season', 'recommendations', 'accessibility'];

/**
 * The practical information worth showing, from `properties.practical` (any field may be
 * absent, null or blank): `{ items: [{ field, text }], steps: string[] }`, or null when
 * there is nothing at all.
 */
export function practicalInfo(practical) {
  if (!practical || typeof practical !== 'object') return null;
  const items = PRACTICAL_FIELDS.filter((f) => typeof practical[f] === 'string' && practical[f].trim() !== '').map((field) => ({
    field,
    text: practical[field],
  }));
  const steps = (Array.isArray(practical.steps) ? practical.steps : [])
    .filter((s) => typeof s === 'string' && s.trim() !== '')
    .map((s) => s.trim());
  return items.length || steps.length ? { items, steps } : null;
}
