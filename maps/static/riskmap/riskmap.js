/* riskmap page script: the radius control, WGS84 readouts, search and the state in the URL.
 *
 * Part of riskmap (MIT). Reads only what the page embeds: the exact distances of the
 * places (or a grid's curve), a signed distance field of the source, the layers drawn.
 * Distances are measured with GeographicLib (geographiclib-geodesic, WGS84), as riskmap
 * measures them in Python.
 */
(function () {
  "use strict";
  var layers = [];      // every registered L.geoJSON layer, in drawing order
  var wgs84 = null;     // geodesic.Geodesic.WGS84, once GeographicLib is loaded

  function geod() {
    if (!wgs84 && window.geodesic) { wgs84 = window.geodesic.Geodesic.WGS84; }
    return wgs84;
  }

  /** Geodesic distance in metres between two L.LatLng on WGS84. */
  function distance(a, b) {
    return geod().Inverse(a.lat, a.lng, b.lat, b.lng).s12;
  }

  function fmtInt(x) { return Math.round(x).toLocaleString("en-US"); }
  function fmtKm(m, decimals) {
    var d = decimals === undefined ? 1 : decimals;
    return (m / 1000).toLocaleString("en-US", {minimumFractionDigits: d, maximumFractionDigits: d}) + " km";
  }
  function fmtRadius(m) { return (Math.round(m / 100) / 10).toLocaleString("en-US") + " km"; }

  var UNITS = {m: 1, km: 1000, mi: 1609.344, nmi: 1852};
  /** "150km", "150 km", "93.2 mi", "81 nmi", "150000 m" -> metres, or an error message. */
  function parseDistance(text, max) {
    var m = /^\s*([0-9]+(?:[.,][0-9]+)?)\s*(m|km|mi|nmi)?\s*$/i.exec(String(text));
    if (!m) {
      return {error: "'" + text + "' is not a distance: give a number with its unit, e.g. 150 km, 90 mi, 80 nmi"};
    }
    var unit = (m[2] || "km").toLowerCase();
    var value = parseFloat(m[1].replace(",", ".")) * UNITS[unit];
    if (value > max + 1e-6) {
      return {error: "'" + text + "' is beyond " + fmtRadius(max) + ", the largest radius computed: give at most " + fmtRadius(max)};
    }
    return {value: value};
  }

  function upper(arr, x) {  // number of values <= x in an ascending array
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] <= x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }

  /** Population and places of one group within r metres, from its steps. */
  function within(group, r) {
    var i = upper(group.d, r);
    return i ? {pop: group.pop[i - 1], n: group.n[i - 1]} : {pop: 0, n: 0};
  }

  // -- distance field --------------------------------------------------------------------

  function decodeField(f) {
    var bin = atob(f.codes), n = bin.length >> 1, out = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var code = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
      out[i] = code === 65535 ? Infinity : code * f.unit - f.offset;
    }
    f.values = out;
    return f;
  }

  /** Distance to the source at a point, bilinear on the field (Infinity beyond its reach). */
  function fieldDistance(f, lat, lng) {
    // the same meridian in the field's frame (a click west of 180 on a map that reads past it)
    var fx = ((((lng - f.west) % 360) + 360) % 360) / f.dlon, fy = (lat - f.south) / f.dlat;
    if (fx < 0 || fy < 0 || fx > f.nx - 1 || fy > f.ny - 1) { return Infinity; }
    var j = Math.min(Math.floor(fx), f.nx - 2), i = Math.min(Math.floor(fy), f.ny - 2);
    var tx = fx - j, ty = fy - i, v = f.values, k = i * f.nx + j;
    var a = v[k], b = v[k + 1], c = v[k + f.nx], d = v[k + f.nx + 1];
    if (!isFinite(a + b + c + d)) { return Infinity; }
    return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
  }

  /** The level set at r metres, as segments [[lat, lng], [lat, lng]] (marching squares). */
  function contour(f, r) {
    var v = f.values, nx = f.nx, ny = f.ny, segs = [];
    function point(i1, j1, i2, j2) {
      var a = v[i1 * nx + j1], b = v[i2 * nx + j2], t = (r - a) / (b - a);
      return [f.south + (i1 + t * (i2 - i1)) * f.dlat, f.west + (j1 + t * (j2 - j1)) * f.dlon];
    }
    for (var i = 0; i < ny - 1; i++) {
      for (var j = 0; j < nx - 1; j++) {
        var a = v[i * nx + j], b = v[i * nx + j + 1], c = v[(i + 1) * nx + j + 1], d = v[(i + 1) * nx + j];
        if (!isFinite(a + b + c + d)) { continue; }
        var pts = [];
        if ((a <= r) !== (b <= r)) { pts.push(point(i, j, i, j + 1)); }
        if ((b <= r) !== (c <= r)) { pts.push(point(i, j + 1, i + 1, j + 1)); }
        if ((c <= r) !== (d <= r)) { pts.push(point(i + 1, j + 1, i + 1, j)); }
        if ((d <= r) !== (a <= r)) { pts.push(point(i + 1, j, i, j)); }
        if (pts.length === 2) { segs.push(pts); }
        else if (pts.length === 4) { segs.push([pts[0], pts[1]]); segs.push([pts[2], pts[3]]); }
      }
    }
    return segs;
  }

  // -- the instrument ----------------------------------------------------------------------

  function control(map, position, className, html) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "riskmap-box " + className);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    c.addTo(map);
    return c.getContainer();
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }

  function radiusHtml(rc) {
    var rows = rc.shown.map(function (code) {
      return '<tr data-riskmap-country="' + esc(code) + '"><td>' + esc(code) +
        '</td><td data-riskmap="country-population"></td><td data-riskmap="country-places"></td></tr>';
    }).join("");
    var source = rc.kind === "grid"
      ? "grid: cell centres between the radii computed, exact at them"
      : "exact distances of the places";
    var unit = rc.kind === "grid" ? "cells" : "places";
    var ring = rc.field ? '<div class="riskmap-radius-ring" data-riskmap="ring-error"></div>' : "";
    return '<div class="riskmap-radius-title">Radius' + (rc.of ? " from " + esc(rc.of) : "") + '</div>' +
      '<input type="range" class="riskmap-radius-slider" min="0" max="' + rc.radii[rc.radii.length - 1] +
      '" step="100" aria-label="radius in metres"> ' +
      '<input type="text" class="riskmap-radius-input" size="9" aria-label="radius with unit">' +
      '<div class="riskmap-radius-error" data-riskmap="radius-error"></div>' +
      '<div>Within <b data-riskmap="radius"></b>: <b data-riskmap="radius-population"></b> people, ' +
      '<span data-riskmap="radius-places"></span> ' + unit + '</div>' +
      '<table class="riskmap-table"><tr><th>country</th><th>people</th><th>' + unit + '</th></tr>' + rows + '</table>' +
      '<div class="riskmap-legend-note">from the ' + source + '</div>' + ring;
  }

  function Instrument(map, config) {
    this.map = map;
    this.config = config;
    this.overlays = config.overlays.map(function (o) { return window[o.layer]; });
    this.radius = null;
    var rc = config.radius;
    if (rc && rc.field) { decodeField(rc.field); }
    this.tools();
    if (rc) { this.radiusControl(rc); }
    this.readState();
    var self = this;
    map.on("moveend overlayadd overlayremove layeradd layerremove", function () { self.writeState(); });
    window.addEventListener("hashchange", function () { self.readState(); });
    this.ready = true;
    this.writeState();
  }

  Instrument.prototype.radiusControl = function (rc) {
    var self = this;
    // under the layer control, so that the results panel keeps the bottom right to itself
    this.box = control(this.map, "topright", "riskmap-radius", radiusHtml(rc));
    this.slider = this.box.querySelector(".riskmap-radius-slider");
    this.input = this.box.querySelector(".riskmap-radius-input");
    this.ring = L.polyline([], {color: "#000000", weight: 2, dashArray: "6 4", interactive: false});
    if (rc.field) { this.ring.addTo(this.map); }
    this.slider.addEventListener("input", function () { self.setRadius(parseFloat(self.slider.value)); });
    this.input.addEventListener("change", function () {
      var parsed = parseDistance(self.input.value, rc.radii[rc.radii.length - 1]);
      var err = self.box.querySelector('[data-riskmap="radius-error"]');
      err.textContent = parsed.error || "";
      self.input.classList.toggle("riskmap-invalid", !!parsed.error);
      if (!parsed.error) { self.setRadius(parsed.value); }
    });
    this.setRadius(rc.radius);
    this.layout();
    this.map.on("resize", function () { self.layout(); });
    window.addEventListener("load", function () { self.layout(); });  // the curve's image in
    this.map.getContainer().addEventListener("toggle", function () { self.layout(); }, true);
    this.input.addEventListener("change", function () { self.layout(); });
  };

  /** Keep the boxes at the bottom of the radius control's side clear of it (a 1366 x 768
   *  screen, a long table): the results panel scrolls within the height left to it. */
  Instrument.prototype.layout = function () {
    var side = this.box.closest(".leaflet-right") ? ".leaflet-right" : ".leaflet-left";
    var corner = this.map.getContainer().querySelector(".leaflet-bottom" + side);
    if (!corner) { return; }
    var panels = [].slice.call(corner.querySelectorAll(".riskmap-panel"));
    panels.forEach(function (p) { p.style.maxHeight = ""; });  // back to the stylesheet's cap
    var clear = this.box.getBoundingClientRect().bottom + 10, top = Infinity;
    [].forEach.call(corner.children, function (c) { top = Math.min(top, c.getBoundingClientRect().top); });
    var excess = clear - top;
    panels.forEach(function (p) {
      if (excess <= 0) { return; }
      var h = p.getBoundingClientRect().height, cap = Math.max(48, h - excess);
      p.style.boxSizing = "border-box";  // the cap is the box's height, padding included
      p.style.maxHeight = cap + "px";
      excess -= h - cap;
    });
  };

  /** Move the radius: recount, recolour, redraw the ring, update the URL. */
  Instrument.prototype.setRadius = function (r) {
    var rc = this.config.radius, box = this.box;
    if (!rc) { return; }
    r = Math.max(0, Math.min(r, rc.radii[rc.radii.length - 1]));
    this.radius = r;
    this.slider.value = String(r);
    if (document.activeElement !== this.input) { this.input.value = fmtRadius(r); }
    var pop = 0, n = 0, byCode = {};
    rc.groups.forEach(function (g) { var w = within(g, r); pop += w.pop; n += w.n; byCode[g.code] = w; });
    var set = function (key, text, value) {
      var el = box.querySelector('[data-riskmap="' + key + '"]');
      el.textContent = text;
      if (value !== undefined) { el.setAttribute("data-value", String(value)); }
    };
    set("radius", fmtRadius(r), r);
    set("radius-population", fmtInt(pop), pop);
    set("radius-places", fmtInt(n), n);
    box.querySelectorAll("tr[data-riskmap-country]").forEach(function (tr) {
      var w = byCode[tr.getAttribute("data-riskmap-country")] || {pop: 0, n: 0};
      var cells = tr.querySelectorAll("td");
      cells[1].textContent = fmtInt(w.pop); cells[1].setAttribute("data-value", String(w.pop));
      cells[2].textContent = fmtInt(w.n); cells[2].setAttribute("data-value", String(w.n));
    });
    this.recolour(r);
    if (rc.field) {
      this.ring.setLatLngs(contour(rc.field, r));
      var k = Math.min(Math.floor(r / rc.field.band), rc.field.errors.length - 1);
      var err = rc.field.errors[k];
      var el = box.querySelector('[data-riskmap="ring-error"]');
      // the words of maps.instrument.ring_error_text, in the panel and in the legend's note
      var words = "Dashed ring at " + fmtRadius(r) + ": within " + fmtInt(err) +
        " m of the exact buffer (measured on the distance grid at this radius)";
      el.textContent = words;
      el.setAttribute("data-value", String(err));
      document.querySelectorAll(".riskmap-legend-note").forEach(function (note) {
        if (/^Dashed ring at /.test(note.textContent)) { note.textContent = words; }
      });
    }
    this.writeState();
  };

  Instrument.prototype.recolour = function (r) {
    var label = fmtRadius(r);
    document.querySelectorAll(".riskmap-legend-row").forEach(function (row) {
      row.lastChild.textContent = row.lastChild.textContent.replace(
        /^ Settlement (within|beyond) [0-9.,]+ km$/, " Settlement $1 " + label);
    });
    layers.forEach(function (entry) {
      if (!entry.recolour) { return; }
      entry.layer.eachLayer(function (m) {
        var d = m.feature && m.feature.properties.d;
        if (d === undefined || d === null) { return; }
        var inside = d <= r;
        m.setStyle(entry.styles[inside ? 0 : 1]);
        var tip = m.getTooltip();
        if (tip) {
          tip.setContent(String(tip.getContent()).replace(
            / – (inside|outside) [0-9.,]+ km/, " – " + (inside ? "inside " : "outside ") + label));
        }
      });
    });
  };

  // -- tools: click readout, search, copy link ---------------------------------------------

  Instrument.prototype.tools = function () {
    var self = this, map = this.map, rc = this.config.radius;
    var html = '<input type="search" class="riskmap-search" list="riskmap-places" placeholder="Find a place" ' +
      'aria-label="find a place on the map"><datalist id="riskmap-places"></datalist>' +
      '<div data-riskmap="search-result"></div>' +
      '<div data-riskmap="click">Click the map: distance to the ' + (rc && rc.of ? esc(rc.of) : "source") +
      ' and from the last click, on WGS84</div>' +
      '<button type="button" class="riskmap-copy" data-riskmap="copy-link">Copy link</button>';
    this.tool = control(map, "topleft", "riskmap-tools", html);
    var names = {}, list = this.tool.querySelector("datalist");
    layers.forEach(function (entry) {
      entry.layer.eachLayer(function (m) {
        var name = m.feature && m.feature.properties.n;
        if (name && !names[name]) { names[name] = m; }
      });
    });
    this.places = names;
    list.innerHTML = Object.keys(names).sort().map(function (n) { return '<option value="' + esc(n) + '">'; }).join("");
    var search = this.tool.querySelector(".riskmap-search");
    search.addEventListener("change", function () { self.find(search.value); });
    this.tool.querySelector(".riskmap-copy").addEventListener("click", function () { self.copyLink(); });
    map.on("click", function (e) { self.clicked(e.latlng); });
  };

  /** Show a place by name (case and accents as written; a unique prefix will do). */
  Instrument.prototype.find = function (query) {
    var out = this.tool.querySelector('[data-riskmap="search-result"]');
    var q = String(query).trim().toLowerCase(), keys = Object.keys(this.places);
    var hit = keys.filter(function (k) { return k.toLowerCase() === q; });
    if (!hit.length) { hit = keys.filter(function (k) { return k.toLowerCase().indexOf(q) === 0; }); }
    if (!q || !hit.length) {
      out.textContent = "'" + query + "' is not on this map; pick one of the names offered";
      return null;
    }
    var marker = this.places[hit.sort()[0]], ll = marker.getLatLng ? marker.getLatLng() : marker.getBounds().getCenter();
    var parent = this.overlays.find(function (fg) { return fg && fg.hasLayer && fg.getLayers().some(function (g) { return g.hasLayer && g.hasLayer(marker); }); });
    if (parent && !this.map.hasLayer(parent)) { parent.addTo(this.map); }
    this.map.setView(ll, Math.max(this.map.getZoom(), 8), {animate: false});
    if (marker.openTooltip) { marker.openTooltip(); }
    out.textContent = hit.sort()[0];
    return hit.sort()[0];
  };

  Instrument.prototype.clicked = function (ll) {
    var out = this.tool.querySelector('[data-riskmap="click"]'), rc = this.config.radius;
    var lines = [ll.lat.toFixed(4) + "°, " + ll.lng.toFixed(4) + "°"];
    if (rc && rc.field) {
      var d = fieldDistance(rc.field, ll.lat, ll.lng), k = Math.floor(Math.max(d, 0) / rc.field.band);
      var of = rc.of ? esc(rc.of) : "the source";
      if (!isFinite(d)) {
        lines.push("more than " + fmtRadius(rc.field.reach) + " from " + of);
      } else if (d <= 0) {
        lines.push("inside " + of);
      } else {
        var err = rc.field.errors[Math.min(k, rc.field.errors.length - 1)];
        lines.push('<span data-riskmap="click-source-distance" data-value="' + d + '">' + fmtKm(d) +
          "</span> from " + of + " (± " + fmtInt(err) + " m)");
      }
    }
    if (this.last) {
      var s = distance(this.last, ll);
      lines.push('<span data-riskmap="click-distance" data-value="' + s + '">' + fmtKm(s) +
        "</span> from the last click");
    }
    this.last = ll;
    out.innerHTML = lines.join("<br>");
  };

  Instrument.prototype.link = function () {
    var map = this.map, c = map.getCenter(), shown = [];
    this.overlays.forEach(function (fg, i) { if (fg && map.hasLayer(fg)) { shown.push(i); } });
    var parts = [];
    if (this.radius !== null) { parts.push("radius=" + (Math.round(this.radius / 100) / 10) + "km"); }
    parts.push("layers=" + shown.join(","));
    parts.push("view=" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4));
    return location.href.split("#")[0] + "#" + parts.join("&");
  };

  Instrument.prototype.writeState = function () {
    if (!this.ready || this.applying) { return; }
    var url = this.link();
    if (url !== location.href) { history.replaceState(null, "", url); }
  };

  /** Apply #radius=150km&layers=0,2&view=6/42.1/130.2 (each part optional). */
  Instrument.prototype.readState = function () {
    var hash = location.hash.replace(/^#/, ""), state = {};
    hash.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { state[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); }
    });
    this.applying = true;
    try {
      var map = this.map;
      if (state.layers !== undefined) {
        var on = state.layers.split(",").filter(Boolean).map(Number);
        this.overlays.forEach(function (fg, i) {
          if (!fg) { return; }
          if (on.indexOf(i) >= 0 && !map.hasLayer(fg)) { fg.addTo(map); }
          if (on.indexOf(i) < 0 && map.hasLayer(fg)) { map.removeLayer(fg); }
        });
      }
      if (state.view) {
        var v = state.view.split("/").map(Number);
        if (v.length === 3 && v.every(isFinite)) { map.setView([v[1], v[2]], v[0], {animate: false}); }
      }
      if (state.radius && this.config.radius) {
        var rc = this.config.radius, parsed = parseDistance(state.radius, rc.radii[rc.radii.length - 1]);
        if (parsed.error) {
          this.box.querySelector('[data-riskmap="radius-error"]').textContent = "URL: " + parsed.error;
        } else {
          this.setRadius(parsed.value);
        }
      }
    } finally {
      this.applying = false;
    }
  };

  /** Copy the page's link (state included); where the clipboard is refused, show it selected. */
  Instrument.prototype.copyLink = function () {
    var url = this.link(), tool = this.tool, button = tool.querySelector(".riskmap-copy");
    button.setAttribute("data-link", url);
    var show = function () {
      var field = tool.querySelector(".riskmap-link") || L.DomUtil.create("input", "riskmap-link", tool);
      field.readOnly = true;
      field.value = url;
      field.select();
      button.textContent = "Copy the link shown";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () { button.textContent = "Link copied"; }, show);
    } else {
      show();
    }
    return url;
  };

  // -- leaflet-measure on WGS84 -------------------------------------------------------------

  /** Make leaflet-measure report geodesic lengths and areas on WGS84 instead of a sphere. */
  function measureOnWgs84() {
    if (!L.Control.Measure || L.Control.Measure.prototype._riskmapWgs84) { return; }
    var proto = L.Control.Measure.prototype;
    var display = proto._getMeasurementDisplayStrings, dbl = proto._handleMeasureDoubleClick;
    proto._handleMeasureDoubleClick = function () {
      this._riskmapFinished = (this._latlngs || []).slice();
      try { return dbl.apply(this, arguments); } finally { this._riskmapFinished = null; }
    };
    proto._getMeasurementDisplayStrings = function (m) {
      var pts = this._riskmapFinished || this._latlngs || [];
      if (pts.length >= 2 && geod()) {
        var closed = this._riskmapFinished && pts.length > 2 ? pts.concat([pts[0]]) : pts;
        var length = 0;
        for (var i = 1; i < closed.length; i++) { length += distance(closed[i - 1], closed[i]); }
        m.length = length;
        if (pts.length > 2) {
          var poly = geod().Polygon(false);
          pts.forEach(function (p) { poly.AddPoint(p.lat, p.lng); });
          m.area = Math.abs(poly.Compute(false, true).area);
        }
      }
      return display.call(this, m);
    };
    proto._riskmapWgs84 = true;
  }

  window.riskmapPage = {
    /** Called by each GeoJSON layer of the page as it is drawn. */
    register: function (layer, options) {
      layers.push(L.extend({layer: layer}, options || {}));
      return layer;
    },
    /** Called once, after every layer: builds the controls and applies the URL's state. */
    instrument: function (map, config) {
      measureOnWgs84();
      map.riskmapPage = new Instrument(map, config);
      return map.riskmapPage;
    },
    distance: function (a, b) { return distance(L.latLng(a), L.latLng(b)); },
    parseDistance: parseDistance,
    contour: contour,
    fieldDistance: fieldDistance
  };
  window.riskmapInstrument = window.riskmapPage.instrument;
})();
