// Lead forms: UTM capture, accessible validation, spam checks and a fetch POST that never
// loses what the visitor typed. Without this script the form still posts (plain HTML form).
(function () {
  "use strict";
  if (window.sitegenLeads) { return; }
  window.sitegenLeads = true;

  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  var KEY = "sitegen.utm";
  var SKIP = { _gotcha: true, _next: true };  // never sent by the script
  var EMAIL = /^[^@\s<>"']+@[^@\s<>"']+\.[^@\s<>"']+$/;
  var TEL = /^[+0-9 ().\-\/]{5,}$/;

  // UTM values of this visit: the current URL's, else those kept from the landing page.
  function utm() {
    var params = new URLSearchParams(window.location.search);
    var found = {}, any = false;
    UTM.forEach(function (name) {
      var value = params.get(name);
      if (value) { found[name] = value.slice(0, 200); any = true; }
    });
    try {
      if (any) {
        window.sessionStorage.setItem(KEY, JSON.stringify(found));
        return found;
      }
      return JSON.parse(window.sessionStorage.getItem(KEY) || "{}") || {};
    } catch (e) {
      return found;
    }
  }
  var visit = utm();  // runs on every page, so a landing page without a form still counts

  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }

  function errorFor(input) { return document.getElementById(input.id + "-error"); }

  function setError(input, message) {
    var box = errorFor(input);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      if (box) { box.textContent = message; }
    } else {
      input.removeAttribute("aria-invalid");
      if (box) { box.textContent = ""; }
    }
  }

  function problem(input) {
    var value = input.type === "checkbox" ? (input.checked ? "yes" : "") : input.value.trim();
    if (input.required && !value) { return input.getAttribute("data-msg-required"); }
    if (!value) { return null; }
    var invalid = input.getAttribute("data-msg-invalid");
    if (input.type === "email" && !EMAIL.test(value)) { return invalid; }
    if (input.type === "tel" && !TEL.test(value)) { return invalid; }
    if (input.type === "url" && !/^https?:\/\/\S+$/.test(value)) { return invalid; }
    if (input.maxLength > 0 && value.length > input.maxLength) { return invalid; }
    return null;
  }

  function validate(form) {
    var first = null;
    form.querySelectorAll("[data-msg-required]").forEach(function (input) {
      var message = problem(input);
      setError(input, message);
      if (message && !first) { first = input; }
    });
    if (first) { first.focus(); }
    return !first;
  }

  function payload(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name]) { data[name] = typeof value === "string" ? value : ""; }
    });
    return data;
  }

  // Tells js/track.js (loaded only where analytics is on) that a lead was sent.
  function announce(form, detail) {
    try {
      form.dispatchEvent(new CustomEvent("sitegen:lead", { bubbles: true, detail: detail }));
    } catch (e) { /* old browsers: no event, the lead is sent all the same */ }
  }

  function init(form) {
    var mode = form.getAttribute("data-leads-mode");
    if (mode === "disabled") { return; }
    var status = form.querySelector("[data-lead-status]");
    var retry = form.querySelector("[data-lead-retry]");
    var submit = form.querySelector('button[type="submit"]');
    var minSeconds = Number(form.getAttribute("data-min-seconds") || "0");
    var started = field(form, "_started");
    var busy = false;
    if (started) { started.value = String(Date.now()); }
    var pageUrl = field(form, "page_url");
    if (pageUrl) { pageUrl.value = window.location.origin + window.location.pathname; }
    UTM.forEach(function (name) {
      var input = field(form, name);
      if (input && visit[name]) { input.value = visit[name]; }
    });
    form.noValidate = true;  // our messages replace the browser's bubbles
    form.addEventListener("input", function (e) {
      if (e.target.getAttribute && e.target.getAttribute("aria-invalid") === "true") {
        setError(e.target, problem(e.target));
      }
    });

    function say(kind, text) {
      status.className = "lead-status " + kind;
      status.textContent = text;
    }

    function done() {
      busy = false;
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }

    function failed(reason) {
      done();
      retry.hidden = false;
      say("error", "Sorry, your message could not be sent (" + reason + "). Nothing you " +
        "typed has been lost: check your connection and press Try again.");
      status.focus();
    }

    function send() {
      if (busy) { return; }
      if (!validate(form)) { return; }
      var trap = field(form, "_gotcha");
      if (trap && trap.value) {  // a bot filled the hidden field: pretend, send nothing
        form.reset();
        say("success", status.getAttribute("data-success"));
        return;
      }
      var elapsed = (Date.now() - Number(started ? started.value : 0)) / 1000;
      if (elapsed < minSeconds) {
        say("error", "That was quick! Please check your details, then send again.");
        status.focus();
        return;
      }
      busy = true;
      submit.disabled = true;
      form.setAttribute("aria-busy", "true");
      retry.hidden = true;
      say("pending", "Sending…");
      var data = payload(form);
      var json = form.getAttribute("data-encoding") === "json";
      fetch(form.action, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: {
          "Accept": "application/json",
          "Content-Type": json ? "application/json" : "application/x-www-form-urlencoded"
        },
        body: json ? JSON.stringify(data) : new URLSearchParams(data).toString()
      }).then(function (response) {
        if (!response.ok) { throw new Error("server error " + response.status); }
        done();
        form.reset();
        if (started) { started.value = String(Date.now()); }
        if (pageUrl) { pageUrl.value = window.location.origin + window.location.pathname; }
        say("success", status.getAttribute("data-success"));
        status.focus();
        announce(form, { location: data.location_id || "", page: window.location.pathname });
      }).catch(function (error) {
        failed(error && /server error/.test(error.message) ? error.message : "network error");
      });
    }

    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-transport") === "native") {  // mailto: the browser sends it
        if (!validate(form)) { e.preventDefault(); }
        return;
      }
      e.preventDefault();
      send();
    });
    retry.addEventListener("click", send);
  }

  function start() { document.querySelectorAll("form.lead-form").forEach(init); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
