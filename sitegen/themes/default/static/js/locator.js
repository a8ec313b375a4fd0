/* locator.js: the shared, dependency-free logic of the location finder.
 *
 * Used by the Map, List and Card views (with locator-map.js or locator-list.js), by the
 * location page (location.js, location-map.js) and the maps of the home and hub pages
 * (overview-map.js). Exposes window.Locator:
 *   data     load(url) / decode(json): markers.json -> location objects
 *   search   normalize, filter(locations, state, origin)
 *   distance distanceKm, formatDistance
 *   hours    openStatus(hours, special, timeZone, now, clock), todayHours(...), zoned (the
 *            local date and time in a zone: Temporal, else Intl)
 *   state    readState, writeState: the search in the URL (?q=&category=&radius=&sort=&place=)
 *   places   a query that matches no location is looked up as a town or postcode (places.js
 *            and the place index, loaded then and only then): the locations nearest to it
 *            first, an empty radius falling back to the nearest few, several towns of that
 *            name offered as choices
 *   strings  tr(key, params), text(key): what the scripts say (site.js reads the page's)
 *   UI       el (DOM builder, text only), icon, action, resultItem, markerIcon (the brand's
 *            map pin), loadLeaflet and whenVisible (maps load as they scroll into view),
 *            start(root, view): wires the search form
 * Data is only ever put into the page with textContent and DOM APIs, never innerHTML (the
 * one HTML string is the constant pin markerIcon hands to Leaflet).
 */
(function (global) {
  "use strict";

  var DAY_KEYS = ["mo", "tu", "we", "th", "fr", "sa", "su"];

  /* ------------------------------------------------------------- strings */

  // What the scripts say, in the page's language (site.js, run first, reads them):
  // tr("closes_at", {time: "18:00"}) fills its {placeholders}; text("days") is a value as is.
  function text(key) { return global.sitegenStrings.value(key); }
  function tr(key, params) { return global.sitegenStrings.say(key, params); }
  var KM_PER_MILE = 1.609344;
  var DAY = 1440;

  /* ---------------------------------------------------------------- data */

  function decode(data) {
    var at = {};
    data.fields.forEach(function (name, i) { at[name] = i; });
    return data.locs.map(function (row, index) {
      var place = data.places[row[at.place]];
      var loc = {
        index: index,
        lat: row[at.lat],
        lng: row[at.lng],
        name: row[at.name],
        // path: the production URL path; url: where the page is (a private build's
        // marker data names it in `href`, output/private.py).
        path: place[0] + row[at.slug] + "/",
        url: at.href === undefined ? place[0] + row[at.slug] + "/" : row[at.href],
        street: row[at.street],
        city: place[1],
        region: place[2],
        group: place[3],
        country: place[4],
        postcode: row[at.postcode],
        categories: row[at.cats].map(function (i) { return data.cats[i]; }),
        hours: row[at.hours] === null ? null : data.hours[row[at.hours]],
        special: row[at.special] === null ? null : data.special[row[at.special]],
        timeZone: row[at.tz] === null ? null : data.tz[row[at.tz]],
        phone: row[at.phone],
        tel: row[at.tel],
        image: row[at.image],
        status: (at.status === undefined ? "" : row[at.status]) || "open",
        statusDate: (at.sdate === undefined ? "" : row[at.sdate]) || "",
        km: null
      };
      loc.address = [loc.street, loc.city, loc.region, loc.postcode].filter(Boolean).join(", ");
      loc.search = " " + normalize([loc.name, loc.street, loc.city, loc.region, loc.group,
        loc.country, loc.postcode, loc.postcode.replace(/\s+/g, "")]
        .concat(loc.categories).join(" ")) + " ";
      return loc;
    });
  }

  var cache = {};
  function load(url) {
    if (!cache[url]) {
      // sitegenFetchJSON (unlock.js, protected builds) decrypts an encrypted markers.json.
      var json = window.sitegenFetchJSON ? window.sitegenFetchJSON(url, {
        credentials: "same-origin" }) : fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("could not load " + url + ": " + response.status); }
          return response.json();
        });
      cache[url] = json.then(decode);
    }
    return cache[url];
  }

  /* Loads a script once (places.js): resolves when it has run. */
  var scripts = {};
  function loadScript(src) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = src;
        tag.onload = resolve;
        tag.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(tag);
      });
    }
    return scripts[src];
  }

  // The place index of `root` (data-places, data-places-js), decoded, loaded on first use.
  var placeIndex = null;
  function loadPlaces(root) {
    if (!placeIndex) {
      var url = root.getAttribute("data-places");
      var json = window.sitegenFetchJSON ? window.sitegenFetchJSON(url, {
        credentials: "same-origin" }) : fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("could not load " + url + ": " + response.status); }
          return response.json();
        });
      placeIndex = Promise.all([json, loadScript(root.getAttribute("data-places-js"))])
        .then(function (loaded) { return global.LocatorPlaces.decode(loaded[0]); });
      placeIndex.catch(function () { placeIndex = null; });  // try again on the next search
    }
    return placeIndex;
  }

  /* -------------------------------------------------------------- search */

  // Lower case, accents removed ("Montréal" finds "montreal"), punctuation as spaces.
  function normalize(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  // A postcode as the place index keys it: upper case, letters and digits only.
  function canonicalCode(text) { return String(text || "").toUpperCase().replace(/[^A-Z0-9]/g, ""); }

  function toKm(value, unit) { return unit === "mi" ? value * KM_PER_MILE : value; }

  // Made on first use: an Intl.Collator costs a long task to set up, on every page.
  var collator = null;
  function compareNames(a, b) {
    collator = collator || new Intl.Collator(undefined, { sensitivity: "base", numeric: true });
    return collator.compare(a, b);
  }

  // Every word of the query must occur in the location's name, address or categories.
  function filter(locations, state, origin, unit) {
    var words = normalize(state.q).split(" ").filter(Boolean);
    var radiusKm = origin && state.radius ? toKm(Number(state.radius), unit) : 0;
    var results = [];
    locations.forEach(function (loc) {
      loc.km = origin ? distanceKm(origin.lat, origin.lng, loc.lat, loc.lng) : null;
      for (var i = 0; i < words.length; i++) {
        if (loc.search.indexOf(words[i]) < 0) { return; }
      }
      if (state.category && loc.categories.indexOf(state.category) < 0) { return; }
      if (radiusKm && loc.km > radiusKm) { return; }
      results.push(loc);
    });
    if (state.sort === "distance" && origin) {
      results.sort(function (a, b) { return a.km - b.km || a.index - b.index; });
    } else if (state.sort === "name") {
      results.sort(function (a, b) { return compareNames(a.name, b.name) || a.index - b.index; });
    }
    return results;
  }

  /* ------------------------------------------------------------ distance */

  function distanceKm(lat1, lng1, lat2, lng2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLng = (lng2 - lng1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function formatDistance(km, unit) {
    var value = unit === "mi" ? km / KM_PER_MILE : km;
    var shown = value < 10 ? value.toFixed(1).replace(".", text("decimal") || ".") :
      Math.round(value).toString();
    return shown + " " + unit;
  }

  /* --------------------------------------------------------------- hours */

  // The date and time at `now` in a time zone. Temporal where the browser has it: the first
  // Intl.DateTimeFormat of a page sets up ICU's formatting data, a task of 25-40 ms (100-160
  // ms on a phone) while the page loads; Temporal reads the same zone data at once.
  var formatters = {};
  function zoned(now, timeZone) {
    if (timeZone && global.Temporal && global.Temporal.Instant) {
      try {
        var z = global.Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone);
        return { year: z.year, month: z.month, day: z.day, weekday: z.dayOfWeek - 1,
          minutes: z.hour * 60 + z.minute };
      } catch (e) { /* a zone Temporal does not know: Intl below */ }
    }
    if (!timeZone) {  // no zone: the visitor's own clock
      return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate(),
        weekday: (now.getDay() + 6) % 7, minutes: now.getHours() * 60 + now.getMinutes() };
    }
    var key = timeZone;
    if (!formatters[key]) {
      var options = { year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      try {
        formatters[key] = new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: timeZone || undefined }, options));
      } catch (e) {  // an unknown zone: fall back to the visitor's own clock
        formatters[key] = new Intl.DateTimeFormat("en-US", options);
      }
    }
    var parts = {};
    formatters[key].formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
    var weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
    return { year: +parts.year, month: +parts.month, day: +parts.day, weekday: weekday,
      minutes: (+parts.hour % 24) * 60 + (+parts.minute) };
  }

  var WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  // "monday"... for `now` in the time zone (the keys of the hours table's rows).
  function weekday(now, timeZone) { return WEEKDAYS[zoned(now, timeZone).weekday]; }

  function isoDate(year, month, day, offset) {
    var d = new Date(Date.UTC(year, month - 1, day + offset));
    return d.toISOString().slice(0, 10);
  }

  function formatTime(minutes, clock) {
    minutes = ((minutes % DAY) + DAY) % DAY;
    var h = Math.floor(minutes / 60);
    var m = minutes % 60;
    var mm = (m < 10 ? "0" : "") + m;
    if (clock === "12h") { return ((h + 11) % 12 + 1) + ":" + mm + " " + (h < 12 ? "AM" : "PM"); }
    return (h < 10 ? "0" : "") + h + ":" + mm;
  }

  /* Whether a place is open at `now` in its time zone, and when that changes.
   * hours: {"mo": [[540, 1020]], ...} minutes from midnight (an end past 1440 runs into the
   * next day; a missing day is unknown, [] is closed); special: {"2026-12-25": []} replaces
   * the weekly hours on that date. Returns {state: "open"|"closed"|"unknown", text}. */
  function openStatus(hours, special, timeZone, now, clock) {
    if (!hours && !special) { return { state: "unknown", text: "" }; }
    var t = zoned(now || new Date(), timeZone);
    function day(offset) {  // the intervals of the day `offset` days from today, or null
      var date = isoDate(t.year, t.month, t.day, offset);
      if (special && Object.prototype.hasOwnProperty.call(special, date)) { return special[date]; }
      var list = hours && hours[DAY_KEYS[((t.weekday + offset) % 7 + 7) % 7]];
      return list === undefined ? null : list;
    }
    function dayName(offset) { return (text("days") || [])[(t.weekday + offset) % 7]; }

    // Open now: in one of today's intervals, or in yesterday's running past midnight.
    var closes = null;
    (day(-1) || []).forEach(function (iv) {
      if (iv[1] > DAY && t.minutes < iv[1] - DAY) { closes = iv[1] - DAY; }
    });
    (day(0) || []).forEach(function (iv) {
      if (iv[0] <= t.minutes && t.minutes < iv[1]) { closes = Math.max(closes || 0, iv[1]); }
    });
    if (closes !== null) {
      // Follow intervals that continue on the next day (24-hour places, late nights).
      for (var k = 1; k <= 7 && closes >= k * DAY; k++) {
        var next = (day(k) || []).filter(function (iv) { return iv[0] === closes - k * DAY; });
        if (!next.length) { break; }
        closes = k * DAY + Math.max.apply(null, next.map(function (iv) { return iv[1]; }));
      }
      if (closes >= 7 * DAY) { return { state: "open", text: tr("open_24") }; }
      var when = closes % DAY === 0 ? tr("midnight") : formatTime(closes, clock);
      var closing = tr("closes_at", { time: when });  // tonight, or early tomorrow morning
      if (closes >= DAY + 720) {
        var d = Math.floor((closes - 1) / DAY);
        closing = d === 1 ? tr("closes_tomorrow", { time: when }) :
          tr("closes_on", { day: dayName(d), time: when });
      }
      return { state: "open", text: tr("open_now") + " · " + closing };
    }

    // Closed: find the next opening within a week.
    if (day(0) === null) { return { state: "unknown", text: "" }; }
    for (var offset = 0; offset <= 7; offset++) {
      var starts = (day(offset) || []).map(function (iv) { return iv[0]; })
        .filter(function (s) { return offset > 0 || s > t.minutes; });
      if (starts.length) {
        var at = formatTime(Math.min.apply(null, starts), clock);
        var opening = offset === 0 ? tr("opens_at", { time: at }) :
          offset === 1 ? tr("opens_tomorrow", { time: at }) :
          tr("opens_on", { day: dayName(offset), time: at });
        return { state: "closed", text: tr("closed") + " · " + opening };
      }
    }
    return { state: "closed", text: tr("closed") };
  }

  function intervalsText(list, clock) {
    if (!list.length) { return tr("closed"); }
    return list.map(function (iv) {
      if (iv[0] === 0 && iv[1] >= DAY) { return tr("open_24"); }
      return formatTime(iv[0], clock) + " – " + (iv[1] % DAY === 0 ? tr("midnight") : formatTime(iv[1], clock));
    }).join(", ");
  }

  // Today's opening hours as text ("7:00 AM – 6:00 PM", "Closed"), holiday hours first;
  // "" when unknown.
  function todayHours(hours, special, timeZone, now, clock) {
    var t = zoned(now || new Date(), timeZone);
    var date = isoDate(t.year, t.month, t.day, 0);
    var list = special && Object.prototype.hasOwnProperty.call(special, date) ? special[date] :
      hours && hours[DAY_KEYS[t.weekday]];
    return list === undefined || list === null ? "" : intervalsText(list, clock);
  }

  // "14 March" for "2027-03-14".
  var dayMonth = null;
  function longDate(iso) {
    dayMonth = dayMonth || new Intl.DateTimeFormat(text("date_locale") || "en-GB", { day: "numeric", month: "long",
      timeZone: "UTC" });
    return dayMonth.format(new Date(iso + "T00:00:00Z"));
  }

  // A coming_soon or temporarily_closed location before its date (YYYY-MM-DD, compared
  // with today in the location's time zone): {state, text}; null once it is open. The
  // build settles statuses on its own date; this keeps the badge right between builds.
  function lifecycleStatus(loc, now) {
    if (!loc.status || loc.status === "open") { return null; }
    var t = zoned(now || new Date(), loc.timeZone);
    if (loc.statusDate && isoDate(t.year, t.month, t.day, 0) >= loc.statusDate) { return null; }
    if (loc.status === "coming_soon") {
      return { state: "soon", text: tr("coming_soon") +
        (loc.statusDate ? " · " + tr("opens_date", { date: longDate(loc.statusDate) }) : "") };
    }
    if (loc.status === "temporarily_closed") {
      return { state: "closed", text: tr("temporarily_closed") +
        (loc.statusDate ? " · " + tr("reopens_date", { date: longDate(loc.statusDate) }) : "") };
    }
    return null;
  }

  // Fill a badge element (class open-badge) with a location's status.
  // The state ("Open now", "Closed") is a pill; what follows it ("· Closes at 6:00 PM") is
  // text beside it, free to wrap on a narrow screen.
  function showStatus(badge, loc, clock, now) {
    var status = lifecycleStatus(loc, now) ||
      openStatus(loc.hours, loc.special, loc.timeZone, now, clock);
    var cut = status.text.indexOf(" · ");
    badge.textContent = "";
    badge.appendChild(el("span", { className: "badge-state" }, [cut < 0 ? status.text : status.text.slice(0, cut)]));
    if (cut >= 0) { badge.appendChild(document.createTextNode(status.text.slice(cut))); }
    badge.classList.toggle("open", status.state === "open");
    badge.classList.toggle("closed", status.state === "closed");
    badge.classList.toggle("soon", status.state === "soon");
    badge.hidden = status.state === "unknown";
  }

  /* --------------------------------------------------------------- state */

  var KEYS = ["q", "category", "radius", "sort", "place"];

  function readState(search) {
    var params = new URLSearchParams(search);
    var state = {};
    KEYS.forEach(function (key) { state[key] = (params.get(key) || "").trim(); });
    return state;
  }

  function writeState(state) {
    var params = new URLSearchParams(global.location.search);
    KEYS.forEach(function (key) {
      if (state[key]) { params.set(key, state[key]); } else { params.delete(key); }
    });
    var query = params.toString();
    var url = global.location.pathname + (query ? "?" + query : "") + global.location.hash;
    if (url !== global.location.pathname + global.location.search + global.location.hash) {
      global.history.replaceState(global.history.state, "", url);
    }
  }

  function geolocate() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error("not supported by this browser")); return; }
      navigator.geolocation.getCurrentPosition(function (position) {
        resolve({ lat: position.coords.latitude, lng: position.coords.longitude });
      }, reject, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  /* ------------------------------------------------------------------ UI */

  // el("a", {href: url, className: "x"}, ["text", child]): strings become text nodes.
  // dir="auto" for the data a right-to-left page shows (partials/locator_item.html's bidi).
  function bidi() { return document.documentElement.dir === "rtl" ? "auto" : null; }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "className") { node.className = props[key]; }
      else if (key === "hidden") { node.hidden = props[key]; }
      else if (props[key] !== null && props[key] !== undefined) { node.setAttribute(key, props[key]); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function directionsUrl(pattern, loc) {
    return pattern.replace("{lat}", loc.lat.toFixed(6)).replace("{lng}", loc.lng.toFixed(6));
  }

  function badge(loc, clock) {
    var node = el("span", { className: "open-badge" });
    showStatus(node, loc, clock);
    return node;
  }

  function distanceNode(loc, unit) {
    return loc.km === null ? null :
      el("span", { className: "distance" }, [tr("away", { distance: formatDistance(loc.km, unit) })]);
  }

  // An icon of partials/icons.html (drawn by site.css), for what this script renders.
  function icon(name) {
    return el("span", { className: "icon icon-" + name, "aria-hidden": "true" });
  }

  // A compact action link: icon, short visible label, full label for screen readers.
  function action(href, iconName, short, full, extra) {
    var props = Object.assign({ className: "action", href: href }, extra || {});
    return el("a", props, [icon(iconName), el("span", { className: "action-label",
      "aria-hidden": full ? "true" : null }, [short]),
      full ? el("span", { className: "visually-hidden" }, [full]) : null]);
  }

  // One result of the Map and List views (the same markup as partials/locator_item.html).
  function resultItem(loc, options) {
    var phone = loc.tel ? action("tel:" + loc.tel, "call", loc.phone, null, { className: "action result-phone" }) :
      loc.phone ? el("span", { className: "result-phone" }, [loc.phone]) : null;
    return el("li", { className: "result", "data-url": loc.url }, [
      el("div", { className: "result-main" }, [
        el("a", { className: "result-name", href: loc.url }, [loc.name]),
        el("span", { className: "result-address", dir: bidi() }, [loc.address]),
        el("span", { className: "result-meta" }, [badge(loc, options.clock), " ",
          distanceNode(loc, options.unit)])
      ]),
      el("div", { className: "result-actions" }, [phone, " ",
        action(directionsUrl(options.directions, loc), "directions", tr("directions"),
          tr("directions_to", { name: loc.name }), { rel: "noopener" })])
    ]);
  }

  /* Leaflet (and MarkerCluster), loaded once, when a map first needs it: `node` names the
   * scripts in data-leaflet and the stylesheets in data-leaflet-css (space-separated). */
  var leaflet = null;
  function loadLeaflet(node) {
    if (!leaflet) {
      (node.getAttribute("data-leaflet-css") || "").split(" ").filter(Boolean).forEach(function (href) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = href;
        document.head.appendChild(link);
      });
      leaflet = (node.getAttribute("data-leaflet") || "").split(" ").filter(Boolean)
        .reduce(function (chain, src) {
          return chain.then(function () {
            return new Promise(function (resolve, reject) {
              var tag = document.createElement("script");
              tag.src = src;
              tag.onload = resolve;
              tag.onerror = function () { reject(new Error("could not load " + src)); };
              document.head.appendChild(tag);
            });
          });
        }, Promise.resolve());
    }
    return leaflet;
  }

  /* Calls show(node) for each of `nodes` once half of it is in the window and the page is
   * idle: a map below the fold, or just peeking in at the bottom, costs nothing until the
   * visitor scrolls to it. */
  function whenVisible(nodes, show) {
    if (!nodes.length) { return; }
    var idle = global.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
    if (!("IntersectionObserver" in global)) {
      Array.prototype.forEach.call(nodes, function (node) { idle(function () { show(node); }); });
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          idle(function () { show(entry.target); });
        }
      });
    }, { threshold: 0.5 });
    Array.prototype.forEach.call(nodes, function (node) { observer.observe(node); });
  }

  /* The map pin of every map: the brand's pin (an SVG coloured by the CSS custom property
   * --marker), or the image `theme.marker.icon` names. `node` carries data-marker-icon and
   * data-marker-size ("32,42"). */
  function markerIcon(L, node) {
    var size = String(node && node.getAttribute("data-marker-size") || "32,42").split(",").map(Number);
    var image = node && node.getAttribute("data-marker-icon");
    var anchor = [size[0] / 2, size[1]];
    if (image) {
      return L.icon({ iconUrl: image, iconSize: size, iconAnchor: anchor, popupAnchor: [0, -size[1]] });
    }
    var pin = '<svg viewBox="0 0 32 42" width="' + size[0] + '" height="' + size[1] + '" aria-hidden="true">' +
      '<path d="M16 1.5C8 1.5 1.5 7.8 1.5 15.7 1.5 26.4 16 40.5 16 40.5s14.5-14.1 14.5-24.8C30.5 7.8 24 1.5 16 1.5z" ' +
      'fill="currentColor" stroke="#fff" stroke-width="2"/><circle cx="16" cy="15.5" r="5.5" fill="#fff"/></svg>';
    return L.divIcon({ className: "brand-marker", html: pin, iconSize: size, iconAnchor: anchor,
      popupAnchor: [0, -size[1] + 4] });
  }

  /* Shows `items` `size` at a time: render(items slice, offset) appends them; the button
   * shows the next ones and moves focus to the first new link. */
  function Pager(button, size, render) {
    var items = [];
    var shown = 0;
    function more(focus) {
      var slice = items.slice(shown, shown + size);
      var first = render(slice, shown);
      shown += slice.length;
      var left = items.length - shown;
      button.hidden = left <= 0;
      button.textContent = tr("show_more", { count: left });
      if (focus && first) { first.focus(); }
    }
    button.addEventListener("click", function () { more(true); });
    return {
      show: function (list) { items = list; shown = 0; more(false); },
      hide: function () { items = []; shown = 0; button.hidden = true; }
    };
  }

  /* Wires the search form of `root` (the .locator element) to the data and calls
   * view.render(results, context) whenever the search changes. context: {state, origin,
   * active (a search, filter or sort is in use), unit, clock, directions, byUrl}. */
  function start(root, view) {
    var form = root.querySelector("[data-locator-form]");
    var count = root.querySelector("[data-result-count]");
    var choices = root.querySelector("[data-place-choices]");
    var locate = form.querySelector("[data-locate]");
    var locateStatus = form.querySelector("[data-locate-status]");
    var sortDistance = form.querySelector('#locator-sort option[value="distance"]');
    var serverCount = count.textContent;
    var unit = root.getAttribute("data-unit") || "km";
    var nearestCount = Number(root.getAttribute("data-nearest")) || 5;
    var asked = readState(global.location.search);  // as opened, before update() rewrites it
    var ctx = { state: readState(global.location.search), origin: null, unit: unit,
      clock: root.getAttribute("data-clock") || "24h", sort: "", place: null, located: null,
      directions: root.getAttribute("data-directions") || "", byUrl: {}, all: [] };
    var timer = null;
    var searched = 0;   // the number of the latest search (a late place lookup is dropped)
    var lastEvent = "";

    KEYS.forEach(function (key) {
      var field = form.elements[key];
      if (!field || !ctx.state[key]) { return; }
      if (field.tagName === "SELECT" && !field.querySelector('option[value="' + CSS.escape(ctx.state[key]) + '"]')) {
        ctx.state[key] = "";  // not one of the choices (an old link): ignore it
        return;
      }
      field.value = ctx.state[key];
    });
    if (ctx.state.sort === "distance") { form.elements.sort.value = ""; }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      update(true);
    });
    form.elements.q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { update(false); }, 200);
    });
    form.elements.q.addEventListener("change", function () { clearTimeout(timer); update(true); });
    form.addEventListener("change", function (event) {
      if (event.target.tagName !== "SELECT") { return; }
      if (event.target.name === "radius" && event.target.value && !ctx.origin) {
        locateStatus.textContent = tr("radius_needs_origin");
      }
      clearTimeout(timer);
      update(true);
    });
    choices.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-place]");
      if (!button) { return; }
      ctx.state.place = button.getAttribute("data-place");
      update(true, true);
    });
    locate.addEventListener("click", findMe);
    var filtersButton = form.querySelector("[data-filters-button]");
    if (filtersButton) {
      filtersButton.addEventListener("click", function () {
        var open = form.classList.toggle("filters-open");
        filtersButton.setAttribute("aria-expanded", open ? "true" : "false");
      });
      if (ctx.state.category || ctx.state.radius || ctx.state.sort) {
        form.classList.add("filters-open");
        filtersButton.setAttribute("aria-expanded", "true");
      }
    }

    // A postcode or postcode area ("M2", "97205", "M5V 2T6"): found directly only as a
    // location's own postcode; "M2" is not the start of "M20 1AB", so it is a place.
    function postcodeLike(q) {
      var code = canonicalCode(q);
      return /[0-9]/.test(code) && code.length >= 2 && code.length <= 9 &&
        q.trim().split(/\s+/).length <= 2;
    }
    function ownPostcode(q) {
      var code = canonicalCode(q);
      return ctx.all.some(function (loc) { return canonicalCode(loc.postcode) === code; });
    }

    function plural(n) { return tr(n === 1 ? "location_one" : "location_many", { count: n }); }

    function announce(results, outcome) {
      var place = ctx.place && ctx.place.label;
      var radius = ctx.state.radius + " " + unit;
      if (outcome === "choices") {
        count.textContent = tr("which_place", { query: ctx.state.q });
      } else if (outcome === "radius") {
        count.textContent = tr("none_within", { radius: radius, place: place || tr("your_location") });
      } else if (place && ctx.origin && ctx.state.radius) {
        count.textContent = tr("within", { locations: plural(results.length), radius: radius, place: place });
      } else if (place) {
        count.textContent = tr("nearest_first", { locations: plural(results.length), place: place });
      } else if (!ctx.active && view.keepsServerCount) {
        count.textContent = serverCount;
      } else {
        var n = results.length;
        count.textContent = n === 0 ? tr("no_match") :
          ctx.active ? tr("found", { locations: plural(n) }) : plural(n);
      }
    }

    function showChoices(list) {
      choices.textContent = "";
      choices.hidden = !list.length;
      if (!list.length) { return; }
      choices.appendChild(el("ul", {}, list.map(function (place) {
        return el("li", {}, [el("button", { type: "button", className: "button button-quiet",
          "data-place": place.label }, [place.label])]);
      })));
    }

    // A search that found nothing, or fell back to the nearest locations, as an analytics
    // event (js/track.js sends it where analytics is on): the outcome and the town or
    // postcode area, never what was typed.
    function report(outcome) {
      if (["none", "nearest", "radius"].indexOf(outcome) < 0) { return; }
      var detail = { outcome: outcome, place: ctx.place ? ctx.place.area : "",
        radius: ctx.state.radius || "" };
      var key = JSON.stringify([detail, ctx.state.q]);
      if (key === lastEvent) { return; }
      lastEvent = key;
      document.dispatchEvent(new CustomEvent("sitegen:search", { detail: detail }));
    }

    // settled: the visitor submitted, left the box or chose (not every keystroke): only
    // then is an outcome reported. chosen: a choice was clicked (its place= is kept).
    function update(settled, chosen) {
      var before = ctx.state.q;
      KEYS.forEach(function (key) {
        if (form.elements[key]) { ctx.state[key] = form.elements[key].value.trim(); }
      });
      if (ctx.state.q !== before && !chosen) { ctx.state.place = ""; }
      var number = ++searched;
      var direct = !ctx.state.q || (postcodeLike(ctx.state.q) ? ownPostcode(ctx.state.q) :
        filter(ctx.all, { q: ctx.state.q }, null, unit).length > 0);
      if (direct || !root.getAttribute("data-places")) {
        show(null, settled);
        return;
      }
      loadPlaces(root).then(function (index) {
        if (number === searched) { show(global.LocatorPlaces.resolve(index, ctx.state.q, ctx.state.place), settled); }
      }, function (error) {
        if (global.console) { global.console.error(error); }
        if (number === searched) { show(null, settled); }
      });
    }

    // Render the search: `found` is what the query means as a place (or null).
    function show(found, settled) {
      ctx.place = found && found.place ? found.place : null;
      ctx.state.place = ctx.place ? ctx.place.label : "";
      ctx.origin = ctx.place ? { lat: ctx.place.lat, lng: ctx.place.lng } : ctx.located;
      ctx.originLabel = ctx.place ? ctx.place.label : tr("you_are_here");
      sortDistance.disabled = !ctx.origin;
      if (ctx.state.sort === "distance" && !ctx.origin) { ctx.state.sort = ""; }
      ctx.sort = ctx.state.sort || (ctx.place ? "distance" : "");
      form.elements.sort.value = ctx.sort;
      ctx.active = Boolean(ctx.state.q || ctx.state.category || ctx.state.sort ||
        (ctx.origin && ctx.state.radius));
      var query = { q: ctx.place ? "" : ctx.state.q, category: ctx.state.category,
        radius: ctx.state.radius, sort: ctx.sort };
      var results = found && found.choices ? [] : filter(ctx.all, query, ctx.origin, unit);
      var outcome = found && found.choices ? "choices" : ctx.place ? "nearest" :
        ctx.state.q && !results.length ? "none" : "";
      if (!results.length && ctx.origin && ctx.state.radius && !(found && found.choices)) {
        results = filter(ctx.all, Object.assign({}, query, { radius: "", sort: "distance" }),
          ctx.origin, unit).slice(0, nearestCount);
        ctx.sort = "distance";
        outcome = results.length ? "radius" : outcome;
      }
      showChoices(found && found.choices ? found.choices : []);
      writeState(ctx.state);
      if (view.located) { view.located(ctx.origin, ctx); }
      view.render(results, ctx);
      announce(results, outcome);
      if (settled) { report(outcome); }
    }

    function findMe() {
      locateStatus.textContent = tr("finding");
      locate.disabled = true;
      geolocate().then(function (origin) {
        ctx.located = origin;
        sortDistance.disabled = false;
        form.elements.sort.value = "distance";
        locateStatus.textContent = tr("sorted_by_distance");
        update(true);
      }, function (error) {
        locateStatus.textContent = tr("unavailable",
          { reason: error && error.message ? " (" + error.message + ")" : "" });
      }).then(function () { locate.disabled = false; });
    }

    return load(root.getAttribute("data-src")).then(function (all) {
      ctx.all = all;
      all.forEach(function (loc) { ctx.byUrl[loc.url] = loc; });
      update(true, true);
      // A shared link asked for distance: locate at once if the visitor already allowed it.
      var wantsDistance = asked.sort === "distance" || (asked.radius && !asked.q);
      if (wantsDistance && navigator.permissions) {
        navigator.permissions.query({ name: "geolocation" }).then(function (p) {
          if (p.state === "granted") { findMe(); }
        }, function () {});
      }
      return ctx;
    }, function (error) {
      count.textContent = serverCount;
      form.hidden = true;
      if (global.console) { global.console.error(error); }
    });
  }

  global.Locator = {
    t: tr, bidi: bidi, decode: decode, load: load, normalize: normalize, filter: filter,
    distanceKm: distanceKm, formatDistance: formatDistance, formatTime: formatTime,
    openStatus: openStatus, lifecycleStatus: lifecycleStatus, showStatus: showStatus, readState: readState, writeState: writeState,
    geolocate: geolocate, el: el, directionsUrl: directionsUrl, badge: badge,
    distanceNode: distanceNode, resultItem: resultItem, Pager: Pager, start: start,
    todayHours: todayHours, icon: icon, action: action, markerIcon: markerIcon,
    loadLeaflet: loadLeaflet, whenVisible: whenVisible, weekday: weekday, zoned: zoned
  };
})(window);
