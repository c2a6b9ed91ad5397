// Page helpers shared by the browser tests (offline copies, service worker).

/** Waits until the service worker controls the page (reloads once if needed). */
export async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const controlled = await page
    .waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 5000 })
    .then(
      () => true,
      () => false,
    );
  if (!controlled) {
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  }
}

/** The IndexedDB record of a downloaded circuit, as seen by the page (null when absent). */
export function storedRecord(page, id) {
  return page.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('balade');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('circuits').objectStore('circuits').get(key);
          get.onsuccess = () => resolve(get.result ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
}
