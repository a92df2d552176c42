/* Shouhu service worker: the patrol map opens at a pond with no signal at all.
 *
 * - the shell (Leaflet, the map's script and styles, icons) is kept on install;
 * - /map pages the server marks "X-Shouhu-Offline: keep" (no exact homes in them) are
 *   kept as last served and shown at once, then fetched again in the background: the
 *   page says how old its data is and offers the newer copy when it has arrived;
 * - map tiles of the caller's area (asked for by the page) and every tile seen are
 *   kept, so the base map is there too;
 * - check-ins are not handled here: the page's queue keeps them until the gateway
 *   acknowledged them (the hazards service de-duplicates by client_id).
 * A sign-in page drops the kept pages: the next person does not see the last one's map.
 * SHOUHU (the version and shell list) is written above this script by the gateway.
 */
/* global SHOUHU */
"use strict";
var SHELL = "shouhu-shell-" + SHOUHU.version;
var PAGES = "shouhu-pages";
var TILES = "shouhu-tiles";
var MAX_TILES = 2000;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(SHOUHU.shell); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("shouhu-shell-") === 0 && k !== SHELL;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(name, request) {
  // by address only: a kept page answers a navigation whatever its headers were
  return caches.open(name).then(function (c) { return c.match(request, {ignoreVary: true}); });
}

function cacheFirst(name, request) {
  return kept(name, request).then(function (hit) {
    return hit || fetch(request).then(function (resp) {
      if (resp.ok || resp.type === "opaque") {
        var copy = resp.clone();
        caches.open(name).then(function (c) { c.put(request, copy); });
      }
      return resp;
    });
  });
}

function refresh(request, clientId) {
  return fetch(request).then(function (resp) {
    return caches.open(PAGES).then(function (c) {
      if (resp.ok && resp.headers.get("X-Shouhu-Offline") === "keep") {
        return c.put(request, resp.clone()).then(function () { return tell(clientId, request); })
          .then(function () { return resp; });
      }
      return c.delete(request).then(function () { return resp; });
    });
  });
}

function tell(clientId, request) {
  var url = new URL(request.url);
  return self.clients.get(clientId || "").then(function (client) {
    if (client) { client.postMessage({fresh: url.pathname + url.search}); }
  });
}

// the kept copy at once (no waiting on a weak link), a fresh one fetched behind it
function page(e) {
  return kept(PAGES, e.request).then(function (hit) {
    var fresh = refresh(e.request, hit ? e.resultingClientId : null);
    if (!hit) { return fresh; }
    e.waitUntil(fresh.catch(function () { /* no signal: the kept copy stands */ }));
    return hit;
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET") { return; }
  if (url.origin === self.location.origin) {
    if (url.pathname === "/login") { e.waitUntil(caches.delete(PAGES)); return; }
    if (url.pathname === "/map" && req.mode === "navigate") { e.respondWith(page(e)); return; }
    if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/favicon.ico") {
      e.respondWith(cacheFirst(SHELL, req));
    }
    return;
  }
  if (req.destination === "image") { e.respondWith(cacheFirst(TILES, req)); }
});

// The page asks to be kept (the first visit came before this worker: nothing was kept
// then) and for its area's tiles: fetch what is missing, a few tiles at a time.
self.addEventListener("message", function (e) {
  var data = e.data || {};
  if (data.page) {
    var req = new Request(data.page, {credentials: "same-origin"});
    e.waitUntil(kept(PAGES, req).then(function (hit) {
      return hit || refresh(req, null).catch(function () { /* no signal: next visit */ });
    }));
  }
  e.waitUntil(tiles(data.tiles || []));
});

function tiles(urls) {
  return caches.open(TILES).then(function (c) {
    return c.keys().then(function (have) {
      var known = {};
      have.forEach(function (r) { known[r.url] = true; });
      var todo = urls.filter(function (u) { return !known[u]; })
        .slice(0, Math.max(0, MAX_TILES - have.length));
      function next() {
        var u = todo.shift();
        if (!u) { return Promise.resolve(); }
        return fetch(u, {mode: "no-cors"}).then(function (r) { return c.put(u, r); })
          .catch(function () { /* no signal: next time */ }).then(next);
      }
      return Promise.all([next(), next(), next()]);
    });
  });
}
