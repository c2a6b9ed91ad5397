// Asking for permission to notify, shared by the sheet ("Start guidance") and the guide:
// its own module so that the sheet does not pull the guide's code in with it.

/** Asks once (when the walker has not answered yet); never throws, never blocks guidance. */
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
