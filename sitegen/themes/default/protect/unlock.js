/* sitegen unlock.js: opens the pages and data files of a password-protected build
 * (protection.mode: encrypt). No dependencies; WebCrypto only (HTTPS or localhost).
 *
 * Prompt page: derives the key from the password (PBKDF2-SHA256, the salt and iteration
 * count in the page), decrypts the page (AES-256-GCM) and renders it in place. The raw key
 * is kept in sessionStorage with the build's salt, so one unlock opens every page for the
 * browser session; "remember me" keeps it in localStorage until it expires. A share link
 * `/#token=<base64url key>` unlocks without the password.
 *
 * Every page (decrypted pages load this file too) gets two helpers for data files:
 *   window.sitegenFetchJSON(url) -> Promise of the parsed JSON
 *   window.sitegenFetchText(url) -> Promise of the text
 * They decrypt an encrypted envelope {"sitegen_encrypted": 1, ...} with the session key and
 * pass plain files through, so view scripts work the same in every environment.
 */
(function () {
  "use strict";
  var STORE = "sitegen-key";
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function fromBase64(text) {
    var s = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var binary = atob(s);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function toBase64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary);
  }

  function parseRecord(text) {
    if (!text) { return null; }
    try {
      var record = JSON.parse(text);
      return record && record.salt && record.key ? record : null;
    } catch (e) { return null; }
  }

  function storedRecord() {
    var record = null;
    try { record = parseRecord(sessionStorage.getItem(STORE)); } catch (e) { record = null; }
    if (record) { return record; }
    try {
      record = parseRecord(localStorage.getItem(STORE));
      if (record && record.expires && record.expires > Date.now()) { return record; }
      if (record) { localStorage.removeItem(STORE); }
    } catch (e) { /* storage disabled */ }
    return null;
  }

  function remember(salt, raw, days) {
    var record = { salt: salt, key: toBase64(raw) };
    try { sessionStorage.setItem(STORE, JSON.stringify(record)); } catch (e) { /* private mode */ }
    if (days > 0) {
      record.expires = Date.now() + days * 86400000;
      try { localStorage.setItem(STORE, JSON.stringify(record)); } catch (e) { /* ignore */ }
    }
  }

  function forget() {
    try { sessionStorage.removeItem(STORE); } catch (e) { /* ignore */ }
    try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
  }

  function sessionKey(envelope) {
    var record = storedRecord();
    return record && record.salt === envelope.salt ? fromBase64(record.key) : null;
  }

  function deriveKey(password, envelope) {
    return crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false,
      ["deriveBits"]).then(function (base) {
      return crypto.subtle.deriveBits({
        name: "PBKDF2", hash: "SHA-256", salt: fromBase64(envelope.salt),
        iterations: envelope.iterations
      }, base, 256);
    }).then(function (bits) { return new Uint8Array(bits); });
  }

  function decryptBytes(raw, envelope) {
    return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"])
      .then(function (key) {
        return crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(envelope.iv) }, key,
          fromBase64(envelope.data));
      });
  }

  function decrypt(raw, envelope) {
    return decryptBytes(raw, envelope).then(function (plain) { return decoder.decode(plain); });
  }

  function isEnvelope(value) {
    return !!value && typeof value === "object" && value.sitegen_encrypted === 1;
  }

  function openText(text) {
    var value = null;
    if (text.charAt(0) === "{" && text.indexOf("\"sitegen_encrypted\"") !== -1) {
      try { value = JSON.parse(text); } catch (e) { value = null; }
    }
    if (!isEnvelope(value)) { return Promise.resolve(text); }
    var raw = sessionKey(value);
    if (!raw) {
      return Promise.reject(new Error("sitegen: this data is encrypted; unlock the site first"));
    }
    return decrypt(raw, value);
  }

  window.sitegenFetchText = function (url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) { throw new Error("sitegen: " + url + " answered " + response.status); }
      return response.text();
    }).then(openText);
  };
  window.sitegenFetchJSON = function (url, options) {
    return window.sitegenFetchText(url, options).then(JSON.parse);
  };

  // The encrypted images of a private build (output/private.py): envelopes named *.json,
  // named by data-sitegen-src / data-sitegen-srcset in the decrypted page (or by an img's
  // src that a view script set), shown as blob: URLs once decrypted with the session key.
  var SEALED = "[data-sitegen-src],[data-sitegen-srcset],img[src$='.json']";
  var blobs = {};

  function imageURL(url) {
    if (!blobs[url]) {
      blobs[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("sitegen: " + url + " answered " + response.status); }
        return response.json();
      }).then(function (envelope) {
        var raw = isEnvelope(envelope) ? sessionKey(envelope) : null;
        if (!raw) { throw new Error("sitegen: " + url + " cannot be opened; unlock the site first"); }
        return decryptBytes(raw, envelope).then(function (plain) {
          return URL.createObjectURL(new Blob([plain], { type: envelope.type || "" }));
        });
      });
    }
    return blobs[url];
  }

  function sealedImage(url) { return /\.json(?:[?#]|$)/.test(url || ""); }

  function openImage(element) {
    var src = element.getAttribute("data-sitegen-src");
    var srcset = element.getAttribute("data-sitegen-srcset");
    if (!src && element.tagName === "IMG" && sealedImage(element.getAttribute("src"))) {
      src = element.getAttribute("src");
      element.removeAttribute("src");
    }
    if (src) {
      element.removeAttribute("data-sitegen-src");
      imageURL(src).then(function (blob) { element.setAttribute("src", blob); },
        function (error) { console.error(error); });
    }
    if (srcset) {
      element.removeAttribute("data-sitegen-srcset");
      var parts = srcset.split(",").map(function (part) { return part.trim().split(/\s+/); });
      Promise.all(parts.map(function (bits) {
        return sealedImage(bits[0]) ? imageURL(bits[0]) : bits[0];
      })).then(function (urls) {
        element.setAttribute("srcset", urls.map(function (url, i) {
          return [url].concat(parts[i].slice(1)).join(" ");
        }).join(", "));
      }, function (error) { console.error(error); });
    }
  }

  function openImages(root) {
    if (root.nodeType !== 1) { return; }
    if (root.matches(SEALED)) { openImage(root); }
    var found = root.querySelectorAll(SEALED);
    for (var i = 0; i < found.length; i++) { openImage(found[i]); }
  }

  var node = document.getElementById("sitegen-protected");
  if (!node) {
    // A decrypted page: open its encrypted images as the parser and the view scripts add them.
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        if (record.type === "attributes") { openImages(record.target); }
        for (var i = 0; i < record.addedNodes.length; i++) { openImages(record.addedNodes[i]); }
      });
    }).observe(document.documentElement, { childList: true, subtree: true, attributes: true,
      attributeFilter: ["src", "data-sitegen-src", "data-sitegen-srcset"] });
    openImages(document.documentElement);
    return;
  }
  var envelope = JSON.parse(node.textContent);
  var form = document.getElementById("sitegen-unlock");
  var input = document.getElementById("sitegen-password");
  var error = document.getElementById("sitegen-error");
  var status = document.getElementById("sitegen-status");
  var rememberBox = document.getElementById("sitegen-remember");
  var rememberDays = parseInt(form.getAttribute("data-remember-days") || "0", 10) || 0;

  // Replace the prompt with the real page. Wait for the prompt's own load event first:
  // document.open() before it would swallow the load event of the navigation.
  function render(html) {
    function write() {
      document.open();
      document.write(html);
      document.close();
    }
    if (document.readyState === "complete") {
      write();
    } else {
      window.addEventListener("load", function () { setTimeout(write, 0); });
    }
  }

  // What the page says, in its language (output/protect.py prompt_page writes this JSON).
  var texts = {};
  try { texts = JSON.parse(document.getElementById("sitegen-prompt-strings").textContent); } catch (e) { /* none */ }
  function t(key) { return String(texts[key] || key); }

  function showPrompt(message) {
    document.documentElement.classList.remove("sitegen-auto");
    error.textContent = message || "";
    if (message) { input.setAttribute("aria-invalid", "true"); }
  }

  if (!window.crypto || !crypto.subtle) {
    showPrompt(t("https_only"));
    form.querySelector("button").disabled = true;
    return;
  }

  var token = (location.hash.match(/[#&]token=([A-Za-z0-9_-]+)/) || [])[1];
  var stored = sessionKey(envelope);
  if (token) {
    var raw = fromBase64(token);
    decrypt(raw, envelope).then(function (html) {
      remember(envelope.salt, raw, 0);
      history.replaceState(null, "", location.pathname + location.search);
      render(html);
    }, function () {
      showPrompt(t("stale_link"));
    });
  } else if (stored) {
    decrypt(stored, envelope).then(render, function () { forget(); showPrompt(""); });
  } else if (storedRecord()) {
    // A key from an older build (the salt changed): it cannot open this one.
    forget();
    showPrompt("");
  } else {
    showPrompt("");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var password = input.value;
    error.textContent = "";
    if (!password) {
      showPrompt(t("enter_password"));
      input.focus();
      return;
    }
    status.textContent = t("unlocking");
    form.querySelector("button").disabled = true;
    deriveKey(password, envelope).then(function (raw) {
      return decrypt(raw, envelope).then(function (html) {
        remember(envelope.salt, raw, rememberBox && rememberBox.checked ? rememberDays : 0);
        render(html);
      });
    }).catch(function () {
      status.textContent = "";
      form.querySelector("button").disabled = false;
      showPrompt(t("wrong_password"));
      input.focus();
      input.select();
    });
  });
})();
