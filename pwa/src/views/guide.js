// Guidance page (#/circuits/{id}/guide): position, progress, off-route alert, POI cards.
// Works online or offline (from the downloaded copy's `guide` part).
import { getCircuit, getGuide, getPoi, getProfile } from '../api.js';
import { h, paragraphs, uid } from '../dom.js';
import { compassWord, formatDuration, formatLength, formatMeters, poiKindLabel } from '../format.js';
import { guideInput, photoOf } from '../guide-data.js';
import { createGuide, DEFAULT_CONFIG } from '../guidance.js';
import { getLang, getLocale, t } from '../i18n.js';
import { createMap, createProgressTrace, createWalker, destroyMap, showTrace } from '../map.js';
import { createPace, minutesLeft } from '../pace.js';
import { renderProfile, setProfilePosition } from '../profile.js';
import { setSpeechWanted, speak as say, speechAvailable as canSpeak, speechLang, speechWanted, stopSpeaking } from '../speech.js';
import { createCardStack } from './guide-cards.js';
import { getOffline, recordPart } from '../offline.js';
import { fromApi, networkOrCopy } from '../source.js';
import { correctionControl } from './correction-form.js';
import { reportControl } from './report-form.js';
import { askNotificationPermission } from '../notifications.js';

export { askNotificationPermission };

const LANDSCAPE_BANNER_MS = 15_000;

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
    const options = { body: body.slice(0, 240), tag, lang: getLang() };
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
 * Everything guidance needs.
 * @typedef {Object} GuideSource
 * @property {import('../api.js').GuideData} guide
 * @property {import('../api.js').CircuitDetail | null} sheet  for the name, figures and trace
 * @property {import('../offline.js').OfflineRecord | undefined} record  the downloaded copy, if
 *   any: its POIs and basemap serve whatever the source of the guide
 * @property {boolean} fromCopy  the guide is the downloaded copy's
 */

/**
 * The guide and the sheet, from the network or the downloaded copy (source.js).
 * @param {string} id
 * @param {AbortSignal} signal
 * @returns {Promise<GuideSource>}
 */
async function loadGuideData(id, signal) {
  const recordPromise = getOffline(id);
  const source = await networkOrCopy({
    signal,
    network: async (sig) => {
      // The sheet only adds the name and the POIs' distances: guidance goes on without it.
      const sheet = getCircuit(id, { signal: sig }).catch(() => null);
      const { value: guide, fromCache } = await fromApi(() => getGuide(id, { signal: sig }));
      return { value: { guide, sheet: await sheet }, fromCache };
    },
    copy: async () => {
      const record = await recordPromise;
      const guide = recordPart(record, 'guide');
      return guide ? { guide, sheet: recordPart(record, 'sheet') ?? null } : null;
    },
  });
  return { ...source.value, record: await recordPromise, fromCopy: source.from === 'copy' };
}

/**
 * @param {HTMLElement} main
 * @param {string} id
 * @param {{ setTitle: (t: string) => void, focusHeading: () => void }} ctx
 * @returns {() => void}
 */
export function renderGuide(main, id, ctx) {
  ctx.setTitle(t('guide.title'));
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
    { class: 'breadcrumb', 'aria-label': t('common.breadcrumb') },
    h('a', { href: sheetHash }, h('span', { 'aria-hidden': 'true' }, '← '), t('guide.back')),
  );
  main.append(h('div', { class: 'page' }, back, h('p', { class: 'count', role: 'status' }, t('guide.preparing'))));

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
          h('h1', { tabindex: '-1' }, t('guide.unavailable')),
          h(
            'p',
            { class: 'notice notice--error', role: 'alert' },
            err.status === 404 ? t('guide.notFound') : t('guide.downloadHint', { msg: err.message }),
          ),
        ),
      );
      ctx.focusHeading();
      return;
    }
    if (signal.aborted) return;
    build(data);
  }

  /** @param {GuideSource} data */
  function build({ guide, sheet, record, fromCopy }) {
    /** @type {Partial<import('../api.js').CircuitDetailProps>} */
    const props = sheet?.properties ?? {};
    const name = props.name || record?.name || id;
    ctx.setTitle(t('guide.titleOf', { name }));
    const lengthM = Number.isFinite(guide.length_m) ? guide.length_m : props.length_m;
    const durationMin = Number.isFinite(guide.duration_min) ? guide.duration_min : props.duration_min;
    const input = guideInput(guide);
    const walk = createGuide(input);
    const poiById = new Map((guide.pois || []).map((p) => [p.id, p]));
    const alongById = new Map((props.pois_along || []).map((p) => [p.id, p]));
    const landscapeById = new Map((guide.landscapes || []).map((l) => [l.id, l]));
    let fixes = 0;
    const pace = createPace();
    /** @type {{ lon: number, lat: number } | null} the last position, for a trail report */
    let lastFix = null;

    // --- Elements
    const status = h('p', { class: 'guide__status', role: 'status' }, t('guide.waiting'));
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
      h('div', {}, h('dt', {}, t('guide.done')), done),
      h('div', {}, h('dt', {}, t('guide.remaining')), remaining),
      h('div', {}, h('dt', {}, t('guide.eta')), eta),
      h('div', {}, h('dt', {}, t('guide.next')), nextPoi),
    );
    // The newest POI's card is the only one open; earlier ones go to "Seen (N)".
    const cardStack = createCardStack();
    const mapEl = h('div', { class: 'map map--guide' });
    const speechAvailable = canSpeak();
    let speechOn = speechAvailable && speechWanted();
    // Controls within thumb reach: a bar fixed at the bottom of the screen (style.css).
    const speechButton = h(
      'button',
      { type: 'button', class: 'button button--secondary guide__speech', 'aria-pressed': String(speechOn), disabled: !speechAvailable },
      t('guide.voice'),
      speechAvailable ? null : t('guide.speechOff'),
    );
    const recenterButton = h('button', { type: 'button', class: 'button button--secondary guide__recenter', 'aria-pressed': 'true' }, t('guide.recenter'));
    const stopButton = h('button', { type: 'button', class: 'button button--danger' }, t('guide.stop'));
    const profileSlot = h('div', { class: 'guide__profile' });

    const root = h(
      'div',
      { class: 'page guide', dataset: { fixes: '0', doneM: '' } },
      h('div', { class: 'guide__top' }, back, h('h1', { tabindex: '-1' }, t('guide.titleOf', { name })), figures),
      fromCopy ? h('p', { class: 'muted' }, t('guide.fromCopy')) : null,
      status,
      banner,
      mapEl,
      // Pinned above the bottom bar: the off-route alert, then the newest POI's card.
      h('div', { class: 'guide__overlay' }, alerts, cardStack.current),
      cardStack.seen,
      h('section', { class: 'guide__profile-section', 'aria-label': t('sheet.profileSection') }, profileSlot),
      h(
        'div',
        { class: 'guide__dock' },
        recenterButton,
        speechButton,
        stopButton,
        reportControl({ circuit: id, circuitName: name, map: () => map, lastFix: () => lastFix }),
      ),
    );
    main.replaceChildren(root);
    ctx.focusHeading();

    // --- Map
    const pois = (guide.pois || [])
      .map((p) => ({ ...p, distance_m: alongById.get(p.id)?.distance_m }))
      .sort((a, b) => (a.distance_m ?? Infinity) - (b.distance_m ?? Infinity));
    const geometry = sheet?.geometry || { type: 'MultiLineString', coordinates: input.segments };
    map = createMap(mapEl, t('guide.mapLabel', { name }), { basemap: record?.basemap });
    showTrace(map, geometry, pois);
    const progressTrace = createProgressTrace(map, geometry);
    const walker = createWalker(map, {
      onFollowChange: (following) => recenterButton.setAttribute('aria-pressed', String(following)),
    });
    recenterButton.addEventListener('click', () => walker.recenter());

    // --- Profile: "you are here" and the climb left (loaded after the map, not waited for).
    /** @type {Element|null} */
    let profileFigure = null;
    let lastDone = null;
    (async () => {
      /** @type {import('../api.js').Profile | null | undefined} */
      let profile = recordPart(record, 'profile');
      if (!profile) profile = await getProfile(id, { signal }).catch(() => null);
      if (signal.aborted || !profile) return;
      // Only POIs whose distance is known get a badge (renderProfile skips the others).
      const along = /** @type {import('../api.js').PoiAlong[]} */ (/** @type {unknown} */ (pois));
      profileFigure = renderProfile(profile, along, name, Math.min(profileSlot.clientWidth || 360, 700));
      profileSlot.replaceChildren(profileFigure);
      if (lastDone !== null) setProfilePosition(profileFigure, lastDone);
    })();

    // --- Speech: POI texts in the content's language (French unless the data says
    // otherwise: the server falls back to French), alerts in the interface's.
    const contentLang = speechLang(/** @type {any} */ (props).content_lang);
    function speak(text, lang = getLocale()) {
      if (speechOn) say(text, lang);
    }
    speechButton.addEventListener('click', () => {
      speechOn = !speechOn;
      speechButton.setAttribute('aria-pressed', String(speechOn));
      setSpeechWanted(speechOn);
    });

    // --- Events
    function offRoute(e) {
      const text = t('guide.offRoute', { d: formatMeters(e.distance_m), dir: compassWord(e.bearing_deg) });
      alerts.replaceChildren(h('p', { class: 'alert alert--off-route', role: 'alert' }, text));
      vibrate([200, 100, 200]);
      speak(text, getLocale());
    }

    function backOnRoute() {
      alerts.replaceChildren();
      status.textContent = t('guide.backOnRoute');
    }

    async function poiCard(poiId) {
      /** @type {Partial<import('../api.js').GuidePoi>} */
      const base = poiById.get(poiId) ?? { id: poiId };
      const titleId = uid('poi');
      const body = h('div', { class: 'poi-card__body' });
      // A div: role="dialog" is not allowed on <article> (and overrides its meaning anyway).
      const card = h(
        'div',
        { class: `poi-card poi--${String(base.kind || 'other').replace(/[^a-z_-]/gi, '')}`, role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': titleId, dataset: { poiId } },
        h('h2', { id: titleId }, base.name || poiId),
        h('p', { class: 'poi-card__kind' }, poiKindLabel(base.kind)),
        body,
        h('button', { type: 'button', class: 'button button--small button--secondary', onclick: () => cardStack.close(card) }, t('common.close')),
        correctionControl({
          target: `poi:${poiId}`,
          label: base.name || poiId,
          current: { name: base.name, description: alongById.get(poiId)?.description },
          circuit: id,
          named: true,
        }),
      );
      cardStack.open(card);
      vibrate([100]);

      // Content: the downloaded POI part, else the API, else the sheet's short text.
      let feature = recordPart(record, 'poi', poiId);
      if (!feature) feature = await getPoi(poiId, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      /** @type {Partial<import('../api.js').PoiDetail['properties']>} */
      const fp = feature?.properties ?? {};
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
      // An audio commentary, when the POI has one (streamed: it needs the network).
      const audio = (Array.isArray(fp.media) ? fp.media : []).find((m) => m?.kind === 'audio' && /^https?:\/\//.test(m.url || ''));
      if (audio) {
        body.append(h('audio', { controls: true, preload: 'none', src: audio.url, 'aria-label': audio.title || t('sheet.audio') }));
      }
      const title = fp.name || base.name || poiId;
      notify(title, description, `balade-poi-${poiId}`);
      speak(description ? `${title}. ${description}` : title, /** @type {any} */ (fp).lang ? speechLang(/** @type {any} */ (fp).lang) : contentLang);
    }

    function landscape(landId) {
      const l = landscapeById.get(landId);
      const text = t('guide.entering', { name: l?.name || landId });
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
      lastDone = p.done_m;
      progressTrace.setDone(p.done_m);
      if (profileFigure) setProfilePosition(profileFigure, p.done_m);
      done.textContent = formatLength(p.done_m);
      remaining.textContent = formatLength(p.remaining_m);
      const minutes = minutesLeft(p.remaining_m, pace.speed(), lengthM, durationMin);
      eta.textContent = minutes === null ? '–' : formatDuration(minutes);
      if (p.next_poi) {
        const next = poiById.get(p.next_poi.id);
        nextPoi.textContent = t('guide.nextValue', { name: next?.name || p.next_poi.id, d: formatLength(p.next_poi.distance_m) });
      } else nextPoi.textContent = t('common.none');
    }

    function onPosition(pos) {
      const c = pos.coords;
      const fix = { lon: c.longitude, lat: c.latitude, accuracy: c.accuracy, t: pos.timestamp };
      lastFix = { lon: fix.lon, lat: fix.lat };
      walker.update(c.latitude, c.longitude, c.accuracy, c.heading);
      if (!(c.accuracy <= (input.config.max_accuracy_m ?? DEFAULT_CONFIG.max_accuracy_m))) {
        status.textContent = t('guide.imprecise', { acc: formatMeters(c.accuracy) });
      } else if (!alerts.childElementCount) {
        status.textContent = t('guide.position', { acc: formatMeters(c.accuracy) });
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
      const p = walk.progress();
      if (p && !alerts.childElementCount) pace.add(Number.isFinite(pos.timestamp) ? pos.timestamp : Date.now(), p.done_m);
      showProgress();
      fixes += 1;
      root.dataset.fixes = String(fixes);
    }

    function onError(err) {
      const messages = {
        1: t('guide.denied'),
        2: t('guide.noSignal'),
        3: t('guide.slow'),
      };
      status.textContent = messages[err?.code] || t('guide.noPosition');
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
        status.textContent = t('guide.noGeo');
        return;
      }
      watchId = navigator.geolocation.watchPosition(onPosition, onError, { enableHighAccuracy: true, maximumAge: 0 });
      wantWakeLock = true;
      acquireWakeLock();
      askNotificationPermission();
      stopButton.textContent = t('guide.stop');
    }

    stopButton.addEventListener('click', () => {
      if (watchId !== null) {
        stopWatch();
        status.textContent = t('guide.stopped');
        stopButton.textContent = t('guide.resume');
      } else {
        status.textContent = t('guide.waiting');
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
    stopSpeaking();
    destroyMap(map);
  };
}
