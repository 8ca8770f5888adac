/* tus for the upload form: tus-js-client loaded on demand, its options, and what the
 * tus server and the browser's storage say. Used by upload.js (window.PortalTus).
 */
(function () {
  "use strict";
  var P = window.Portal;
  var loading = null;

  /* tus-js-client, added as a script of our own origin (the CSP allows 'self') when needed. */
  function load(src) {
    if (window.tus) return Promise.resolve(window.tus);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () {
          if (window.tus) resolve(window.tus);
          else reject(new Error("tus-js-client did not start"));
        };
        script.onerror = function () {
          loading = null; // a later choice tries again
          reject(new Error("tus-js-client could not be loaded"));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function options(file, endpoint) {
    return {
      endpoint: endpoint,
      chunkSize: 5 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      headers: { "X-CSRFToken": P.csrfToken() },
      metadata: { filename: file.name, filetype: file.type },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true
    };
  }

  function uploadIdFrom(url) {
    return url.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop();
  }

  /* The tus server's refusals carry {"error": "..."} in words (too many open uploads...). */
  function serverMessage(response) {
    try { return JSON.parse(response.getBody() || "{}").error || ""; } catch (e) { return ""; }
  }

  /* tus-js-client keeps an unfinished upload's URL under a "tus::" key. */
  function unfinishedUploadsStored() {
    try {
      for (var i = 0; i < localStorage.length; i++) {
        if (localStorage.key(i).indexOf("tus::") === 0) return true;
      }
    } catch (e) { /* storage refused: nothing to resume */ }
    return false;
  }

  window.PortalTus = {
    load: load,
    options: options,
    uploadIdFrom: uploadIdFrom,
    serverMessage: serverMessage,
    unfinishedUploadsStored: unfinishedUploadsStored
  };
})();
