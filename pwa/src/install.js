// "Install the app": shown only once the browser offers it (`beforeinstallprompt`, Chromium
// browsers); elsewhere (Safari, Firefox) the browser's own menu does it and no button shows.

/** @param {HTMLElement | null} button */
export function initInstall(button) {
  if (!button) return;
  /** @type {any} */
  let deferred = null;
  window.addEventListener('beforeinstallprompt', (e) => {
    // Kept for the walker's click rather than the browser's mini-infobar.
    e.preventDefault();
    deferred = e;
    button.hidden = false;
  });
  button.addEventListener('click', async () => {
    const event = deferred;
    if (!event) return;
    deferred = null;
    button.hidden = true;
    try {
      await event.prompt();
      await event.userChoice;
    } catch {
      // Refused or already used: the browser's menu still offers it.
    }
  });
  window.addEventListener('appinstalled', () => {
    deferred = null;
    button.hidden = true;
  });
}
