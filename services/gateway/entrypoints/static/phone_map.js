/* Shouhu phone map: layers, locate-me, and the offline check-in queue.
 *
 * Check-ins are queued in localStorage with a client_id made on the phone, so a
 * check-in made without signal survives a reload and is sent when the signal
 * returns; the hazards service de-duplicates by client_id, and an item leaves the
 * queue only once the gateway acknowledged it, so nothing is lost or doubled.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("shouhu-config").textContent);
  var map = L.map("shouhu-map", {preferCanvas: true});
  if (cfg.tiles) { L.tileLayer(cfg.tiles.url, cfg.tiles).addTo(map); }
  L.control.scale().addTo(map);
  if (cfg.bounds) { map.fitBounds(cfg.bounds); } else { map.setView([28.95, 106.65], 15); }
  var QUEUE_KEY = "shouhu.checkins.v1";
  var T = {
    zh: {locate: "定位", checkin: "签到", pending: "待发送", synced: "已同步",
         sending: "发送中", last: "上次签到", never: "未签到", findings: "发现情况",
         children_at_water: "儿童在水边", barrier_damaged: "护栏损坏",
         sign_missing: "警示牌缺失", rescue_gear_missing: "救生设备缺失",
         action: "处置", reminded: "已提醒", stopped: "已制止", moved_away: "已劝离",
         none: "无", queued: "已保存，有信号时发送", nofix: "无法定位"},
    en: {locate: "Locate me", checkin: "Check in", pending: "pending", synced: "synced",
         sending: "sending", last: "Last check-in", never: "never", findings: "Findings",
         children_at_water: "Children at the water", barrier_damaged: "Barrier damaged",
         sign_missing: "Sign missing", rescue_gear_missing: "Rescue gear missing",
         action: "Action", reminded: "Reminded", stopped: "Stopped", moved_away: "Moved away",
         none: "None", queued: "Saved; sent when there is signal", nofix: "No position"}
  }[cfg.lang === "en" ? "en" : "zh"];
  var here = null;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
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
  // Hazards, zones and cells: coloured by class (water, road, terrain).
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
  var zones = overlays[cfg.labels.zones] = vector(null, {color: "#555", weight: 1,
                                                         fillOpacity: 0.12});
  zones.on("add", function () {
    var el = document.getElementById("shouhu-zones");
    if (el && !zones.getLayers().length) { zones.addData(unpack(JSON.parse(el.textContent))); }
  });
  overlays[cfg.labels.hazards] = vector(cfg.layers.hazards, {color: "#555", weight: 3,
                                                             fillOpacity: 0.35},
    function (p) { return esc(p.name) + " · " + esc(p.kind); }).addTo(map);
  if (cfg.layers.home_cells.features.length) {
    overlays[cfg.labels.cells] = vector(cfg.layers.home_cells, {color: "#ff7f00", weight: 1,
                                                                fillOpacity: 0.3},
      function (p) { return esc(p.count); }).addTo(map);
  }
  var homes = cfg.layers.homes.features;
  if (homes.length) {
    overlays[cfg.labels.homes] = L.geoJSON(cfg.layers.homes, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 4, color: "#ff7f00",
                                       className: f.properties.css});
      },
      onEachFeature: function (f, layer) {  // the child's page: record a visit, open a case
        layer.bindPopup('<a href="' +
          esc(cfg.child_url.replace("{id}", encodeURIComponent(f.id))) + '">' +
          esc(cfg.labels.child) + "</a>");
      }
    }).addTo(map);
  }
  var points = L.geoJSON(cfg.layers.points, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 8, color: "#33a02c", fillOpacity: 0.8,
                                     className: "patrol-point point-" + f.id});
    },
    onEachFeature: function (f, layer) { layer.bindPopup(function () { return form(f); }); }
  }).addTo(map);
  overlays[cfg.labels.points] = points;
  if (cfg.layers.route) {
    overlays[cfg.labels.route] = L.geoJSON(cfg.layers.route, {
      style: {color: "#000", weight: 3, dashArray: "6 4"}}).addTo(map);
  }
  L.control.layers(null, overlays, {collapsed: true}).addTo(map);

  // -- check-in form -----------------------------------------------------------
  var KINDS = ["children_at_water", "barrier_damaged", "sign_missing", "rescue_gear_missing"];
  var ACTIONS = ["reminded", "stopped", "moved_away", "none"];

  function form(f) {
    var last = f.properties.last_checkin;
    var div = document.createElement("div");
    div.className = "checkin-form";
    div.innerHTML = "<p>" + esc(T.last) + ": " + esc(last ? last.slice(0, 16) : T.never) +
      "</p><fieldset><legend>" + esc(T.findings) + "</legend>" +
      KINDS.map(function (k) {
        return '<label><input type="checkbox" name="kind" value="' + k + '"> ' +
          esc(T[k]) + "</label>";
      }).join("") + "</fieldset><label>" + esc(T.action) + ' <select name="action">' +
      ACTIONS.map(function (a) { return '<option value="' + a + '">' + esc(T[a]) +
        "</option>"; }).join("") + "</select></label>" +
      '<button type="button" class="checkin-button">' + esc(T.checkin) + "</button>";
    div.querySelector("button").addEventListener("click", function () {
      var kinds = Array.prototype.map.call(
        div.querySelectorAll("input[name=kind]:checked"), function (i) { return i.value; });
      checkIn(f, kinds, div.querySelector("select").value);
      div.innerHTML = "<p>" + esc(T.queued) + "</p>";
    });
    return div;
  }

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
  window.shouhuMap = {map: map, overlays: overlays};

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
  });
  map.on("locationerror", function () { badge(); });
  badge();
  flush();
  window.shouhuReadyAt = performance.now();  // first render done (bench/map.py reads it)

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
