/* The page side of the map bridge.
 *
 * Python -> page: the bridge's signal sig_layer_data(json text) carries what a layer computed.
 * page -> Python: slots taking JSON text: page_ready, viewport_changed, feature_clicked,
 * layer_drawn. Every string from the data is put into the page as text, never as HTML.
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
  var canvas = L.canvas({ padding: 0.3 });
  var riskLayer = L.layerGroup().addTo(map);
  var labelLayer = L.layerGroup().addTo(map);
  var legend = null;
  var bridge = null;
  var featureByCode = {};

  function textEl(tag, text, cls) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = text;
    return el;
  }

  function fmt(n) {
    return (n === null || n === undefined) ? (zh ? "无数据" : "no data") : Number(n).toLocaleString();
  }

  if (boundaries) {
    boundaries.eachLayer(function (lyr) {
      var p = lyr.feature && lyr.feature.properties ? lyr.feature.properties : {};
      featureByCode[p.adcode] = lyr;
      var center = lyr.getBounds().getCenter();
      var label = L.tooltip({ permanent: true, direction: "center", className: "cockpit-label",
                              interactive: false })
        .setLatLng(center).setContent(textEl("span", p.name || ""));
      labelLayer.addLayer(label);
      lyr.on("click", function () {
        if (bridge) { bridge.feature_clicked(JSON.stringify({ layer: "districts", code: p.adcode })); }
      });
    });
  }

  function sendViewport() {
    if (!bridge) { return; }
    var b = map.getBounds();
    bridge.viewport_changed(JSON.stringify({
      west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(),
      zoom: map.getZoom()
    }));
  }

  function updateLabels() {
    var show = map.getZoom() >= 7.5;
    if (show && !map.hasLayer(labelLayer)) { map.addLayer(labelLayer); }
    if (!show && map.hasLayer(labelLayer)) { map.removeLayer(labelLayer); }
  }

  function drawLegend(title, items) {
    if (legend) { map.removeControl(legend); }
    legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "cockpit-legend");
      div.appendChild(textEl("div", title));
      items.forEach(function (it) {
        var row = document.createElement("div");
        var sw = document.createElement("i");
        sw.style.background = it.colour;
        row.appendChild(sw);
        row.appendChild(document.createTextNode(it.label));
        div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
  }

  function drawDistricts(msg) {
    Object.keys(featureByCode).forEach(function (code) {
      var f = msg.features[code];
      var lyr = featureByCode[code];
      lyr.setStyle({ fillColor: f ? f.colour : "#1a2a48", fillOpacity: f ? 0.62 : 0.4 });
      var tip = document.createElement("div");
      tip.appendChild(textEl("b", (f && f.name) || lyr.feature.properties.name || code));
      if (f) {
        var line = msg.mode === "density"
          ? (zh ? "风险点 " : "risk points ") + fmt(f.value) + (zh ? " · 重大/较大 " : " · major ") + fmt(f.major)
          : (zh ? "总分 " : "score ") + fmt(f.value) + " · " + (f.label || "") +
            (f.rank ? (zh ? " · 第" + f.rank + "名" : " · rank " + f.rank) : "");
        tip.appendChild(document.createElement("br"));
        tip.appendChild(document.createTextNode(line));
      }
      lyr.unbindTooltip();
      lyr.bindTooltip(tip, { sticky: true });
    });
    drawLegend(msg.mode === "density" ? (zh ? "风险点密度" : "Risk density")
                                      : (zh ? "五色评价 " : "Five-colour ") + (msg.period || ""),
               msg.legend || []);
  }

  var LEVEL_COLOURS = { 1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff" };

  function drawRisk(msg) {
    riskLayer.clearLayers();
    var i;
    if (msg.kind === "cells") {
      var max = 1;
      for (i = 0; i < msg.count.length; i++) { if (msg.count[i] > max) { max = msg.count[i]; } }
      for (i = 0; i < msg.lon.length; i++) {
        var r = 3 + 11 * Math.sqrt(msg.count[i] / max);
        L.circleMarker([msg.lat[i], msg.lon[i]], {
          renderer: canvas, radius: r, stroke: false,
          fillColor: LEVEL_COLOURS[msg.worst[i]] || "#64d2ff", fillOpacity: 0.55
        }).addTo(riskLayer);
      }
    } else {
      for (i = 0; i < msg.lon.length; i++) {
        (function (id) {
          L.circleMarker([msg.lat[i], msg.lon[i]], {
            renderer: canvas, radius: 4, weight: 1, color: "#000",
            fillColor: LEVEL_COLOURS[msg.level[i]] || "#64d2ff", fillOpacity: 0.9
          }).on("click", function () {
            if (bridge) { bridge.feature_clicked(JSON.stringify({ layer: "risk_points", id: id })); }
          }).addTo(riskLayer);
        })(msg.id[i]);
      }
    }
  }

  function onLayerData(text) {
    var msg;
    try { msg = JSON.parse(text); } catch (e) { console.error("bad layer message: " + e); return; }
    if (msg.layer === "districts") { drawDistricts(msg); }
    else if (msg.layer === "risk_points") { drawRisk(msg); }
    else { console.warn("unknown layer " + msg.layer); return; }
    if (bridge) { bridge.layer_drawn(JSON.stringify({ layer: msg.layer })); }
  }

  map.on("moveend", sendViewport);
  map.on("zoomend", updateLabels);
  updateLabels();

  new QWebChannel(qt.webChannelTransport, function (channel) {
    bridge = channel.objects.bridge;
    bridge.sig_layer_data.connect(onLayerData);
    bridge.page_ready(JSON.stringify({ zoom: map.getZoom() }));
    sendViewport();
  });
})();
