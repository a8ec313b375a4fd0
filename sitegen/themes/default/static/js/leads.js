// Lead forms: UTM capture, accessible validation, spam checks and a POST that never loses
// what the visitor typed. Without this script the form still posts (plain HTML form).
//
// How a send is judged (the form's data-response, decided by sitegen/leads.py):
//   read    the page can read the answer (same origin, Formspree, JSON to a receiver that
//           answers CORS): a 2xx answer is "sent", anything else an error to retry.
//   opaque  a form-encoded post to another site, which may send no CORS headers: a "simple
//           request" with mode no-cors (no preflight); its answer cannot be read, so any
//           answer counts as sent and only a network failure (receiver down, offline) as not.
// Unsent leads (data-keep="true"): pressing Send puts the lead in this tab's sessionStorage
// (the notice under the buttons says so before the visitor sends); it is removed once sent or
// discarded. A lead still kept is sent again on the next page of this site the tab opens (its
// own page shows it in the form first), when the browser comes back online, or by Try again.
// Each lead carries a submission_id, the same on every attempt, so a receiver can drop a
// duplicate. HubSpot and Salesforce (data-field-map) get their own field names, and HubSpot
// its JSON body with fields and context (see mapped() and hubspot()).
(function () {
  "use strict";
  // What this script says, in the page's language (site.js runs first and reads them).
  var t = window.sitegenStrings.say;
  if (window.sitegenLeads) { return; }
  window.sitegenLeads = true;

  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  var KEY = "sitegen.utm";
  var OUTBOX = "sitegen.leads.unsent";
  var MAX_KEPT = 5;
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

  // --- the unsent leads of this tab: [{key, action, encoding, response, data}]

  function kept() {
    try {
      var list = JSON.parse(window.sessionStorage.getItem(OUTBOX) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function store(list) {
    try {
      if (list.length) {
        window.sessionStorage.setItem(OUTBOX, JSON.stringify(list.slice(-MAX_KEPT)));
      } else {
        window.sessionStorage.removeItem(OUTBOX);
      }
      return true;
    } catch (e) {
      return false;  // storage off or full: the form still holds what was typed
    }
  }

  function keep(entry) {
    return store(kept().filter(function (e) { return e.key !== entry.key; }).concat([entry]));
  }

  function drop(key) {
    store(kept().filter(function (e) { return e.key !== key; }));
  }

  function newId() {
    var c = window.crypto;
    if (c && c.randomUUID) { return c.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  // A destination's own field names (data-field-map="name=lastname email=email"): only the
  // mapped fields, renamed, and the destination's fixed fields (data-pass: Salesforce's oid).
  function mapped(entry) {
    if (!entry.map) { return entry.data; }
    var out = {};
    entry.map.split(" ").forEach(function (pair) {
      var at = pair.indexOf("=");
      var from = pair.slice(0, at);
      if (at > 0 && Object.prototype.hasOwnProperty.call(entry.data, from) &&
          entry.data[from] !== "") { out[pair.slice(at + 1)] = entry.data[from]; }
    });
    (entry.pass || "").split(" ").forEach(function (name) {
      if (name && Object.prototype.hasOwnProperty.call(entry.data, name)) {
        out[name] = entry.data[name];
      }
    });
    return out;
  }

  // HubSpot's Forms API body: {fields: [{objectTypeId, name, value}], context}.
  function hubspot(entry) {
    var values = mapped(entry);
    return {
      fields: Object.keys(values).map(function (name) {
        var item = { name: name, value: values[name] };
        if (entry.objectType) { item = { objectTypeId: entry.objectType, name: name,
                                         value: values[name] }; }
        return item;
      }),
      context: { pageUri: entry.data.page_url || window.location.href,
                 pageName: entry.title || document.title }
    };
  }

  // One POST; resolves when the lead counts as sent (see the top of this file).
  function post(entry) {
    var json = entry.encoding === "json" || entry.encoding === "hubspot";
    var opaque = entry.response === "opaque" && !json;
    var body = entry.encoding === "hubspot" ? hubspot(entry) : mapped(entry);
    return fetch(entry.action, {
      method: "POST",
      mode: opaque ? "no-cors" : "cors",
      credentials: "omit",
      headers: {
        "Accept": "application/json",
        "Content-Type": json ? "application/json" : "application/x-www-form-urlencoded"
      },
      body: json ? JSON.stringify(body) : new URLSearchParams(body).toString()
    }).then(function (response) {
      if (!opaque && !response.ok) { throw new Error("server error " + response.status); }
    });
  }

  // --- one form

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

  // What the visitor typed, back into the form (hidden fields are the page's own).
  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || SKIP[input.name] || input.type === "hidden" ||
          !Object.prototype.hasOwnProperty.call(data, input.name)) { return; }
      if (input.type === "checkbox") {
        input.checked = data[input.name] === input.value;
      } else {
        input.value = data[input.name];
      }
    });
    var started = field(form, "_started");
    if (started && data._started) { started.value = data._started; }
  }

  // Tells js/track.js (loaded only where analytics is on) that a lead was sent.
  function announce(target, detail) {
    try {
      target.dispatchEvent(new CustomEvent("sitegen:lead", { bubbles: true, detail: detail }));
    } catch (e) { /* old browsers: no event, the lead is sent all the same */ }
  }

  function pageKey(form) { return window.location.pathname + "#" + form.id; }

  function init(form) {
    var mode = form.getAttribute("data-leads-mode");
    if (mode === "disabled") { return null; }
    var status = form.querySelector("[data-lead-status]");
    var retry = form.querySelector("[data-lead-retry]");
    var forget = form.querySelector("[data-lead-forget]");
    var note = form.querySelector("[data-lead-keep-note]");
    var submit = form.querySelector('button[type="submit"]');
    var minSeconds = Number(form.getAttribute("data-min-seconds") || "0");
    var keeping = form.getAttribute("data-keep") === "true";
    var started = field(form, "_started");
    var key = pageKey(form);
    var submission = newId();
    var busy = false;
    if (started) { started.value = String(Date.now()); }
    var pageUrl = field(form, "page_url");
    if (pageUrl) { pageUrl.value = window.location.origin + window.location.pathname; }
    UTM.forEach(function (name) {
      var input = field(form, name);
      if (input && visit[name]) { input.value = visit[name]; }
    });
    if (note) { note.hidden = false; }
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

    function failed(reason, stored) {
      done();
      retry.hidden = false;
      if (forget) { forget.hidden = !stored; }
      say("error", t("send_failed", { reason: reason }) + " " +
        t(stored ? "send_failed_kept" : "send_failed_lost"));
      status.focus();
    }

    function sent(data) {
      drop(key);
      done();
      form.reset();
      submission = newId();
      retry.hidden = true;
      if (forget) { forget.hidden = true; }
      if (started) { started.value = String(Date.now()); }
      if (pageUrl) { pageUrl.value = window.location.origin + window.location.pathname; }
      say("success", status.getAttribute("data-success"));
      status.focus();
      announce(form, { location: data.location_id || "", page: window.location.pathname });
    }

    function send(pending) {
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
        say("error", t("too_quick"));
        status.focus();
        return;
      }
      busy = true;
      submit.disabled = true;
      form.setAttribute("aria-busy", "true");
      retry.hidden = true;
      say("pending", typeof pending === "string" ? pending : t("sending"));
      var data = payload(form);
      data.submission_id = submission;
      var entry = { key: key, action: form.action, encoding: form.getAttribute("data-encoding"),
                    response: form.getAttribute("data-response"), data: data,
                    map: form.getAttribute("data-field-map"),
                    pass: form.getAttribute("data-pass"),
                    objectType: form.getAttribute("data-object-type"), title: document.title };
      var stored = keeping && keep(entry);
      post(entry).then(function () { sent(data); }, function (error) {
        failed(error && /server error/.test(error.message) ? error.message : t("network_error"),
               stored);
      });
    }

    // A lead of this page kept from before: show it, and send it again.
    function resume(entry) {
      restore(form, entry.data);
      if (entry.data.submission_id) { submission = entry.data.submission_id; }
      send(t("sending_earlier"));
    }

    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-transport") === "native") {  // mailto: the browser sends it
        if (!validate(form)) { e.preventDefault(); }
        return;
      }
      e.preventDefault();
      send();
    });
    retry.addEventListener("click", function () { send(); });
    if (forget) {
      forget.addEventListener("click", function () {
        drop(key);
        forget.hidden = true;
        say("", t("discarded"));
      });
    }
    return { key: key, resume: resume, retry: function () { send(); },
             idle: function () { return !busy; } };
  }

  var inFlight = {};  // keys of kept leads being sent in the background

  // Send every kept lead: a form of this page sends its own (shown in the form first when
  // the page opens; later, as the visitor may have edited it since), the rest go in the
  // background.
  function flush(forms, opening) {
    kept().forEach(function (entry) {
      var own = forms.filter(function (f) { return f.key === entry.key; })[0];
      if (own) {
        if (own.idle()) {
          if (opening) { own.resume(entry); } else { own.retry(); }
        }
        return;
      }
      if (inFlight[entry.key]) { return; }
      inFlight[entry.key] = true;
      post(entry).then(function () {
        drop(entry.key);
        delete inFlight[entry.key];
        announce(document, { location: entry.data.location_id || "",
                             page: entry.key.split("#")[0] });
      }, function () { delete inFlight[entry.key]; });  // still unsent: kept for later
    });
  }

  function start() {
    var forms = [];
    document.querySelectorAll("form.lead-form").forEach(function (form) {
      var handle = init(form);
      if (handle) { forms.push(handle); }
    });
    flush(forms, true);
    window.addEventListener("online", function () { flush(forms, false); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
