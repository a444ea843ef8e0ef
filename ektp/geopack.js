// Map geometry for Plotly from the ETL's packed file (etl/geopack.py documents the format).
//
// A Plotly `choropleth` whose `geojson` is a URL looks the URL up in window.PlotlyGeoAssets
// before it fetches: an object there is drawn as it is, and the string "pending" makes Plotly
// wait (up to 5 s) for one to appear. ektpGeoPack.load(url, packUrl) marks `url` pending, fetches
// the pack (a seventh of the GeoJSON's bytes), rebuilds the exact FeatureCollection and stores it
// under `url`. If the pack cannot be had it stores the GeoJSON from `url` itself, as Plotly would
// have. If Plotly asked first, it is already fetching `url`, and load leaves it be.
//
// Plotly gives up on a pending URL after 5 s (a slow connection that has Plotly's code cached but
// not this build's geometry) and keeps that failure on the chart (`gd._promises`), so no later
// draw succeeds. When the geometry comes that late and a chart of that URL has drawn nothing,
// load clears the failure and redraws the chart (window.Plotly, which Streamlit's bundle sets).
(function () {
  "use strict";
  if (window.ektpGeoPack) {
    return;
  }
  var FORMAT = "ektp-geopack/1";
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var VALUE = {};
  for (var i = 0; i < ALPHABET.length; i++) {
    VALUE[ALPHABET.charAt(i)] = i;
  }

  function decode(pack) {
    if (!pack || pack.f !== FORMAT) {
      throw new Error("not an " + FORMAT + " file");
    }
    var s = pack.s;
    var codes = [];
    pack.c.forEach(function (group) {
      group[1].split(" ").forEach(function (last) {
        codes.push(group[0] ? group[0] + "." + last : last);
      });
    });
    var x = 0;
    var y = 0;
    var features = pack.g.map(function (text, id) {
      var multi = text.charAt(0) === "*";
      var polygons = (multi ? text.slice(1) : text).split(";").map(function (polygonText) {
        return polygonText.split(",").map(function (ringText) {
          var nums = [];
          var z = 0;
          var scale = 1;
          for (var k = 0; k < ringText.length; k++) {
            var d = VALUE[ringText.charAt(k)];
            if (d === undefined) {
              throw new Error("bad character in feature " + id);
            }
            z += (d & 31) * scale;
            scale *= 32;
            if (!(d & 32)) {
              nums.push(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
              z = 0;
              scale = 1;
            }
          }
          var ring = [];
          for (var n = 0; n + 1 < nums.length; n += 2) {
            x += nums[n];
            y += nums[n + 1];
            ring.push([x / s, y / s]);
          }
          ring.push([ring[0][0], ring[0][1]]);
          return ring;
        });
      });
      var name = pack.n[id];
      return {
        type: "Feature",
        id: id,
        properties: name === null ? { c: codes[id] } : { c: codes[id], n: name },
        geometry: { type: multi ? "MultiPolygon" : "Polygon", coordinates: multi ? polygons : polygons[0] },
      };
    });
    var fc = { type: "FeatureCollection", features: features };
    if (pack.bbox) {
      fc.bbox = pack.bbox;
    }
    return fc;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) {
        throw new Error(url + ": HTTP " + r.status);
      }
      return r.json();
    });
  }

  var PLOTLY_WAIT_MS = 5000;

  function redrawGivenUp(url) {
    if (!window.Plotly || typeof window.Plotly.redraw !== "function") {
      return;
    }
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      var uses = (gd.data || []).some(function (trace) {
        return trace.geojson === url;
      });
      if (uses && !gd.querySelector(".choroplethlayer path")) {
        gd._promises = [];
        window.Plotly.redraw(gd);
      }
    });
  }

  function load(url, packUrl) {
    var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} });
    if (assets[url]) {
      return;
    }
    assets[url] = "pending";
    var started = Date.now();
    getJson(packUrl)
      .then(decode)
      .catch(function (err) {
        console.warn("ektp: packed geometry unavailable, loading GeoJSON", err);
        return getJson(url);
      })
      .then(
        function (fc) {
          assets[url] = fc;
          if (Date.now() - started >= PLOTLY_WAIT_MS) {
            // a chart still waiting draws within 50 ms; one that gave up has nothing a second on
            setTimeout(function () {
              redrawGivenUp(url);
            }, 1000);
          }
        },
        function (err) {
          console.error("ektp: map geometry unavailable", err);
          delete assets[url];
        }
      );
  }

  window.ektpGeoPack = { decode: decode, load: load };
})();
