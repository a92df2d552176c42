/* Shouhu phone map: layers, named patrol points (popup and a list by distance),
 * clustering, a legend, locate-me, the data's age, and the offline check-in queue.
 *
 * Check-ins are queued in localStorage with a client_id made on the phone, so a
 * check-in made without signal survives a reload and is sent when the signal
 * returns; the hazards service de-duplicates by client_id, and an item leaves the
 * queue only once the gateway acknowledged it, so nothing is lost or doubled.
 * The service worker (/sw.js) keeps the page and its tiles for a start without signal.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("shouhu-config").textContent);
  var T = cfg.labels;
  var LOCALE = cfg.lang === "en" ? "en-GB" : "zh-CN";
  var CLUSTER_UNTIL = 16;  // from this zoom on, every point stands alone
  var RECENT_MS = 7 * 86400000;  // a point checked in within 7 days is drawn green
  var map = L.map("shouhu-map", {preferCanvas: true, renderer: L.canvas({tolerance: 8})});
  // the children's cells lie under the hazards, so rivers and ponds keep their colour
  map.createPane("cells").style.zIndex = 350;
  if (cfg.tiles) { L.tileLayer(cfg.tiles.url, cfg.tiles).addTo(map); }
  L.control.scale().addTo(map);
  // Opening view: the team's route when the page shows one (cfg.bounds is the route's
  // then, and there is no fit), else the caller's villages, else everything drawn.
  function openingBounds() { return cfg.fit || cfg.bounds; }
  if (openingBounds()) { map.fitBounds(openingBounds()); } else { map.setView([28.95, 106.65], 15); }
  var QUEUE_KEY = "shouhu.checkins.v1";
  var here = null;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function fmt(template, n) { return template.replace("{n}", n); }
  function label(group, code) { return (T[group] || {})[code] || code; }
  // a point is named after its hazard; one whose hazard is gone is just a patrol point
  function pointName(p) { return p.name || (p.kind ? label("kinds", p.kind) : T.point); }
  // the township's time whatever the phone's zone (Asia/Shanghai): 11月25日 18:21
  var CLOCK = new Intl.DateTimeFormat(LOCALE, {timeZone: cfg.zone, month: "short",
    day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false});
  function when(iso) { return iso ? CLOCK.format(new Date(iso)) : T.never; }
  function ago(ms) {
    var min = Math.max(0, Math.round(ms / 60000));
    if (min < 1) { return T.just_now; }
    if (min < 60) { return fmt(T.ago_min, min); }
    return min < 2880 ? fmt(T.ago_h, Math.round(min / 60)) : fmt(T.ago_d, Math.round(min / 1440));
  }
  function distance(m) {
    return m < 1000 ? fmt(T.m, Math.round(m)) : fmt(T.km, (m / 1000).toFixed(1));
  }

  // -- layers ------------------------------------------------------------------
  // Lines and rings come as integer steps from the previous position (map_page._pack).
  function unsteps(d) {
    if (typeof d[0] !== "number") { return d.map(unsteps); }
    var out = [], x = 0, y = 0;
    for (var i = 0; i < d.length; i += 2) {
      x += d[i]; y += d[i + 1];
      out.push([x / cfg.q, y / cfg.q]);
    }
    return out;
  }
  function unpack(collection) {
    if (collection) {
      collection.features.forEach(function (f) {
        var g = f.geometry;
        if (g && g.d) { g.coordinates = unsteps(g.d); delete g.d; }
      });
    }
    return collection;
  }
  ["hazards", "home_cells", "homes", "points", "route"].forEach(function (k) {
    unpack(cfg.layers[k]);
  });
  // Hazards and zones: coloured by class (water, road, terrain).
  function vector(data, base, tip) {
    var group = L.geoJSON(data, {
      style: function (f) {
        return L.extend({}, base, {color: cfg.style[f.properties["class"]] || base.color});
      },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 6}); }
    });
    // one tooltip for the whole layer, filled in for the feature under the finger
    return tip ? group.bindTooltip(function (l) { return tip(l.feature.properties); }) : group;
  }
  var overlays = {};
  // the zones (hidden at first) follow the scripts in the page: read when switched on
  var zones = overlays[T.zones] = vector(null, {color: "#555", weight: 1, fillOpacity: 0.12});
  zones.on("add", function () {
    var el = document.getElementById("shouhu-zones");
    if (el && !zones.getLayers().length) { zones.addData(unpack(JSON.parse(el.textContent))); }
  });
  if (cfg.layers.home_cells.features.length) {
    var cellRenderer = L.canvas({pane: "cells"});
    overlays[T.cells] = L.geoJSON(cfg.layers.home_cells, {
      style: {color: "#ff7f00", weight: 1, dashArray: "4 3", fillOpacity: 0.08,
              renderer: cellRenderer}
    }).bindTooltip(function (l) { return esc(l.feature.properties.count); }).addTo(map);
  }
  overlays[T.hazards] = vector(cfg.layers.hazards, {color: "#555", weight: 3, fillOpacity: 0.5},
    function (p) { return esc(p.name) + " · " + esc(label("kinds", p.kind)); }).addTo(map);
  var homes = cfg.layers.homes.features;
  if (homes.length) {
    overlays[T.homes] = L.geoJSON(cfg.layers.homes, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 5, color: "#ff7f00",
                                       className: f.properties.css});
      },
      onEachFeature: function (f, layer) {  // the child's page: record a visit, open a case
        layer.bindPopup('<a href="' +
          esc(cfg.child_url.replace("{id}", encodeURIComponent(f.id))) + '">' +
          esc(T.child) + "</a>");
      }
    }).addTo(map);
  }
  if (cfg.layers.route) {
    overlays[T.route] = L.geoJSON(cfg.layers.route, {
      style: {color: "#000", weight: 3, dashArray: "6 4"}}).addTo(map);
  }

  // -- patrol points: named, 44 px to the thumb, clustered until zoom 16 ------------
  var markers = {};
  function recent(p) { return p.last_checkin && Date.now() - Date.parse(p.last_checkin) < RECENT_MS; }
  cfg.layers.points.features.forEach(function (f) {
    var c = f.geometry.coordinates, p = f.properties;
    var m = L.marker([c[1], c[0]], {
      title: pointName(p), keyboard: true,
      icon: L.divIcon({className: "patrol-point point-" + f.id + (recent(p) ? " recent" : " due"),
                       iconSize: [44, 44], html: "<span></span>"})});
    m.feature = f;
    // clear of the zoom and layer buttons: the whole form stays in view on 360 px
    m.bindPopup(function () { return form(f); }, {
      maxWidth: 236, minWidth: 220, autoPanPaddingTopLeft: L.point(52, 56),
      autoPanPaddingBottomRight: L.point(52, 24)});
    markers[f.id] = m;
  });
  var points = overlays[T.points] = L.layerGroup().addTo(map);

  function recluster() {
    if (!map.hasLayer(points)) { return; }
    var z = map.getZoom(), view = map.getBounds().pad(0.5), cells = {}, keep = {};
    Object.keys(markers).forEach(function (id) {
      var m = markers[id], ll = m.getLatLng();
      if (m.isPopupOpen()) { keep[id] = m; return; }  // a popup being read stays put
      if (!view.contains(ll)) { return; }
      if (z >= CLUSTER_UNTIL) { keep[id] = m; return; }
      var px = map.project(ll, z), key = Math.floor(px.x / 64) + ":" + Math.floor(px.y / 64);
      (cells[key] = cells[key] || []).push(m);
    });
    var clusters = [];
    Object.keys(cells).forEach(function (key) {
      var ms = cells[key];
      if (ms.length === 1) { keep[ms[0].feature.id] = ms[0]; return; }
      clusters.push(cluster(ms));
    });
    points.eachLayer(function (l) {
      if (!l.feature || keep[l.feature.id] !== l) { points.removeLayer(l); }
    });
    Object.keys(keep).forEach(function (id) {
      if (!points.hasLayer(keep[id])) { points.addLayer(keep[id]); }
    });
    clusters.forEach(function (c) { points.addLayer(c); });
  }
  function cluster(ms) {
    var bounds = L.latLngBounds(ms.map(function (m) { return m.getLatLng(); }));
    var c = L.marker(bounds.getCenter(), {
      title: fmt(T.count_points, ms.length) + " · " + T.zoom_in,
      icon: L.divIcon({className: "point-cluster", iconSize: [44, 44],
                       html: "<span>" + ms.length + "</span>"})});
    c.on("click", function () {
      map.fitBounds(bounds.pad(0.3), {maxZoom: CLUSTER_UNTIL});
    });
    return c;
  }
  map.on("zoomend moveend", recluster);
  points.on("add", recluster);
  recluster();
  L.control.layers(null, overlays, {collapsed: true}).addTo(map);

  // -- the legend ---------------------------------------------------------------
  var legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "map-legend leaflet-control");
    var items = [["swatch water", "water"], ["swatch road", "road"],
                 ["swatch terrain", "terrain"], ["dot recent", "point_recent"],
                 ["dot due", "point_due"], ["dot cluster", "cluster"]];
    if (cfg.layers.home_cells.features.length) { items.push(["swatch cells", "cells"]); }
    if (homes.length) { items.push(["dot home", "homes"]); }
    if (cfg.layers.route) { items.push(["swatch route", "route"]); }
    items.push(["dot me", "me"]);
    div.innerHTML = '<button type="button" id="legend-toggle" aria-expanded="false">' +
      esc(T.legend) + '</button><ul id="legend-items" hidden>' + items.map(function (i) {
        return '<li><i class="' + i[0] + '"></i>' + esc(T.legend_items[i[1]]) + "</li>";
      }).join("") + "</ul>";
    L.DomEvent.disableClickPropagation(div);
    div.querySelector("button").addEventListener("click", function () {
      var ul = div.querySelector("ul");
      ul.hidden = !ul.hidden;
      this.setAttribute("aria-expanded", String(!ul.hidden));
    });
    return div;
  };
  legend.addTo(map);
  map.on("popupopen", function () {  // the legend folds away while a point is read
    var ul = document.getElementById("legend-items");
    ul.hidden = true;
    document.getElementById("legend-toggle").setAttribute("aria-expanded", "false");
  });

  // -- the data's age: when this page was served (again when shown without signal) --
  var servedAt = Date.parse(document.querySelector("meta[name=shouhu-served-at]").content);
  var age = L.control({position: "bottomright"});
  age.onAdd = function () { return L.DomUtil.create("div", "data-age leaflet-control"); };
  age.addTo(map);
  var fresher = false;
  function showAge() {
    var el = document.querySelector(".data-age");
    el.innerHTML = (navigator.onLine ? "" : esc(T.offline) + " · ") + esc(T.data_age) + " " +
      esc(ago(Date.now() - servedAt)) + (fresher ? ' · <a href="">' + esc(T.refresh) + "</a>" : "");
    el.dataset.servedAt = new Date(servedAt).toISOString();
  }
  showAge();
  setInterval(showAge, 30000);
  window.addEventListener("online", showAge);
  window.addEventListener("offline", showAge);

  // -- the popup: what the point is, what to check, and the check-in ------------
  function about(f) {
    var p = f.properties;
    var checks = (p.check || []).map(function (c) { return esc(label("checks", c)); });
    return '<h3 class="point-name">' + esc(pointName(p)) + "</h3>" +
      '<p class="meta">' + [label("kinds", p.kind), p.village].filter(Boolean).map(esc)
        .join(" · ") + "</p>" +
      (p.reason ? "<p>" + esc(T.why) + ": " + esc(label("reasons", p.reason)) + "</p>" : "") +
      (checks.length ? '<p class="point-check">' + esc(T.check) + ": " + checks.join("、") +
                       "</p>" : "") +
      '<p class="last-checkin">' + esc(T.last) + ": " + esc(when(p.last_checkin)) + "</p>";
  }
  var KINDS = ["children_at_water", "barrier_damaged", "sign_missing", "rescue_gear_missing"];
  var ACTIONS = ["reminded", "stopped", "moved_away", "none"];

  function form(f) {
    var div = document.createElement("div");
    div.className = "checkin-form";
    div.innerHTML = about(f) + "<fieldset><legend>" + esc(T.findings) + "</legend>" +
      KINDS.map(function (k) {
        return '<label><input type="checkbox" name="kind" value="' + k + '"> ' +
          esc(label("finding_kinds", k)) + "</label>";
      }).join("") + "</fieldset><label>" + esc(T.action) + ' <select name="action">' +
      ACTIONS.map(function (a) { return '<option value="' + a + '">' +
        esc(label("actions", a)) + "</option>"; }).join("") + "</select></label>" +
      '<button type="button" class="checkin-button">' + esc(T.checkin) + "</button>";
    div.querySelector("button").addEventListener("click", function () {
      var kinds = Array.prototype.map.call(
        div.querySelectorAll("input[name=kind]:checked"), function (i) { return i.value; });
      checkIn(f, kinds, div.querySelector("select").value);
      div.innerHTML = about(f) + "<p>" + esc(T.queued) + "</p>";
    });
    return div;
  }

  // -- the list: the nearest points first --------------------------------------
  var panel = document.getElementById("point-list");
  function showList() {
    var from = here ? L.latLng(here.lat, here.lng) : map.getCenter();
    var rows = Object.keys(markers).map(function (id) {
      return {m: markers[id], d: from.distanceTo(markers[id].getLatLng())};
    }).sort(function (a, b) { return a.d - b.d; }).slice(0, 100);
    panel.innerHTML = '<div class="list-head"><span>' + esc(here ? T.by_distance : T.by_centre) +
      '</span><button type="button" class="list-close">' + esc(T.close) + "</button></div><ol>" +
      rows.map(function (r) {
        var p = r.m.feature.properties;
        return '<li><button type="button" data-id="' + esc(r.m.feature.id) + '"><b>' +
          esc(pointName(p)) + '</b> <span class="dist">' + esc(distance(r.d)) +
          '</span><br><span class="meta">' + [label("kinds", p.kind), p.village,
            T.last + " " + when(p.last_checkin)].filter(Boolean).map(esc).join(" · ") +
          "</span></button></li>";
      }).join("") + "</ol>";
    panel.hidden = false;
  }
  panel.addEventListener("click", function (e) {
    var btn = e.target.closest("button");
    if (!btn) { return; }
    panel.hidden = true;
    var m = markers[btn.dataset.id];
    if (m) {
      map.setView(m.getLatLng(), Math.max(map.getZoom(), CLUSTER_UNTIL + 1), {animate: false});
      recluster();
      m.openPopup();
    }
  });
  document.getElementById("list-points").addEventListener("click", function () {
    if (!panel.hidden) { panel.hidden = true; return; }
    if (!here) { map.locate({timeout: 10000}); }
    showList();
  });

  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" +
      h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function checkIn(f, kinds, action) {
    var c = f.geometry.coordinates;
    // Without a GPS fix the point's own position stands in (no accuracy claimed).
    var loc = here ? {lon: here.lng, lat: here.lat, accuracy_m: here.accuracy}
                   : {lon: c[0], lat: c[1]};
    var at = new Date().toISOString();
    enqueue({client_id: uuid(), point_id: f.id, checked_at: at, location: loc,
             duration_s: 0, findings: kinds.map(function (k) {
               return {kind: k, action: action};
             })});
  }

  // -- the queue ---------------------------------------------------------------
  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); }
    catch (e) { return []; }
  }
  function save(q) { localStorage.setItem(QUEUE_KEY, JSON.stringify(q)); badge(); }
  function enqueue(item) { var q = load(); q.push(item); save(q); flush(); }

  function csrf() {
    var m = document.cookie.match(new RegExp("(?:^|; )" + cfg.csrf_cookie + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  var flushing = false;
  function badge() {
    var el = document.getElementById("sync-badge");
    var n = load().length;
    var refused = JSON.parse(localStorage.getItem(QUEUE_KEY + ".refused") || "[]").length;
    el.dataset.state = flushing ? "sending" : (n ? "pending" : "synced");
    el.textContent = (n ? n + " " + (flushing ? T.sending : T.pending) : "✓ " + T.synced) +
      (refused ? " · ! " + refused : "");
  }

  function flush() {
    var q = load();
    if (flushing || !q.length) { badge(); return; }
    flushing = true; badge();
    var sent = q.map(function (i) { return i.client_id; });
    var headers = {"Content-Type": "application/json"};
    headers[cfg.csrf_header] = csrf();
    fetch(cfg.checkin_url, {method: "POST", credentials: "same-origin", headers: headers,
                            body: JSON.stringify({checkins: q})})
      .then(function (r) {
        // 2xx: delivered; items the hazards service refused are set aside (kept,
        // counted on the badge). Other 4xx (not 401/408/429): the whole batch is set
        // aside, never retried forever. Anything else: try again later.
        var all = r.status >= 400 && r.status < 500 && [401, 408, 429].indexOf(r.status) < 0;
        if (!r.ok && !all) { return; }
        return (r.ok ? r.json().catch(function () { return {}; }) : Promise.resolve({}))
          .then(function (body) {
            var refused = all ? sent : (body.results || []).filter(function (x) {
              return x.status === "refused";
            }).map(function (x) { return x.client_id; });
            var rest = load();
            var bad = JSON.parse(localStorage.getItem(QUEUE_KEY + ".refused") || "[]");
            localStorage.setItem(QUEUE_KEY + ".refused", JSON.stringify(bad.concat(
              rest.filter(function (i) { return refused.indexOf(i.client_id) >= 0; }))));
            save(rest.filter(function (i) { return sent.indexOf(i.client_id) < 0; }));
          });
      })
      .catch(function () { /* offline: keep the queue */ })
      .then(function () { flushing = false; badge(); });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  window.shouhuQueue = {load: load, flush: flush};
  window.shouhuMap = {map: map, overlays: overlays, markers: markers, showList: showList};

  // -- locate me and language ---------------------------------------------------
  var me = null;
  document.getElementById("locate-me").textContent = T.locate;
  document.getElementById("locate-me").addEventListener("click", function () {
    map.locate({setView: true, maxZoom: 17, timeout: 10000});
  });
  map.on("locationfound", function (e) {
    here = {lng: e.latlng.lng, lat: e.latlng.lat, accuracy: e.accuracy};
    if (me) { map.removeLayer(me); }
    me = L.circle(e.latlng, {radius: e.accuracy, color: "#136aec"}).addTo(map);
    if (!panel.hidden) { showList(); }  // sorted from where the phone is, now it knows
  });
  map.on("locationerror", function () { badge(); });
  badge();
  flush();
  window.shouhuReadyAt = performance.now();  // first render done (bench/map.py reads it)

  // -- offline: the service worker keeps this page and the area's tiles ----------
  function tileUrls() {
    var b = L.latLngBounds(openingBounds() || []), urls = [];
    if (!cfg.tiles || !b.isValid()) { return urls; }
    for (var z = 12; z <= 16 && urls.length < 400; z++) {
      var nw = map.project(b.getNorthWest(), z).divideBy(256).floor();
      var se = map.project(b.getSouthEast(), z).divideBy(256).floor();
      for (var x = nw.x; x <= se.x && urls.length < 400; x++) {
        for (var y = nw.y; y <= se.y && urls.length < 400; y++) {
          var s = cfg.tiles.subdomains || "abc";
          urls.push(L.Util.template(cfg.tiles.url, {s: s[(x + y) % s.length], z: z, x: x, y: y,
                                                    r: ""}));
        }
      }
    }
    return urls;
  }
  if ("serviceWorker" in navigator && cfg.sw) {
    navigator.serviceWorker.register(cfg.sw).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      reg.active.postMessage({page: location.pathname + location.search, tiles: tileUrls()});
    }).catch(function () { /* no worker (plain http on another host): online only */ });
    navigator.serviceWorker.addEventListener("message", function (e) {
      // a page shown from the phone's copy: the worker fetched a newer one meanwhile
      if (e.data && e.data.fresh === location.pathname + location.search) {
        fresher = true;
        showAge();
      }
    });
  }

  // A first visit had Leaflet and this script inline: fetch them into the cache, so
  // the next visit (the server links to them then) needs no download.
  var assets = document.getElementById("shouhu-assets");
  if (assets) {
    window.addEventListener("load", function () {
      JSON.parse(assets.textContent).forEach(function (url) {
        fetch(url).catch(function () { /* offline: inline again next time */ });
      });
    });
  }
})();
