// A circuit's rating and reviews: the "★ 4.5 (2)" badge of cards, the sheet's reviews
// (published ones, with their photos and "Report this review"), and "Write a review".
import { getReviews } from '../api.js';
import { h, paragraphs, uid } from '../dom.js';
import { formatDateTime } from '../format.js';
import { getLocale, t } from '../i18n.js';
import { submitContribution } from '../outbox-ui.js';
import { disclosure, field, formButtons, formError, honeypot, photoInput } from './form-parts.js';

/** "1 étoile sur 5", "4 étoiles sur 5". @param {number} n */
const starsText = (n) => t(n === 1 ? 'review.star' : 'review.stars', { n });

/** "4,5" / "4.5". @param {number} n */
const oneDecimal = (n) => new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 1 }).format(n);

/**
 * "★ 4,5 (2)" with a spoken form ("Rated 4.5 out of 5, 2 reviews"); null without reviews.
 * @param {import('../api.js').Rating | undefined} rating
 */
export function ratingBadge(rating, className = 'rating') {
  if (!rating || !(rating.count > 0) || !Number.isFinite(rating.average)) return null;
  const average = oneDecimal(/** @type {number} */ (rating.average));
  return h(
    'span',
    { class: className },
    h('span', { 'aria-hidden': 'true' }, `★ ${average} (${rating.count})`),
    h('span', { class: 'visually-hidden' }, t('review.ratingSpoken', { avg: average, n: rating.count })),
  );
}

/** One published review, with its photos and the button to report it. @param {import('../api.js').Review} review @param {string|null} circuit */
function reviewItem(review, circuit) {
  const stars = Math.max(1, Math.min(5, Math.round(Number(review.rating) || 0)));
  const flag = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      'aria-label': t('review.flagNamed', { name: review.name }),
      onclick: async () => {
        flag.setAttribute('disabled', '');
        try {
          await submitContribution({ kind: 'flag', path: `api/v1/reviews/${encodeURIComponent(review.id)}/flag`, fields: {}, photos: [], circuit, label: review.name });
          flag.textContent = t('review.flagged');
        } catch {
          flag.removeAttribute('disabled');
        }
      },
    },
    t('review.flag'),
  );
  return h(
    'li',
    { class: 'review', dataset: { reviewId: review.id } },
    h(
      'p',
      { class: 'review__head' },
      h('span', { class: 'review__stars', 'aria-hidden': 'true' }, '★'.repeat(stars) + '☆'.repeat(5 - stars)),
      h('span', { class: 'visually-hidden' }, starsText(stars)),
      ' ',
      h('strong', {}, review.name),
      ' ',
      h('time', { class: 'muted', datetime: review.created_at }, formatDateTime(review.created_at)),
    ),
    review.text ? paragraphs(review.text) : null,
    Array.isArray(review.photos) && review.photos.length
      ? h(
          'p',
          { class: 'review__photos' },
          review.photos.map((url, i) => h('img', { src: url, alt: t('review.photoAlt', { n: i + 1, name: review.name }), loading: 'lazy', width: 160, height: 120 })),
        )
      : null,
    h('p', {}, flag),
  );
}

/** The form of a new review. @param {string} circuit @param {string} circuitName */
function reviewForm(circuit, circuitName) {
  const group = uid('stars');
  const legendId = uid('legend');
  const stars = h(
    'fieldset',
    { class: 'stars', 'aria-labelledby': legendId },
    h('legend', { id: legendId }, t('review.rating')),
    [1, 2, 3, 4, 5].map((n) =>
      h(
        'label',
        { class: 'stars__choice' },
        h('input', { type: 'radio', name: group, value: String(n), required: true }),
        h('span', { 'aria-hidden': 'true' }, '★'.repeat(n)),
        h('span', { class: 'visually-hidden' }, starsText(n)),
      ),
    ),
  );
  const text = h('textarea', { name: 'text', maxlength: 2000, rows: 4 });
  const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', name: 'name', required: true, maxlength: 60, autocomplete: 'nickname' }));
  const photos = photoInput();
  const trap = honeypot();
  const error = formError();
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'contribute__form', 'aria-label': t('review.formLabel', { name: circuitName }) }));
  const control = disclosure(t('review.open'), form);
  form.append(
    stars,
    field(t('review.text'), text, t('review.textHint')),
    field(t('review.name'), name, t('review.nameHint')),
    photos.el,
    trap.el,
    h('p', { class: 'hint' }, t('review.moderated')),
    error.el,
    formButtons(() => control.close()),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    const data = new FormData(form);
    /** @type {Record<string, string|number>} */
    const fields = { rating: Number(data.get(group)), name: name.value.trim(), website: trap.input.value };
    const said = String(data.get('text') ?? '').trim();
    if (said) fields.text = said;
    if (!fields.name) return error.show(t('review.noName'));
    try {
      await submitContribution({
        kind: 'review',
        path: `api/v1/circuits/${encodeURIComponent(circuit)}/reviews`,
        fields,
        photos: photos.files(),
        circuit,
        label: circuitName,
      });
    } catch (err) {
      return error.show(t('form.notStored', { msg: err?.message ?? '' }));
    }
    form.reset();
    control.close();
  });
  return control.el;
}

/**
 * The sheet's "Reviews" content: the rating, the published reviews (loaded now; not offline)
 * and the review form.
 * @param {{ circuit: string, name: string, rating: import('../api.js').Rating | undefined, signal: AbortSignal }} options
 */
export function reviewsContent({ circuit, name, rating, signal }) {
  const list = h('ul', { class: 'reviews' });
  const state = h('p', { class: 'muted' }, t('review.loading'));
  getReviews(circuit, { signal }).then(
    (page) => {
      const reviews = Array.isArray(page?.reviews) ? page.reviews : [];
      state.textContent = reviews.length ? '' : t('review.none');
      state.hidden = reviews.length > 0;
      list.replaceChildren(...reviews.map((r) => reviewItem(r, circuit)));
    },
    (err) => {
      if (err?.name === 'AbortError') return;
      state.textContent = t('review.unavailable');
    },
  );
  return [
    h('p', { class: 'rating-summary' }, ratingBadge(rating, 'rating rating--large') ?? t('review.noRating')),
    state,
    list,
    reviewForm(circuit, name),
  ];
}
