// The service worker: keeps the app's own files (and the reference lists from /meta, which hold
// no personal data) so the intake page opens and works without a network. Nothing else from the
// API is ever cached: case data stays on the server or, sealed, in the outbox.

const VERSION = "onestop-app-1";
const SHELL = [
  "/app/",
  "/app/css/app.css",
  "/app/js/main.js",
  "/app/js/api.js",
  "/app/js/board.js",
  "/app/js/dates.js",
  "/app/js/i18n.js",
  "/app/js/inbox.js",
  "/app/js/intake.js",
  "/app/js/outbox.js",
  "/app/js/session.js",
  "/app/js/signin.js",
  "/app/js/stats.js",
  "/app/js/store.js",
  "/app/js/stream.js",
  "/app/js/ui.js",
  "/app/js/work.js",
  "/app/i18n/th.json",
  "/app/i18n/en.json",
  "/app/manifest.webmanifest",
  "/app/icons/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

function cacheable(url) {
  return url.origin === self.location.origin &&
    (url.pathname.startsWith("/app/") || url.pathname.startsWith("/api/v1/meta/"));
}

// Network first (a release or a new label arrives at once), the kept copy when offline.
async function networkFirst(request) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: false });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !cacheable(url)) return;
  event.respondWith(networkFirst(event.request));
});
