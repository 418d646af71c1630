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
  // one canvas for every layer's shapes: the layers of a refresh arrive together and are
  // painted in one frame (a second canvas for the pipes cost more in compositing than it saved)
  var canvas = L.canvas({ padding: 0.2 });
  var groups = {
    density: L.layerGroup(),
    risk_points: L.layerGroup(),
    facilities: L.layerGroup(),
    events: L.layerGroup(),
    pipes: L.layerGroup()
  };
  var visible = { density: false, risk_points: true, facilities: true, events: true,
                  pipes: false };
  // a burst's highlight: over every layer, not in the layer control
  var impactGroup = L.layerGroup().addTo(map);
  var pipeKey = null;
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

  // the selection mark (a pulsing ring with a fixed outline: visible without colour) and the
  // map key's look; inline styles are allowed by the page's policy
  var style = document.createElement("style");
  style.textContent =
    "@keyframes cockpit-pulse{0%{transform:scale(.6);opacity:1}100%{transform:scale(1.6);opacity:0}}" +
    ".cockpit-mark{pointer-events:none}" +
    ".cockpit-mark .ring{position:absolute;left:0;top:0;width:44px;height:44px;box-sizing:border-box;" +
    "border:4px solid #ffd60a;border-radius:50%;animation:cockpit-pulse 1.4s ease-out infinite}" +
    ".cockpit-mark .edge{position:absolute;left:8px;top:8px;width:28px;height:28px;box-sizing:border-box;" +
    "border:3px dashed #ffffff;border-radius:50%;outline:2px solid #0b1220}" +
    ".cockpit-mark .tag{position:absolute;left:46px;top:10px;white-space:nowrap;background:rgba(11,18,32,.9);" +
    "color:#ffd60a;font:600 13px sans-serif;padding:1px 6px;border:1px solid #ffd60a;border-radius:3px}" +
    ".cockpit-key{background:rgba(17,26,46,.92);color:#e6edf7;padding:6px 10px;border-radius:4px;" +
    "font:13px sans-serif;line-height:1.45;max-width:330px}" +
    ".cockpit-key span.item{display:inline-block;margin-right:10px;white-space:nowrap}" +
    ".cockpit-key b{display:block;margin-top:4px;color:#9fb0c8;font-weight:600}" +
    ".cockpit-key span.sym{display:inline-block;width:16px;text-align:center;margin-right:2px;font-size:15px}" +
    ".cockpit-key button.fold{background:none;border:0;padding:0;color:inherit;font:600 13px sans-serif;" +
    "cursor:pointer}";
  document.head.appendChild(style);

  // a canvas marker drawn as a circle, triangle, square, diamond or cross: states and levels
  // differ by shape as well as colour (Leaflet's canvas renderer draws the path)
  var ShapeMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var r = this._renderer;
      if (!r._drawing || this._empty()) { return; }
      var p = this._point, ctx = r._ctx, s = Math.max(Math.round(this._radius), 1);
      var shape = this.options.shape || "circle";
      ctx.beginPath();
      if (shape === "triangle") {
        ctx.moveTo(p.x, p.y - s * 1.3); ctx.lineTo(p.x + s * 1.2, p.y + s * 0.9);
        ctx.lineTo(p.x - s * 1.2, p.y + s * 0.9); ctx.closePath();
      } else if (shape === "square") {
        ctx.rect(p.x - s * 0.9, p.y - s * 0.9, s * 1.8, s * 1.8);
      } else if (shape === "diamond") {
        ctx.moveTo(p.x, p.y - s * 1.2); ctx.lineTo(p.x + s * 1.2, p.y);
        ctx.lineTo(p.x, p.y + s * 1.2); ctx.lineTo(p.x - s * 1.2, p.y); ctx.closePath();
      } else if (shape === "cross") {
        var a = s * 0.9, w = s * 0.35;
        ctx.moveTo(p.x - a, p.y - a + w); ctx.lineTo(p.x - a + w, p.y - a); ctx.lineTo(p.x, p.y - w);
        ctx.lineTo(p.x + a - w, p.y - a); ctx.lineTo(p.x + a, p.y - a + w); ctx.lineTo(p.x + w, p.y);
        ctx.lineTo(p.x + a, p.y + a - w); ctx.lineTo(p.x + a - w, p.y + a); ctx.lineTo(p.x, p.y + w);
        ctx.lineTo(p.x - a + w, p.y + a); ctx.lineTo(p.x - a, p.y + a - w); ctx.lineTo(p.x - w, p.y);
        ctx.closePath();
      } else {
        ctx.arc(p.x, p.y, s, 0, Math.PI * 2, false);
      }
      r._fillStroke(ctx, this);
    }
  });
  //: event state code (layers/events.py STATE_CODES order) -> shape
  var STATE_SHAPES = ["circle", "square", "triangle", "cross"];
  //: risk level -> shape, as the lists' ▲ 重大 ◆ 较大 ● 一般 ○ 低
  var LEVEL_SHAPES = { 1: "triangle", 2: "diamond", 3: "circle", 4: "circle" };
  var markLayer = L.layerGroup().addTo(map);
  var outlined = null;
  var keyControl = null;
  var keyMsg = null;
  var keyFolded = false;  // the key folded to its title (a click on the title toggles)
  //: what the page was last told to mark (tests read it through window.cockpitMark)
  var lastMark = null;

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
        var lv = msg.level[i];
        clickable(new ShapeMarker([msg.lat[i], msg.lon[i]], {
          renderer: canvas, radius: msg.lon.length > 1500 ? 3 : 5, weight: lv === 4 ? 2 : 1,
          color: lv === 4 ? "#64d2ff" : "#0b1220", shape: LEVEL_SHAPES[lv] || "circle",
          fillColor: lv === 4 ? "#0b1220" : (LEVEL_COLOURS[lv] || "#64d2ff"), fillOpacity: 0.9
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
      clickable(new ShapeMarker([msg.lat[i], msg.lon[i]], {
        renderer: canvas, radius: fresh ? (far ? 6 : 8) : (far ? 3 : 5),
        weight: fresh ? 2 : (far ? 0 : 1.5), stroke: fresh || !far,
        color: fresh ? "#ffffff" : "#0b1220", shape: STATE_SHAPES[msg.state[i]] || "circle",
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

  //: the key's words per pipe kind: main and pipe in Chinese, then in English (any other kind
  //: is shown by its name)
  var PIPE_KINDS = {
    water: ["供水主管", "供水管", "water main", "water pipe"],
    gas: ["燃气主管", "燃气管", "gas main", "gas pipe"],
    drainage: ["排水干管", "排水管", "sewer trunk", "sewer"]
  };

  function showPipeKey(on, msg) {
    if (pipeKey) { map.removeControl(pipeKey); pipeKey = null; }
    if (!on) { return; }
    var items = [];
    (msg.networks || []).forEach(function (kind, i) {
      var cols = msg.colours[i] || ["#888", "#888"];
      var w = PIPE_KINDS[kind];
      items.push([cols[0], w ? w[zh ? 0 : 2] : String(kind) + (zh ? " 主管" : " main")],
                 [cols[1], w ? w[zh ? 1 : 3] : String(kind)]);
    });
    items.push(["#e5e5ea", zh ? "阀门（街道级）" : "valve (street zoom)"]);
    pipeKey = L.control({ position: "bottomleft" });
    pipeKey.onAdd = function () {
      var div = L.DomUtil.create("div", "cockpit-legend");
      div.appendChild(textEl("div", zh ? "地下管线" : "Pipes"));
      if (msg.complete === false) {  // the coarsest drawing was cut at the cap: say so
        var cut = textEl("div", zh ? "管线过多，仅显示部分" : "too many pipes: partly drawn");
        cut.className = "cockpit-legend-note";
        div.appendChild(cut);
      }
      items.forEach(function (it) {
        var row = document.createElement("div");
        var sw = document.createElement("i");
        sw.style.background = safeColour(it[0], "#888");
        row.appendChild(sw);
        row.appendChild(document.createTextNode(it[1]));
        div.appendChild(row);
      });
      return div;
    };
    pipeKey.addTo(map);
  }

  // base64 of little-endian 16- or 32-bit integers (layers/pipes.py pack) -> a typed array
  function decodeInts(b64, enc) {
    var s = atob(b64 || ""), i, n;
    if (enc === "i32") {
      n = s.length >> 2;
      var a32 = new Int32Array(n);
      for (i = 0; i < n; i++) {
        a32[i] = s.charCodeAt(4 * i) | (s.charCodeAt(4 * i + 1) << 8) |
                 (s.charCodeAt(4 * i + 2) << 16) | (s.charCodeAt(4 * i + 3) << 24);
      }
      return a32;
    }
    n = s.length >> 1;
    var a16 = new Int16Array(n);  // the assignment wraps 0..65535 into -32768..32767
    for (i = 0; i < n; i++) { a16[i] = s.charCodeAt(2 * i) | (s.charCodeAt(2 * i + 1) << 8); }
    return a16;
  }

  // Many pipe lines (dots: valves) of one style as one canvas path, straight from the packed
  // integers: Web Mercator pixels at zoom frame.zq relative to (frame.ox, frame.oy), taken to
  // the map's layer pixels with one scale and shift per zoom — no LatLng or Point per vertex.
  // xy[start*per .. end*per): x0 y0 x1 y1 per line, x y per dot.
  var PackedPath = L.Path.extend({
    initialize: function (xy, start, end, frame, options) {
      L.setOptions(this, options);
      this._xy = xy;
      this._per = this.options.dots ? 2 : 4;
      this._start = start * this._per;
      this._end = end * this._per;
      this._frame = frame;
    },
    _project: function () {
      var map = this._map, f = this._frame, xy = this._xy;
      var k = Math.pow(2, map.getZoom() - f.zq), org = map.getPixelOrigin();
      var ax = f.ox * k - org.x, ay = f.oy * k - org.y;
      var px = this._px = new Float64Array(this._end - this._start);
      var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity, i, x, y;
      for (i = this._start; i < this._end; i += 2) {
        x = xy[i] * k + ax;
        y = xy[i + 1] * k + ay;
        px[i - this._start] = x;
        px[i - this._start + 1] = y;
        if (x < minx) { minx = x; }
        if (x > maxx) { maxx = x; }
        if (y < miny) { miny = y; }
        if (y > maxy) { maxy = y; }
      }
      var pad = (this.options.radius || 0) + this.options.weight;
      this._pxBounds = px.length ? L.bounds([minx - pad, miny - pad], [maxx + pad, maxy + pad])
                                 : null;
    },
    _update: function () {},
    _empty: function () { return !this._px || !this._px.length; },
    _containsPoint: function () { return false; },
    _updatePath: function () {
      var r = this._renderer, px = this._px, ctx, i;
      if (!r._drawing || this._empty()) { return; }
      ctx = r._ctx;
      ctx.beginPath();
      if (this.options.dots) {
        var rad = this.options.radius;
        for (i = 0; i < px.length; i += 2) {
          ctx.moveTo(px[i] + rad, px[i + 1]);
          ctx.arc(px[i], px[i + 1], rad, 0, Math.PI * 2, false);
        }
      } else {
        for (i = 0; i < px.length; i += 4) {
          ctx.moveTo(px[i], px[i + 1]);
          ctx.lineTo(px[i + 2], px[i + 3]);
        }
      }
      r._fillStroke(ctx, this);
    }
  });

  function drawPipes(msg) {
    var g = groups.pipes;
    g.clearLayers();
    var frame = { zq: Number(msg.zq), ox: Number(msg.ox), oy: Number(msg.oy) };
    var xy = decodeInts(msg.xy, msg.enc);
    var at = 0;
    (msg.groups || []).forEach(function (grp) {
      var main = !!grp.main;
      new PackedPath(xy, at, at + grp.n, frame, {
        renderer: canvas, color: safeColour(grp.colour, "#5aa9ff"), fill: false,
        weight: main ? 2.6 : 1.2, opacity: main ? 0.95 : 0.75, interactive: false
      }).addTo(g);
      at += grp.n;
    });
    if (msg.valve_count) {
      new PackedPath(decodeInts(msg.valves, msg.enc), 0, msg.valve_count, frame, {
        renderer: canvas, dots: true, radius: 2.5, weight: 1, color: "#0b1220",
        fill: true, fillColor: "#e5e5ea", fillOpacity: 1, fillRule: "nonzero",
        interactive: false
      }).addTo(g);
    }
    showPipeKey(visible.pipes, msg);
  }

  function lines(rows) {
    return rows.map(function (r) { return [[Number(r[1]), Number(r[0])], [Number(r[3]), Number(r[2])]]; });
  }

  function drawImpact(msg) {
    impactGroup.clearLayers();
    if (msg.clear) { return; }
    var bounds = L.latLngBounds([]);
    var cut = lines(msg.cut_off || []);
    var seg = lines(msg.segment || []);
    if (cut.length) {
      var c = L.polyline(cut, { renderer: canvas, color: "#ff9f0a", weight: 4, opacity: 0.9,
                                interactive: false }).addTo(impactGroup);
      bounds.extend(c.getBounds());
    }
    if (seg.length) {
      var s = L.polyline(seg, { renderer: canvas, color: "#ff3b30", weight: 7, opacity: 0.95,
                                interactive: false }).addTo(impactGroup);
      bounds.extend(s.getBounds());
    }
    (msg.sites || []).forEach(function (t) {
      var m = L.circleMarker([Number(t[1]), Number(t[0])], {
        renderer: canvas, radius: 8, weight: 2, color: "#ffffff", fillColor: "#bf5af2",
        fillOpacity: 1 }).addTo(impactGroup);
      m.bindTooltip(textEl("span", t[3]));
      bounds.extend(m.getLatLng());
    });
    (msg.valves || []).forEach(function (v) {
      var m = L.circleMarker([Number(v[1]), Number(v[0])], {
        renderer: canvas, radius: 7, weight: 3, color: "#ff3b30", fillColor: "#ffffff",
        fillOpacity: 1 }).addTo(impactGroup);
      m.bindTooltip(textEl("span", (zh ? "关闭阀门 " : "close valve ") + v[2]),
                    { permanent: msg.valves.length <= 6, direction: "right",
                      className: "cockpit-label" });
      bounds.extend(m.getLatLng());
    });
    var markWords = { outfall: zh ? "排放口 " : "outfall ",
                      treatment_plant: zh ? "污水处理厂 " : "treatment plant ",
                      pump_station: zh ? "泵站 " : "pumping station " };
    (msg.marks || []).forEach(function (t) {
      var m = L.circleMarker([Number(t[1]), Number(t[0])], {
        renderer: canvas, radius: 8, weight: 3, color: "#ffffff",
        fillColor: t[2] === "pump_station" ? "#ffd60a" : "#30d158", fillOpacity: 1 }
      ).addTo(impactGroup);
      m.bindTooltip(textEl("span", (markWords[t[2]] || "") + t[3]),
                    { permanent: true, direction: "right", className: "cockpit-label" });
      bounds.extend(m.getLatLng());
    });
    if (msg.lat !== null && msg.lat !== undefined) {
      L.circleMarker([Number(msg.lat), Number(msg.lon)], {
        renderer: canvas, radius: 10, weight: 3, color: "#ffffff", fillColor: "#ff3b30",
        fillOpacity: 1, interactive: false }).addTo(impactGroup);
      bounds.extend([Number(msg.lat), Number(msg.lon)]);
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.35), { animate: false, maxZoom: 17 });
    }
  }

  // the map key: one section per layer shown, each entry a symbol and a word (never colour
  // alone); the words come from Python in the interface language
  function drawKey(msg) {
    if (msg) { keyMsg = msg; }
    if (!keyMsg) { return; }
    if (keyControl) { map.removeControl(keyControl); }
    keyControl = L.control({ position: "bottomleft" });
    keyControl.onAdd = function () {
      var div = L.DomUtil.create("div", "cockpit-key");
      div.setAttribute("role", "list");
      // the title folds the key away (it covers a good part of a 1080p map) and back
      var head = textEl("button", keyMsg.title + (keyFolded ? " ▸" : " ▾"));
      head.type = "button";
      head.className = "fold";
      head.setAttribute("aria-expanded", keyFolded ? "false" : "true");
      head.addEventListener("click", function () { keyFolded = !keyFolded; drawKey(); });
      div.appendChild(head);
      L.DomEvent.disableClickPropagation(div);
      if (keyFolded) { return div; }
      (keyMsg.sections || []).forEach(function (sec) {
        if (sec.layer && !visible[sec.layer]) { return; }
        div.appendChild(textEl("b", sec.title));
        var line = document.createElement("div");
        (sec.items || []).forEach(function (it) {
          var item = document.createElement("span");
          item.className = "item";
          item.setAttribute("role", "listitem");
          var sym = textEl("span", it.symbol);
          sym.className = "sym";
          sym.style.color = safeColour(it.colour, "#e6edf7");
          item.appendChild(sym);
          item.appendChild(document.createTextNode(String(it.label)));
          line.appendChild(item);
        });
        div.appendChild(line);
      });
      return div;
    };
    keyControl.addTo(map);
  }

  function clearOutline() {
    if (outlined) { outlined.lyr.setStyle(outlined.style); outlined = null; }
  }

  function mark(c) {
    markLayer.clearLayers();
    clearOutline();
    lastMark = { lon: Number(c.lon), lat: Number(c.lat), kind: String(c.kind || ""),
                 id: c.id === undefined ? null : String(c.id), label: String(c.label || "") };
    var icon = L.divIcon({ className: "cockpit-mark", iconSize: [44, 44], iconAnchor: [22, 22],
                           html: "" });
    var m = L.marker([lastMark.lat, lastMark.lon], { icon: icon, interactive: false,
                                                      keyboard: false, zIndexOffset: 1000 });
    m.addTo(markLayer);
    var el = m.getElement();
    if (el) {
      el.appendChild(document.createElement("div")).className = "ring";
      el.appendChild(document.createElement("div")).className = "edge";
      if (lastMark.label) {
        var tag = textEl("div", lastMark.label);
        tag.className = "tag";
        el.appendChild(tag);
      }
    }
    var lyr = c.code ? featureByCode[c.code] : null;
    if (lyr) {  // a district: outline its boundary too
      outlined = { lyr: lyr, style: { weight: lyr.options.weight, color: lyr.options.color,
                                      dashArray: lyr.options.dashArray } };
      lyr.setStyle({ weight: 4, color: "#ffd60a", dashArray: "8 4" });
    }
    if (c.zoom !== undefined && c.zoom !== null) {
      map.flyTo([lastMark.lat, lastMark.lon], Math.max(map.getZoom(), Number(c.zoom)),
                { duration: 0.6 });
    } else {
      map.panTo([lastMark.lat, lastMark.lon], { animate: true });
    }
  }

  var drawers = { districts: drawDistricts, risk_points: drawRisk, events: drawEvents,
                  facilities: drawFacilities, density: drawDensity, key: drawKey,
                  pipes: drawPipes, network_impact: drawImpact };

  function onLayerData(text) {
    var t0 = performance.now();  // arrival: parsing and drawing are timed from here
    var msg;
    try { msg = JSON.parse(text); } catch (e) { console.error("bad layer message: " + e); return; }
    var draw = drawers[msg.layer];
    if (!draw) { console.warn("unknown layer " + msg.layer); return; }
    if (msg.seq && lastDrawn[msg.layer] && msg.seq < lastDrawn[msg.layer]) { return; }  // stale
    if (msg.seq) { lastDrawn[msg.layer] = msg.seq; }
    draw(msg);
    var t1 = performance.now();
    var n = typeof msg.features === "number" ? msg.features
      : (msg.lon && msg.lon.length !== undefined ? msg.lon.length
        : (msg.count ? msg.count.length : 0));
    var done = { layer: msg.layer, seq: msg.seq || 0, features: n, draw_ms: t1 - t0,
                 bytes: text.length };
    if (msg.seq && sentAt[msg.seq] !== undefined) {
      done.arrived_ms = t0 - sentAt[msg.seq];
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
    if (["fly_to", "set_view", "fit", "mark"].indexOf(c.cmd) >= 0) { touched = true; }
    if (c.cmd === "fly_to") {
      map.flyTo([Number(c.lat), Number(c.lon)], Number(c.zoom) || 14, { duration: 0.6 });
    } else if (c.cmd === "set_view") {
      map.setView([Number(c.lat), Number(c.lon)], Number(c.zoom), { animate: false });
    } else if (c.cmd === "fit") {
      map.fitBounds([[c.south, c.west], [c.north, c.east]], { animate: false });
    } else if (c.cmd === "visible" && groups[c.layer]) {
      visible[c.layer] = !!c.on;
      if (c.on) { groups[c.layer].addTo(map); } else { map.removeLayer(groups[c.layer]); }
      if (c.layer === "pipes" && !c.on) { showPipeKey(false); }
      drawKey(null);
    } else if (c.cmd === "mark") {
      mark(c);
    } else if (c.cmd === "unmark") {
      markLayer.clearLayers();
      clearOutline();
      lastMark = null;
    } else if (c.cmd === "refresh") {
      sendViewport();
    }
  }

  map.on("moveend", onMoveEnd);
  map.on("zoomend", updateLabels);
  updateLabels();

  // The page may be laid out before its view has its size (the application loads it while
  // the window is still being built, in a view not yet shown): until the user or Python moves
  // the map, a new size fits the city again instead of keeping the first, tiny fit.
  var home = boundaries && boundaries.getBounds ? boundaries.getBounds() : null;
  var touched = false;
  ["mousedown", "wheel", "keydown", "touchstart"].forEach(function (kind) {
    map.getContainer().addEventListener(kind, function () { touched = true; }, true);
  });
  function fitHome() {
    if (!touched && home && home.isValid()) { map.fitBounds(home, { animate: false }); }
  }
  map.on("resize", fitHome);

  // for tests and the bench: read-only access to the map and its layer groups
  window.cockpitMap = Object.freeze({ map: map, groups: groups, districts: featureByCode,
                                      unitPoints: unitPoints,
                                      legend: function () { return legend; },
                                      impact: impactGroup });
  window.cockpitMark = Object.freeze({
    last: function () { return lastMark; },
    key: function () { return keyControl ? keyControl.getContainer().textContent : ""; }
  });

  new QWebChannel(qt.webChannelTransport, function (channel) {
    bridge = channel.objects.bridge;
    bridge.sig_layer_data.connect(onLayerData);
    bridge.sig_command.connect(onCommand);
    map.invalidateSize({ pan: false });
    fitHome();  // at the size the view has now (it may have changed since the first fit)
    send("page_ready", { zoom: map.getZoom() });
    sendViewport();
  });
})();
