// Spoken guidance (Web Speech API, speechSynthesis): a POI reached, off route. A bonus:
// every call is guarded, nothing throws where the API is missing or refuses.

const STORAGE_KEY = 'balade.speech';

/** Whether the browser can speak at all. */
export function speechAvailable() {
  try {
    return typeof window.speechSynthesis?.speak === 'function' && typeof window.SpeechSynthesisUtterance === 'function';
  } catch {
    return false;
  }
}

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * The walker's choice, kept on the phone. Without one: on only when the walker has
 * interacted with the page (e.g. tapped "Start guidance"), as browsers refuse speech that
 * no gesture allowed, and a guide opened by a link should not start talking.
 */
export function speechWanted() {
  const choice = stored();
  if (choice === 'on') return true;
  if (choice === 'off') return false;
  try {
    return Boolean(/** @type {any} */ (navigator).userActivation?.hasBeenActive);
  } catch {
    return false;
  }
}

/** @param {boolean} on */
export function setSpeechWanted(on) {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (!on) stopSpeaking();
}

/**
 * Speaks `text` in `lang` (BCP 47, e.g. 'fr-FR': the language of the text, not of the
 * interface, so that a French description is read with a French voice).
 * @param {string} text
 * @param {string} lang
 */
export function speak(text, lang) {
  if (!text || !speechAvailable()) return;
  try {
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang || 'fr-FR';
    window.speechSynthesis.speak(u);
  } catch {
    // Speech is a bonus.
  }
}

export function stopSpeaking() {
  try {
    window.speechSynthesis?.cancel();
  } catch {
    // Nothing to stop.
  }
}

/** BCP 47 tag for a content language code ('fr' → 'fr-FR'); French by default. */
export function speechLang(code) {
  const c = typeof code === 'string' ? code.toLowerCase() : '';
  if (c.startsWith('en')) return 'en-GB';
  if (/^[a-z]{2}(-[a-z]{2})?$/.test(c) && !c.startsWith('fr')) return c;
  return 'fr-FR';
}
