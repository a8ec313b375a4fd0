// sitegen serve: live reload and the build error overlay.
// Injected by the dev server into the pages it serves, never written into dist/.
// Events on /_sitegen/events: hello, reload, css, build-error (see sitegen/livereload.py).
(function () {
  "use strict";
  if (window.__sitegenLive) return;
  window.__sitegenLive = true;

  var script = document.currentScript;
  var pageBuild = script ? script.getAttribute("data-sitegen-build") : null;
  var pageStatus = script ? Number(script.getAttribute("data-sitegen-status") || 200) : 200;
  var reloading = false;

  // --- reloading ---------------------------------------------------------------------------

  function status(path) {
    return fetch(path, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.status; });
  }

  // The nearest existing parent URL of a deleted page: its city hub, region hub, ... home.
  function nearest(path) {
    var parts = path.split("/").filter(Boolean);
    function attempt(length) {
      if (length <= 0) return Promise.resolve("/");
      var candidate = "/" + parts.slice(0, length).join("/") + "/";
      return status(candidate).then(function (code) {
        return code >= 200 && code < 300 ? candidate : attempt(length - 1);
      }, function () { return attempt(length - 1); });
    }
    return attempt(parts.length - 1);
  }

  // `kept`: the build removed no page (an edit applied in place), so no need to ask first.
  function reloadPage(kept) {
    if (reloading) return;
    reloading = true;
    if (kept || pageStatus === 404) { location.reload(); return; }  // a missing page may appear
    status(location.pathname + location.search).then(function (code) {
      if (code === 404) {
        return nearest(location.pathname).then(function (url) { location.replace(url); });
      }
      location.reload();
    }).catch(function () { location.reload(); });
  }

  // Re-fetch same-origin stylesheets with a cache-busting query: no reload, state kept.
  function swapStylesheets() {
    var stamp = String(Date.now());
    var links = document.querySelectorAll('link[rel~="stylesheet"][href]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.getAttribute("href"), location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("sitegen-reload", stamp);
      var next = link.cloneNode(false);
      next.href = url.pathname + url.search;
      var done = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      next.addEventListener("load", done);
      next.addEventListener("error", done);
      link.parentNode.insertBefore(next, link.nextSibling);
    });
  }

  // --- the error overlay ------------------------------------------------------------------

  var host = null;
  var previousFocus = null;
  var STYLE = [
    ":host{all:initial}",
    ".backdrop{position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.55);",
    "display:flex;align-items:flex-start;justify-content:center;overflow:auto;",
    "padding:5vh 16px;box-sizing:border-box;font:15px/1.5 system-ui,sans-serif}",
    ".dialog{background:#fff;color:#1d1d1f;max-width:960px;width:100%;border-radius:8px;",
    "border-top:6px solid #c4162a;box-shadow:0 12px 40px rgba(0,0,0,.35);padding:20px 24px}",
    ".dialog:focus{outline:3px solid #0a58ca;outline-offset:2px}",
    "h2{font-size:20px;margin:0 0 4px;color:#a30f22}",
    "p{margin:0 0 12px}",
    "ol{margin:0;padding:0;list-style:none}",
    "li{margin:0 0 8px;padding:8px 10px;background:#fbeff1;border-radius:4px}",
    "li.warning{background:#fff7e0}",
    "code{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;",
    "white-space:pre-wrap;word-break:break-word}",
    ".actions{margin-top:14px;text-align:right}",
    "button{font:inherit;padding:6px 14px;border-radius:4px;border:1px solid #767676;",
    "background:#f4f4f4;color:#1d1d1f;cursor:pointer}",
    "button:focus-visible{outline:3px solid #0a58ca;outline-offset:2px}"
  ].join("");

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function showOverlay(error) {
    hideOverlay(true);
    var items = (error && error.diagnostics) || [];
    var errors = error && typeof error.errors === "number" ? error.errors : items.length;
    host = element("sitegen-error-overlay", { "data-sitegen-overlay": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.appendChild(element("style", {}, STYLE));
    var backdrop = element("div", { "class": "backdrop" });
    var dialog = element("div", {
      "class": "dialog", role: "alertdialog", "aria-modal": "true",
      "aria-labelledby": "sitegen-overlay-title", "aria-describedby": "sitegen-overlay-help",
      tabindex: "-1"
    });
    dialog.appendChild(element("h2", { id: "sitegen-overlay-title" },
      "Build failed: " + errors + " problem" + (errors === 1 ? "" : "s")));
    dialog.appendChild(element("p", { id: "sitegen-overlay-help" },
      "This page shows the last good build. Fix the file and save: the page reloads by itself."));
    var list = element("ol", { "aria-label": "Problems" });
    items.forEach(function (item) {
      var li = element("li", {
        "class": item.severity === "warning" ? "warning" : "error",
        "data-path": item.path || "", "data-line": item.line == null ? "" : String(item.line)
      });
      li.appendChild(element("code", {}, item.text));
      list.appendChild(li);
    });
    if (error && error.omitted) {
      list.appendChild(element("li", {}, "… and " + error.omitted +
        " more in the terminal"));
    }
    dialog.appendChild(list);
    var actions = element("div", { "class": "actions" });
    var close = element("button", { type: "button" }, "Hide");
    close.addEventListener("click", function () { hideOverlay(false); });
    actions.appendChild(close);
    dialog.appendChild(actions);
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); hideOverlay(false); }
      if (event.key === "Tab") { event.preventDefault(); close.focus(); }  // keep focus inside
    });
    backdrop.appendChild(dialog);
    root.appendChild(backdrop);
    previousFocus = document.activeElement;
    (document.body || document.documentElement).appendChild(host);
    dialog.focus();
  }

  function hideOverlay(replacing) {
    if (!host) return;
    if (host.parentNode) host.parentNode.removeChild(host);
    host = null;
    if (!replacing && previousFocus && previousFocus.focus) previousFocus.focus();
  }

  // --- the event stream -------------------------------------------------------------------

  function data(message) {
    try { return JSON.parse(message.data); } catch (e) { return {}; }
  }

  // One event stream per visible tab: a browser allows only ~6 connections per host over
  // HTTP/1.1, so hidden tabs let go of theirs and catch up (hello) when shown again.
  var source = null;

  function connect() {
    if (source) return;
    source = new EventSource("/_sitegen/events");
    source.addEventListener("hello", function (message) {
      var state = data(message);
      if (state.error) { showOverlay(state.error); return; }
      hideOverlay(false);
      if (pageBuild && state.build && state.build !== pageBuild) reloadPage();
    });
    source.addEventListener("reload", function (message) { reloadPage(data(message).kept); });
    source.addEventListener("css", function (message) {
      pageBuild = data(message).build || pageBuild;
      hideOverlay(false);
      swapStylesheets();
    });
    source.addEventListener("build-error", function (message) { showOverlay(data(message)); });
  }

  function disconnect() {
    if (source) { source.close(); source = null; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect(); else connect();
  });
  if (document.visibilityState !== "hidden") connect();
})();
