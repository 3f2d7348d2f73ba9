// Spanorama's service worker: keeps the site's own files so the page opens without a
// network once visited, and can be installed. It never touches other origins (a tracing
// backend, a URL being loaded), so what is fetched from them is never stored here.
//
// Network first: online, every file comes from the site and the copy here is refreshed;
// offline, the copy is used. Data (examples, files given by URL) is never stored. Installing stores the page and everything it names (Trunk's
// hashed script, wasm and style) plus the workers, so the first visit already works offline.

const CACHE = 'spanorama-site-v1';
const WORKERS = [
  'spanorama-worker.js', 'spanorama-worker_bg.wasm', 'spanorama-worker_loader.js',
  'spanorama-layout-worker.js', 'spanorama-layout-worker_bg.wasm', 'spanorama-layout-worker_loader.js',
];
const SCOPE = new URL('./', self.location).href;

/** The site's files the page names: quoted paths ending in a file type the site serves. */
function assetsOf(html) {
  const found = html.match(/["'][^"'\s]+\.(?:js|wasm|css|svg|webmanifest|png)["']/g) || [];
  return found.map((q) => new URL(q.slice(1, -1), SCOPE).href).filter((u) => u.startsWith(SCOPE));
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch(SCOPE, { cache: 'no-cache' });
    if (!page.ok) throw new Error(`the page answered ${page.status}`);
    const html = await page.clone().text();
    await cache.put(SCOPE, page);
    const files = new Set([...assetsOf(html), ...WORKERS.map((w) => new URL(w, SCOPE).href)]);
    await Promise.all([...files].map(async (url) => {
      const response = await fetch(url, { cache: 'no-cache' });
      if (response.ok) await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

/** The site's own files: its pages and its scripts, wasm, styles, icons and manifest. Data
 *  (examples, files given by URL) is left to the network, never copied here. */
function isSiteFile(request) {
  if (request.mode === 'navigate') return true;
  const path = new URL(request.url).pathname;
  return /\.(?:js|wasm|css|svg|png|webmanifest)$/.test(path);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE) || !isSiteFile(request)) return;
  // A page of the site (any query or fragment) is the one page.
  const key = request.mode === 'navigate' ? SCOPE : request.url;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
      }
      return response;
    } catch (offline) {
      const kept = await caches.match(key, { ignoreSearch: request.mode === 'navigate' });
      if (kept) return kept;
      throw offline;
    }
  })());
});
