/* places.js: what a search that matches no location means as a place (a town, a postcode
 * or a postcode area), from the place index (output/placeindex.py). locator.js loads this
 * script and places.json only when a query matches no location directly, so a page that is
 * only looked at, or searched for a location's own name or city, never fetches them.
 * Exposes window.LocatorPlaces:
 *   decode(json)                -> index
 *   resolve(index, q, wanted)   -> {place} | {choices: [place]} | null
 *   postcodeKeys(rule, text)    -> the keys a postcode is found by (data/postcodes.py)
 * A place: {label, lat, lng, kind: "town"|"postcode", approximate, area (a postcode's area,
 * for analytics: never a whole postcode)}.
 */
(function (global) {
  "use strict";

  var SHORT = { saint: "st", sainte: "ste", mount: "mt", fort: "ft" };
  var MAX_CHOICES = 8;

  // locator.js's normalize, with "Saint"/"St." and the like folded to one form.
  function fold(text) {
    return global.Locator.normalize(text).split(" ").map(function (word) {
      return SHORT[word] || word;
    }).join(" ");
  }

  function decode(data) {
    var regions = data.regions.map(function (r) { return { country: r[0], name: r[1], code: r[2] }; });
    var byKey = new Map();
    var towns = data.towns.map(function (row) {
      var town = { name: row[0], lat: row[1], lng: row[2], region: regions[row[3]],
        pop: row[4], keys: [] };
      [row[0]].concat(row[5] ? row[5].split("|") : []).forEach(function (name) {
        var key = fold(name);
        if (!key || town.keys.indexOf(key) >= 0) { return; }
        town.keys.push(key);
        if (!byKey.has(key)) { byKey.set(key, []); }
        byKey.get(key).push(town);
      });
      return town;
    });
    return { countries: data.countries, towns: towns, byKey: byKey, postcodes: data.postcodes };
  }

  /* ----------------------------------------------------------- postcodes */

  function postcodeKeys(rule, text) {
    var code = String(text).toUpperCase().replace(/[^A-Z0-9]/g, "");
    var m;
    if (rule === "gb") {
      if ((m = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/.exec(code))) {
        return [code, m[1], /^[A-Z]+/.exec(m[1])[0]];
      }
      if ((m = /^([A-Z]{1,2})[0-9][A-Z0-9]?$/.exec(code))) { return [code, m[1]]; }
      return [];
    }
    if (rule === "us") {
      if ((m = /^([0-9]{5})([0-9]{4})?$/.exec(code))) { return [m[1], code.slice(0, 3)]; }
      return /^[0-9]{3}$/.test(code) ? [code] : [];
    }
    if (rule === "ca") {
      if ((m = /^([A-Z][0-9][A-Z])([0-9][A-Z][0-9])?$/.exec(code))) {
        return m[2] ? [code, m[1]] : [code];
      }
      return [];
    }
    if (!/^[0-9]{3,}$/.test(code)) { return []; }
    return [code].concat([3, 2].filter(function (n) { return n < code.length; })
      .map(function (n) { return code.slice(0, n); }));
  }

  function postcodes(index, text) {
    var found = [];
    Object.keys(index.postcodes).sort().forEach(function (country) {
      var table = index.postcodes[country];
      var keys = postcodeKeys(table.rule, text);
      for (var i = 0; i < keys.length; i++) {
        var entry = table.codes[keys[i]];
        if (entry) {
          var approximate = i > 0 || entry[2] > 0;
          var shown = String(text).trim().toUpperCase().replace(/\s+/g, " ");
          found.push({ kind: "postcode", lat: entry[0], lng: entry[1], country: country,
            approximate: approximate,
            label: shown, note: approximate ? " (approximate)" : "",
            area: keys.length > 1 ? keys[1] : keys[0] });
          return;
        }
      }
    });
    found.forEach(function (place) {  // a code several countries use says whose it is
      if (found.length > 1) { place.label += ", " + index.countries[place.country]; }
      place.label += place.note;
    });
    return found;
  }

  /* --------------------------------------------------------------- towns */

  function townPlace(index, town, withCountry) {
    var where = town.region.name || index.countries[town.region.country] || "";
    var label = town.name + (where ? ", " + where : "");
    if (withCountry && town.region.name) { label += ", " + index.countries[town.region.country]; }
    return { kind: "town", lat: town.lat, lng: town.lng, label: label, approximate: false,
      area: label, pop: town.pop };
  }

  function qualifies(index, town, qualifier) {
    var r = town.region;
    return [fold(r.name), fold(r.code), fold(r.country),
      fold(index.countries[r.country] || "")].indexOf(qualifier) >= 0;
  }

  function towns(index, text) {
    var query = fold(text);
    if (!query) { return []; }
    var found = index.byKey.get(query) || [];
    var words = query.split(" ");
    // "Springfield, OR", "Springfield Oregon", "London Canada"
    for (var cut = words.length - 1; !found.length && cut > 0; cut--) {
      var name = words.slice(0, cut).join(" ");
      var qualifier = words.slice(cut).join(" ");
      found = (index.byKey.get(name) || []).filter(function (town) {
        return qualifies(index, town, qualifier);
      });
    }
    if (!found.length && query.length >= 3) {  // the start of a name: "Beaver"
      found = index.towns.filter(function (town) {
        return town.keys.some(function (key) { return key.indexOf(query) === 0; });
      });
    }
    var unique = [];
    found.forEach(function (town) { if (unique.indexOf(town) < 0) { unique.push(town); } });
    unique.sort(function (a, b) { return b.pop - a.pop || a.name.localeCompare(b.name); });
    return unique;
  }

  /* ------------------------------------------------------------- resolve */

  // `wanted`: the label of the place chosen before (the URL's place=), if any.
  function resolve(index, q, wanted) {
    var places = postcodes(index, q);
    if (!places.length) {
      var found = towns(index, q);
      var countries = {};
      found.slice(0, MAX_CHOICES).forEach(function (t) { countries[t.region.country] = true; });
      var withCountry = Object.keys(countries).length > 1;
      places = found.map(function (town) { return townPlace(index, town, withCountry); });
    }
    if (wanted) {
      var chosen = places.filter(function (p) { return p.label === wanted; });
      if (chosen.length) { return { place: chosen[0] }; }
    }
    if (places.length === 1) { return { place: places[0] }; }
    if (places.length > 1) { return { choices: places.slice(0, MAX_CHOICES) }; }
    return null;
  }

  global.LocatorPlaces = { decode: decode, resolve: resolve, postcodeKeys: postcodeKeys,
    fold: fold };
})(window);
