// Guidance page (#/circuits/{id}/guide): position, progress, off-route alert, POI cards.
// Works online or offline (from the downloaded copy's `guide` part).
import { getCircuit, getGuide, getPoi } from '../api.js';
import { h, paragraphs, uid } from '../dom.js';
import { compassWord, formatDuration, formatLength, formatMeters, poiKindLabel, remainingMinutes } from '../format.js';
import { guideInput, photoOf } from '../guide-data.js';
import { createGuide, DEFAULT_CONFIG } from '../guidance.js';
import { createMap, createWalker, destroyMap, showTrace } from '../map.js';
import { getOffline, recordPart } from '../offline.js';

const LANDSCAPE_BANNER_MS = 15_000;

/** Asks for notification permission without waiting for the answer. */
export function askNotificationPermission() {
  try {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
      const p = Notification.requestPermission();
      if (p && typeof p.catch === 'function') p.catch(() => {});
    }
  } catch {
    // Never block guidance on it.
  }
}

function vibrate(pattern) {
  try {
    navigator.vibrate?.(pattern);
  } catch {
    // Not available.
  }
}

function notify(title, body, tag) {
  try {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const options = { body: body.slice(0, 240), tag, lang: 'fr' };
    const fallback = () => {
      try {
        new Notification(title, options);
      } catch {
        // Constructor refused (Android): nothing else to do.
      }
    };
    if (navigator.serviceWorker?.getRegistration) {
      navigator.serviceWorker
        .getRegistration()
        .then((reg) => (reg ? reg.showNotification(title, options) : fallback()))
        .catch(fallback);
    } else fallback();
  } catch {
    // Notifications are a bonus.
  }
}

/**
 * Everything guidance needs: downloaded copy first (it works on the trail with a bad
 * signal), else the API.
 */
async function loadGuideData(id, signal) {
  const record = await getOffline(id);
  const guide = recordPart(record, 'guide');
  if (guide) {
    const sheet = recordPart(record, 'sheet') || null;
    return { guide, sheet, record };
  }
  const [g, sheet] = await Promise.all([getGuide(id, { signal }), getCircuit(id, { signal }).catch(() => null)]);
  return { guide: g, sheet, record: null };
}

/**
 * @param {HTMLElement} main
 * @param {string} id
 * @param {{ setTitle: (t: string) => void, focusHeading: () => void }} ctx
 * @returns {() => void}
 */
export function renderGuide(main, id, ctx) {
  ctx.setTitle('Guidage');
  const controller = new AbortController();
  const { signal } = controller;
  const sheetHash = `#/circuits/${encodeURIComponent(id)}`;
  let map = null;
  let watchId = null;
  let wakeLock = null;
  let wantWakeLock = false;
  let landscapeTimer = null;
  let onVisibility = null;

  const back = h(
    'nav',
    { class: 'breadcrumb', 'aria-label': 'Fil d’Ariane' },
    h('a', { href: sheetHash }, h('span', { 'aria-hidden': 'true' }, '← '), 'Retour à la fiche du circuit'),
  );
  main.append(h('div', { class: 'page' }, back, h('p', { class: 'count', role: 'status' }, 'Préparation du guidage…')));

  async function start() {
    let data;
    try {
      data = await loadGuideData(id, signal);
    } catch (err) {
      if (err?.name === 'AbortError') return;
      main.replaceChildren(
        h(
          'div',
          { class: 'page page--message' },
          back,
          h('h1', { tabindex: '-1' }, 'Guidage indisponible'),
          h(
            'p',
            { class: 'notice notice--error', role: 'alert' },
            err.status === 404 ? 'Ce circuit est introuvable.' : `${err.message} Téléchargez le circuit pour le suivre sans connexion.`,
          ),
        ),
      );
      ctx.focusHeading();
      return;
    }
    if (signal.aborted) return;
    build(data);
  }

  function build({ guide, sheet, record }) {
    const props = sheet?.properties || {};
    const name = props.name || record?.name || id;
    ctx.setTitle(`Guidage : ${name}`);
    const lengthM = Number.isFinite(guide.length_m) ? guide.length_m : props.length_m;
    const durationMin = Number.isFinite(guide.duration_min) ? guide.duration_min : props.duration_min;
    const input = guideInput(guide);
    const walk = createGuide(input);
    const poiById = new Map((guide.pois || []).map((p) => [p.id, p]));
    const alongById = new Map((props.pois_along || []).map((p) => [p.id, p]));
    const landscapeById = new Map((guide.landscapes || []).map((l) => [l.id, l]));
    let fixes = 0;

    // --- Elements
    const status = h('p', { class: 'guide__status', role: 'status' }, 'En attente de votre position…');
    const alerts = h('div', { class: 'guide__alerts' });
    const banner = h('p', { class: 'banner banner--landscape', role: 'status', hidden: true });
    const dd = () => h('dd', {}, '–');
    const done = dd();
    const remaining = dd();
    const eta = dd();
    const nextPoi = dd();
    const figures = h(
      'dl',
      { class: 'figures guide__progress' },
      h('div', {}, h('dt', {}, 'Parcouru'), done),
      h('div', {}, h('dt', {}, 'Restant'), remaining),
      h('div', {}, h('dt', {}, 'Temps restant estimé'), eta),
      h('div', {}, h('dt', {}, 'Prochain point'), nextPoi),
    );
    const cardsId = uid('cards');
    const cards = h('div', { class: 'guide__cards', id: cardsId, role: 'region', 'aria-label': 'Points d’intérêt atteints', 'aria-live': 'polite' });
    const mapEl = h('div', { class: 'map map--guide' });
    const speechToggle = h('input', { type: 'checkbox', id: uid('speech') });
    const speechAvailable = typeof window.speechSynthesis !== 'undefined' && typeof window.SpeechSynthesisUtterance === 'function';
    if (!speechAvailable) speechToggle.disabled = true;
    const stopButton = h('button', { type: 'button', class: 'button button--danger' }, 'Arrêter');

    const root = h(
      'div',
      { class: 'page guide', dataset: { fixes: '0', doneM: '' } },
      back,
      h('h1', { tabindex: '-1' }, `Guidage : ${name}`),
      record ? h('p', { class: 'muted' }, 'Guidage depuis la copie hors ligne.') : null,
      status,
      alerts,
      banner,
      figures,
      cards,
      mapEl,
      h(
        'p',
        { class: 'guide__controls' },
        h('label', { class: 'toggle' }, speechToggle, ' Lecture à voix haute', speechAvailable ? null : ' (indisponible)'),
        ' ',
        stopButton,
      ),
    );
    main.replaceChildren(root);
    ctx.focusHeading();

    // --- Map
    const pois = (guide.pois || [])
      .map((p) => ({ ...p, distance_m: alongById.get(p.id)?.distance_m }))
      .sort((a, b) => (a.distance_m ?? Infinity) - (b.distance_m ?? Infinity));
    const geometry = sheet?.geometry || { type: 'MultiLineString', coordinates: input.segments };
    map = createMap(mapEl, `Carte du guidage sur ${name}`, { basemap: record?.basemap });
    showTrace(map, geometry, pois);
    const walker = createWalker(map);

    // --- Speech
    function speak(text) {
      if (!speechToggle.checked || !speechAvailable) return;
      try {
        const u = new SpeechSynthesisUtterance(text);
        u.lang = 'fr-FR';
        window.speechSynthesis.speak(u);
      } catch {
        // Speech is a bonus.
      }
    }
    speechToggle.addEventListener('change', () => {
      if (!speechToggle.checked) {
        try {
          window.speechSynthesis?.cancel();
        } catch {
          // Nothing to stop.
        }
      }
    });

    // --- Events
    function offRoute(e) {
      const text = `Vous vous écartez du parcours : à ${formatMeters(e.distance_m)}, direction ${compassWord(e.bearing_deg)}`;
      alerts.replaceChildren(h('p', { class: 'alert alert--off-route', role: 'alert' }, text));
      vibrate([200, 100, 200]);
      speak(text);
    }

    function backOnRoute() {
      alerts.replaceChildren();
      status.textContent = 'Vous êtes de retour sur le parcours.';
    }

    async function poiCard(poiId) {
      const base = poiById.get(poiId) || { id: poiId };
      const titleId = uid('poi');
      const body = h('div', { class: 'poi-card__body' });
      // A div: role="dialog" is not allowed on <article> (and overrides its meaning anyway).
      const card = h(
        'div',
        { class: `poi-card poi--${String(base.kind || 'other').replace(/[^a-z_-]/gi, '')}`, role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': titleId, dataset: { poiId } },
        h('h2', { id: titleId }, base.name || poiId),
        h('p', { class: 'poi-card__kind' }, poiKindLabel(base.kind)),
        body,
        h('button', { type: 'button', class: 'button button--small button--secondary', onclick: () => card.remove() }, 'Fermer'),
      );
      cards.append(card);
      vibrate([100]);

      // Content: the downloaded POI part, else the API, else the sheet's short text.
      let feature = recordPart(record, 'poi', poiId);
      if (!feature) feature = await getPoi(poiId, { signal }).catch(() => null);
      if (signal.aborted) return;
      const fp = feature?.properties || {};
      const description = fp.description || alongById.get(poiId)?.description || '';
      const photo = photoOf(fp.media);
      // The phone-size derivative: the one the downloaded copy holds (Cache Storage).
      if (photo) {
        body.append(
          h('img', {
            class: 'poi-card__photo',
            src: photo.url,
            alt: photo.alt || fp.name || base.name || '',
            width: photo.width ?? null,
            height: photo.height ?? null,
            decoding: 'async',
          }),
        );
      }
      if (description) body.append(...paragraphs(description));
      const title = fp.name || base.name || poiId;
      notify(title, description, `balade-poi-${poiId}`);
      speak(description ? `${title}. ${description}` : title);
    }

    function landscape(landId) {
      const l = landscapeById.get(landId);
      const text = `Vous entrez dans : ${l?.name || landId}`;
      banner.textContent = text;
      banner.hidden = false;
      clearTimeout(landscapeTimer);
      landscapeTimer = setTimeout(() => {
        banner.hidden = true;
      }, LANDSCAPE_BANNER_MS);
      speak(text);
    }

    function showProgress() {
      const p = walk.progress();
      if (!p) return;
      root.dataset.doneM = String(Math.round(p.done_m));
      done.textContent = formatLength(p.done_m);
      remaining.textContent = formatLength(p.remaining_m);
      const minutes = remainingMinutes(p.remaining_m, lengthM, durationMin);
      eta.textContent = minutes === null ? '–' : formatDuration(minutes);
      if (p.next_poi) {
        const next = poiById.get(p.next_poi.id);
        nextPoi.textContent = `${next?.name || p.next_poi.id} dans ${formatLength(p.next_poi.distance_m)}`;
      } else nextPoi.textContent = 'Aucun';
    }

    function onPosition(pos) {
      const c = pos.coords;
      const fix = { lon: c.longitude, lat: c.latitude, accuracy: c.accuracy, t: pos.timestamp };
      walker.update(c.latitude, c.longitude, c.accuracy, c.heading);
      if (!(c.accuracy <= (input.config.max_accuracy_m ?? DEFAULT_CONFIG.max_accuracy_m))) {
        status.textContent = `Position imprécise (± ${formatMeters(c.accuracy)}) : en attente d’une meilleure précision.`;
      } else if (!alerts.childElementCount) {
        status.textContent = `Position reçue (± ${formatMeters(c.accuracy)}).`;
      }
      let events = [];
      try {
        events = walk.update(fix);
      } catch (err) {
        console.error(err);
      }
      for (const e of events) {
        if (e.type === 'off_route') offRoute(e);
        else if (e.type === 'back_on_route') backOnRoute();
        else if (e.type === 'poi') poiCard(e.id);
        else if (e.type === 'landscape') landscape(e.id);
      }
      showProgress();
      fixes += 1;
      root.dataset.fixes = String(fixes);
    }

    function onError(err) {
      const messages = {
        1: 'La localisation est refusée : autorisez-la pour ce site dans les réglages du navigateur.',
        2: 'Position indisponible : vérifiez que la localisation de l’appareil est activée.',
        3: 'La position tarde à venir…',
      };
      status.textContent = messages[err?.code] || 'Position indisponible.';
    }

    // --- Wake lock
    async function acquireWakeLock() {
      if (!wantWakeLock || wakeLock || !navigator.wakeLock?.request || document.visibilityState !== 'visible') return;
      try {
        wakeLock = await navigator.wakeLock.request('screen');
        wakeLock.addEventListener?.('release', () => {
          wakeLock = null;
        });
      } catch {
        wakeLock = null;
      }
    }
    onVisibility = () => {
      if (document.visibilityState === 'visible') acquireWakeLock();
    };
    document.addEventListener('visibilitychange', onVisibility);

    function startWatch() {
      if (!('geolocation' in navigator)) {
        status.textContent = 'Ce navigateur ne donne pas accès à la position.';
        return;
      }
      watchId = navigator.geolocation.watchPosition(onPosition, onError, { enableHighAccuracy: true, maximumAge: 0 });
      wantWakeLock = true;
      acquireWakeLock();
      askNotificationPermission();
      stopButton.textContent = 'Arrêter';
    }

    stopButton.addEventListener('click', () => {
      if (watchId !== null) {
        stopWatch();
        status.textContent = 'Guidage arrêté.';
        stopButton.textContent = 'Reprendre le guidage';
      } else {
        status.textContent = 'En attente de votre position…';
        startWatch();
      }
    });

    startWatch();
  }

  function stopWatch() {
    if (watchId !== null) {
      try {
        navigator.geolocation.clearWatch(watchId);
      } catch {
        // Already cleared.
      }
      watchId = null;
    }
    wantWakeLock = false;
    const lock = wakeLock;
    wakeLock = null;
    lock?.release?.().catch?.(() => {});
  }

  start();

  return () => {
    controller.abort();
    stopWatch();
    clearTimeout(landscapeTimer);
    if (onVisibility) document.removeEventListener('visibilitychange', onVisibility);
    try {
      window.speechSynthesis?.cancel();
    } catch {
      // Nothing to stop.
    }
    destroyMap(map);
  };
}
