/* locator-list.js: the List and Card views.
 *
 * Without a search, the server-rendered page (with its page links) stays and only gains the
 * open-now badges. With a search, filter, sort or "Use my location", the results are rendered
 * here from the marker data, 50 at a time ("Show more results"). The List view groups them by
 * region and city while they are in that order. */
(function () {
  "use strict";
  var root = document.getElementById("locator");
  if (!root || !window.Locator) { return; }
  var el = Locator.el;
  var isCards = root.getAttribute("data-view") === "cards";
  var server = root.querySelector("[data-server-results]");
  var target = root.querySelector("[data-js-results]");
  var ctx = null;
  var list = null;   // the list the next List view item goes into
  var last = null;   // the previous location rendered (for group headings)

  // A card of the Card view (the same markup as partials/location_card.html).
  function card(loc) {
    var media = loc.image ? el("img", { className: "card-image", src: loc.image, alt: "",
      loading: "lazy", width: "400", height: "225" }) : el("span", { className: "card-placeholder",
      "aria-hidden": "true" }, [Locator.icon("store")]);
    var call = loc.tel ? el("li", {}, [Locator.action("tel:" + loc.tel, "call", Locator.t("call"),
      Locator.t("call_phone", { phone: loc.phone }), { className: "action primary", "data-cta": "call" })]) : null;
    var directions = el("li", {}, [Locator.action(Locator.directionsUrl(ctx.directions, loc),
      "directions", Locator.t("directions"), Locator.t("directions_to", { name: loc.name }),
      { className: "action" + (call ? "" : " primary"), rel: "noopener", "data-cta": "directions" })]);
    return el("li", { className: "card loc-card", "data-url": loc.url }, [
      el("div", { className: "card-media" }, [media]),
      el("div", { className: "card-body" }, [
        el("h2", { className: "card-title" }, [el("a", { href: loc.url }, [loc.name])]),
        el("p", { className: "address", dir: Locator.bidi() }, [loc.address]),
        el("p", { className: "card-status" }, [Locator.badge(loc, ctx.clock), " ",
          Locator.distanceNode(loc, ctx.unit)]),
        el("ul", { className: "card-actions" }, [call, directions])
      ])
    ]);
  }

  function listItem(loc) {
    var grouped = !ctx.sort;  // region and city order: show the group headings
    if (grouped && (!last || last.group !== loc.group)) {
      target.appendChild(el("h2", { className: "group-heading" }, [loc.group]));
    }
    if (grouped && (!last || last.group !== loc.group || last.city !== loc.city)) {
      if (loc.city) { target.appendChild(el("h3", {}, [loc.city])); }
      list = null;
    }
    if (!list) {
      list = el(grouped ? "ul" : "ol", { className: "results" });
      target.appendChild(list);
    }
    last = loc;
    var item = Locator.resultItem(loc, ctx);
    list.appendChild(item);
    return item;
  }

  function renderItems(slice) {
    var first = null;
    slice.forEach(function (loc) {
      var node = isCards ? card(loc) : listItem(loc);
      if (isCards) { target.appendChild(node); }
      first = first || node.querySelector("a");
    });
    return first;
  }

  var pager = Locator.Pager(root.querySelector("[data-show-more]"), 50, renderItems);

  // The server's items: add the badge and distance from the data.
  function enhance() {
    Array.prototype.forEach.call(server.querySelectorAll("[data-url]"), function (item) {
      var loc = ctx.byUrl[item.getAttribute("data-url")];
      if (!loc) { return; }
      var badge = item.querySelector("[data-open]");
      if (badge) { Locator.showStatus(badge, loc, ctx.clock); }
      var distance = item.querySelector("[data-distance]");
      if (distance && loc.km !== null) {
        distance.textContent = Locator.formatDistance(loc.km, ctx.unit) + " away";
        distance.hidden = false;
      }
    });
  }

  function render(results, context) {
    ctx = context;
    if (!ctx.active) {
      server.hidden = false;
      target.hidden = true;
      target.textContent = "";
      pager.hide();
      enhance();
      return;
    }
    server.hidden = true;
    target.hidden = false;
    target.textContent = "";
    list = null;
    last = null;
    pager.show(results);
  }

  Locator.start(root, { render: render, keepsServerCount: true });
})();
