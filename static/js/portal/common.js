/* Shared helpers of the portal's pages: CSRF, JSON requests, field errors, dialogs, toasts. */
(function () {
  "use strict";

  /* Facebook's dialog appends "#_=_" to its redirect, and browsers keep it through ours. */
  if (window.location.hash === "#_=_" && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /* POST a FormData (or a JSON-able value) and read the JSON answer, whatever the status. */
  function post(url, body) {
    var headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (!(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(readJSON);
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(readJSON);
  }

  function readJSON(response) {
    return response.text().then(function (text) {
      var data = {};
      try { data = text ? JSON.parse(text) : {}; } catch (e) { data = {}; }
      return { ok: response.ok, status: response.status, data: data };
    });
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var summary = form.querySelector(".error-summary");
    if (summary) { summary.hidden = true; summary.textContent = ""; }
  }

  /* errors: {"field": ["reason", ...]}. Each goes next to its field; others to the summary. */
  function showErrors(form, errors, fallback) {
    clearErrors(form);
    var leftovers = [];
    var firstInvalid = null;
    Object.keys(errors || {}).forEach(function (field) {
      var text = [].concat(errors[field]).join(" ");
      var slot = Array.prototype.find.call(form.querySelectorAll("[data-error-for]"), function (el) {
        return el.dataset.errorFor.split(" ").indexOf(field) !== -1;
      });
      if (slot) {
        slot.textContent = slot.textContent ? slot.textContent + " " + text : text;
      } else {
        leftovers.push(text);
      }
      var input = form.querySelector('[name="' + field + '"]:not([type="hidden"])');
      if (input) {
        input.setAttribute("aria-invalid", "true");
        firstInvalid = firstInvalid || input;
      }
    });
    if (!Object.keys(errors || {}).length && fallback) leftovers.push(fallback);
    var summary = form.querySelector(".error-summary");
    if (summary && leftovers.length) {
      summary.textContent = leftovers.join(" ");
      summary.hidden = false;
    }
    if (firstInvalid && firstInvalid.type !== "file") firstInvalid.focus();
  }

  var toastTimer = null;
  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  function formatBytes(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return (bytes / 1024 / 1024 / 1024).toFixed(1) + " GB";
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " bytes";
  }

  /* Any [data-close] button closes its dialog; focus goes back to what opened it. */
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });

  function openDialog(dialog, opener) {
    dialog.addEventListener("close", function restore() {
      dialog.removeEventListener("close", restore);
      if (opener && document.body.contains(opener)) opener.focus();
    });
    dialog.showModal();
  }

  /* Show messages that a script left before reloading the page. */
  document.addEventListener("DOMContentLoaded", function () {
    var pending = sessionStorage.getItem("portal-toast");
    if (pending) { sessionStorage.removeItem("portal-toast"); toast(pending); }
  });

  function reloadWithToast(message) {
    sessionStorage.setItem("portal-toast", message);
    window.location.reload();
  }

  /* The processing checks of one item, next to each destination's checkbox in `root`;
   * only `destinations` (all when omitted). Answers how many errors were shown. */
  function renderChecks(root, checks, destinations) {
    var errors = 0;
    root.querySelectorAll("[data-checks-for]").forEach(function (slot) {
      slot.innerHTML = "";
      var key = slot.dataset.checksFor;
      if (destinations && destinations.indexOf(key) === -1) return;
      var result = (checks || {})[key] || {};
      [["errors", "check-error"], ["warnings", "check-warning"], ["preparing", "check-preparing"]].forEach(function (pair) {
        (result[pair[0]] || []).forEach(function (text) {
          var line = document.createElement("span");
          line.className = pair[1];
          line.textContent = text + " ";
          slot.appendChild(line);
          if (pair[0] === "errors") errors += 1;
        });
      });
    });
    return errors;
  }

  window.Portal = {
    renderChecks: renderChecks,
    csrfToken: csrfToken, post: post, getJSON: getJSON, clearErrors: clearErrors,
    showErrors: showErrors, toast: toast, formatBytes: formatBytes, openDialog: openDialog,
    reloadWithToast: reloadWithToast
  };
})();
