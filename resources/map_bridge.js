/* The page side of the map bridge.
 *
 * Python -> page: the bridge's signals sig_layer_data(json) — what a layer computed for a
 * viewport — and sig_command(json) — fly to a place, show or hide a layer.
 * page -> Python: slots taking JSON text: page_ready, viewport_changed, feature_clicked,
 * layer_drawn. Every string from the data is put into the page as text, never as HTML.
 * Viewports carry a sequence number; answers for an older viewport are dropped.
 */
(function () {
  "use strict";

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : null;
  }

  var map = window[meta("cockpit-map")];
  var boundaries = window[meta("cockpit-boundaries")];
  var zh = meta("cockpit-lang") !== "en";
  var canvas = L.canvas({ padding: 0.2 });
  var groups = {
    density: L.layerGroup(),
    risk_points: L.layerGroup(),
    facilities: L.layerGroup(),
    events: L.layerGroup()
  };
  var visible = { density: false, risk_points: true, facilities: true, events: true };
  var labelLayer = L.layerGroup();
  // ranked units without a polygon of their own (a district centre's streets): circles
  var unitPoints = L.layerGroup().addTo(map);
  var legend = null;
  var bridge = null;
  var featureByCode = {};
  var seq = 0;
  var sentAt = {};
  var lastDrawn = {};
  var moveTimer = null;

  Object.keys(groups).forEach(function (k) { if (visible[k]) { groups[k].addTo(map); } });

  function textEl(tag, text) {
    var el = document.createElement(tag);
    el.textContent = text === null || text === undefined ? "" : String(text);
    return el;
  }

  function fmt(n) {
    return (n === null || n === undefined) ? (zh ? "无数据" : "no data") : Number(n).toLocaleString();
  }

  function send(slot, obj) {
    if (bridge) { bridge[slot](JSON.stringify(obj)); }
  }

  var labelByCode = {};
  if (boundaries) {
    boundaries.eachLayer(function (lyr) {
      var p = lyr.feature && lyr.feature.properties ? lyr.feature.properties : {};
      if (!p.adcode) { return; }
      featureByCode[p.adcode] = lyr;
      lyr.on("click", function (e) {
        send("feature_clicked", { layer: "districts", code: String(p.adcode) });
        L.DomEvent.stopPropagation(e);
      });
    });
  }

  function sendViewport() {
    var b = map.getBounds();
    seq += 1;
    sentAt[seq] = performance.now();
    send("viewport_changed", {
      seq: seq, west: b.getWest(), south: b.getSouth(), east: b.getEast(),
      north: b.getNorth(), zoom: map.getZoom()
    });
  }

  function onMoveEnd() {
    // a burst of moves (a fling, a wheel) becomes one query
    if (moveTimer) { clearTimeout(moveTimer); }
    moveTimer = setTimeout(function () { moveTimer = null; sendViewport(); }, 40);
  }

  function updateLabels() {
    var show = map.getZoom() >= 7.5;
    if (show && !map.hasLayer(labelLayer)) { map.addLayer(labelLayer); }
    if (!show && map.hasLayer(labelLayer)) { map.removeLayer(labelLayer); }
  }

  function drawLegend(title, items, note) {
    if (legend) { map.removeControl(legend); }
    legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "cockpit-legend");
      div.appendChild(textEl("div", title));
      if (note) {
        var n = textEl("div", note);
        n.className = "cockpit-legend-note";
        div.appendChild(n);
      }
      items.forEach(function (it) {
        var row = document.createElement("div");
        var sw = document.createElement("i");
        sw.style.background = /^#[0-9a-fA-F]{3,8}$/.test(it.colour) ? it.colour : "#888";
        row.appendChild(sw);
        row.appendChild(document.createTextNode(String(it.label)));
        div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
  }

  function safeColour(c, fallback) {
    return (typeof c === "string" && /^#[0-9a-fA-F]{3,8}$/.test(c)) ? c : fallback;
  }

  function setLabel(code, lyr, name) {
    if (labelByCode[code]) { labelLayer.removeLayer(labelByCode[code]); }
    var label = L.tooltip({ permanent: true, direction: "center", className: "cockpit-label",
                            interactive: false })
      .setLatLng(lyr.getBounds().getCenter()).setContent(textEl("span", name));
    labelLayer.addLayer(label);
    labelByCode[code] = label;
  }

  function unitTip(msg, f, fallback) {
    var tip = document.createElement("div");
    tip.appendChild(textEl("b", (f && f.name) || fallback));
    if (f && (f.value !== undefined || !f.outline)) {
      var line = msg.mode === "density" || f.outline
        ? (zh ? "风险点 " : "risk points ") + fmt(f.value) + (zh ? " · 重大/较大 " : " · major ") + fmt(f.major)
        : (zh ? "总分 " : "score ") + fmt(f.value) + " · " + (f.label || "") +
          (f.rank ? (zh ? " · 第" + f.rank + "名" : " · rank " + f.rank) : "");
      tip.appendChild(document.createElement("br"));
      tip.appendChild(document.createTextNode(line));
    }
    return tip;
  }

  function drawDistricts(msg) {
    Object.keys(featureByCode).forEach(function (code) {
      var f = msg.features[code];
      var lyr = featureByCode[code];
      setLabel(code, lyr, (f && f.name) || "");
      lyr.setStyle({ fillColor: f ? safeColour(f.colour, "#1a2a48") : "#1a2a48",
                     fillOpacity: f && !f.outline ? 0.38 : 0.3 });
      lyr.unbindTooltip();
      lyr.bindTooltip(unitTip(msg, f, code), { sticky: true });
    });
    unitPoints.clearLayers();
    (msg.units || []).forEach(function (u) {
      var m = L.circleMarker([Number(u.lat), Number(u.lon)], {
        radius: 11, weight: 2, color: "#dce8ff", fillColor: safeColour(u.colour, "#888888"),
        fillOpacity: 0.75
      });
      m.bindTooltip(unitTip(msg, u, u.code), { sticky: true });
      m.on("click", function (e) {
        send("feature_clicked", { layer: "districts", code: String(u.code) });
        L.DomEvent.stopPropagation(e);
      });
      m.addTo(unitPoints);
    });
    var title = typeof msg.title === "string" ? msg.title
      : (msg.mode === "density" ? (zh ? "风险点数" : "Risk points")
                                : (zh ? "五色评价 " : "Five-colour ") + (msg.period || ""));
    drawLegend(title, msg.legend || [], typeof msg.note === "string" ? msg.note : "");
  }

  var LEVEL_COLOURS = { 1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff" };

  function clickable(marker, layer, id) {
    marker.on("click", function (e) {
      send("feature_clicked", { layer: layer, id: id });
      L.DomEvent.stopPropagation(e);
    });
    return marker;
  }

  function drawRisk(msg) {
    var g = groups.risk_points;
    g.clearLayers();
    var i;
    if (msg.kind === "cells") {
      var max = 1;
      for (i = 0; i < msg.count.length; i++) { if (msg.count[i] > max) { max = msg.count[i]; } }
      for (i = 0; i < msg.lon.length; i++) {
        L.circleMarker([msg.lat[i], msg.lon[i]], {
          renderer: canvas, radius: 3 + 9 * Math.sqrt(msg.count[i] / max), stroke: false,
          fillColor: LEVEL_COLOURS[msg.worst[i]] || "#64d2ff", fillOpacity: 0.6,
          interactive: false
        }).addTo(g);
      }
    } else {
      for (i = 0; i < msg.lon.length; i++) {
        clickable(L.circleMarker([msg.lat[i], msg.lon[i]], {
          renderer: canvas, radius: msg.lon.length > 1500 ? 3 : 5, weight: 1, color: "#0b1220",
          fillColor: LEVEL_COLOURS[msg.level[i]] || "#64d2ff", fillOpacity: 0.9
        }), "risk_points", msg.id[i]).addTo(g);
      }
    }
  }

  function drawEvents(msg) {
    var g = groups.events;
    g.clearLayers();
    var far = map.getZoom() < 10;
    for (var i = msg.lon.length - 1; i >= 0; i--) {   // newest last, so on top
      var fresh = msg.fresh[i] === 1;
      clickable(L.circleMarker([msg.lat[i], msg.lon[i]], {
        renderer: canvas, radius: fresh ? (far ? 6 : 8) : (far ? 2.5 : 5),
        weight: fresh ? 2 : (far ? 0 : 1.5), stroke: fresh || !far,
        color: fresh ? "#ffffff" : "#0b1220",
        fillColor: safeColour(msg.colours[msg.state[i]], "#3ea6ff"), fillOpacity: 0.95
      }), "events", msg.id[i]).addTo(g);
    }
  }

  function drawFacilities(msg) {
    var g = groups.facilities;
    g.clearLayers();
    for (var i = 0; i < msg.lon.length; i++) {
      var c = safeColour(msg.colours[msg.kind[i]], "#ffffff");
      clickable(L.circleMarker([msg.lat[i], msg.lon[i]], {
        renderer: canvas, radius: 5, weight: 2, color: c, fillColor: "#0b1220", fillOpacity: 1
      }), "facilities", msg.id[i]).addTo(g);
    }
  }

  function drawDensity(msg) {
    var g = groups.density;
    g.clearLayers();
    var s = msg.cell_deg;
    for (var i = 0; i < msg.count.length; i++) {
      L.rectangle([[msg.south[i], msg.west[i]], [msg.south[i] + s, msg.west[i] + s]], {
        renderer: canvas, stroke: false, fillColor: safeColour(msg.ramp[msg.cls[i]], "#fd8d3c"),
        fillOpacity: 0.55, interactive: false
      }).addTo(g);
    }
  }

  var drawers = { districts: drawDistricts, risk_points: drawRisk, events: drawEvents,
                  facilities: drawFacilities, density: drawDensity };

  function onLayerData(text) {
    var msg;
    try { msg = JSON.parse(text); } catch (e) { console.error("bad layer message: " + e); return; }
    var draw = drawers[msg.layer];
    if (!draw) { console.warn("unknown layer " + msg.layer); return; }
    if (msg.seq && lastDrawn[msg.layer] && msg.seq < lastDrawn[msg.layer]) { return; }  // stale
    if (msg.seq) { lastDrawn[msg.layer] = msg.seq; }
    draw(msg);
    var n = msg.lon ? msg.lon.length : (msg.count ? msg.count.length : 0);
    var done = { layer: msg.layer, seq: msg.seq || 0, features: n };
    if (msg.seq && sentAt[msg.seq] !== undefined) {
      // let the canvas paint, then report the round trip from viewport sent to drawn
      requestAnimationFrame(function () {
        done.ms = performance.now() - sentAt[msg.seq];
        send("layer_drawn", done);
      });
    } else {
      send("layer_drawn", done);
    }
  }

  function onCommand(text) {
    var c;
    try { c = JSON.parse(text); } catch (e) { console.error("bad command: " + e); return; }
    if (c.cmd === "fly_to") {
      map.flyTo([Number(c.lat), Number(c.lon)], Number(c.zoom) || 14, { duration: 0.6 });
    } else if (c.cmd === "set_view") {
      map.setView([Number(c.lat), Number(c.lon)], Number(c.zoom), { animate: false });
    } else if (c.cmd === "fit") {
      map.fitBounds([[c.south, c.west], [c.north, c.east]], { animate: false });
    } else if (c.cmd === "visible" && groups[c.layer]) {
      visible[c.layer] = !!c.on;
      if (c.on) { groups[c.layer].addTo(map); } else { map.removeLayer(groups[c.layer]); }
    } else if (c.cmd === "refresh") {
      sendViewport();
    }
  }

  map.on("moveend", onMoveEnd);
  map.on("zoomend", updateLabels);
  updateLabels();

  // for tests and the bench: read-only access to the map and its layer groups
  window.cockpitMap = Object.freeze({ map: map, groups: groups, districts: featureByCode,
                                      unitPoints: unitPoints,
                                      legend: function () { return legend; } });

  new QWebChannel(qt.webChannelTransport, function (channel) {
    bridge = channel.objects.bridge;
    bridge.sig_layer_data.connect(onLayerData);
    bridge.sig_command.connect(onCommand);
    send("page_ready", { zoom: map.getZoom() });
    sendViewport();
  });
})();
