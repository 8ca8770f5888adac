/* The upload form: drop zone, preview, checks in the browser, then one of two ways up.
 *
 * Files up to data-resumable-above go in one multipart POST to the form's action.
 * Larger ones go through tus (tus-js-client) in parts: progress with speed and time
 * left, pause and resume, and resume after a reload or a dropped connection (the
 * client keeps a fingerprint of the file in localStorage); then the form's other
 * fields are POSTed to data-complete-url with the upload's id. tus-js-client itself
 * (data-tus-script) is only loaded when a file that large is chosen, or when an
 * upload a reload interrupted waits in localStorage.
 *
 * Choosing a file hides the drop zone that held the focused input: focus moves to
 * the chosen file's preview, and a status line says which file it is.
 */
(function () {
  "use strict";
  var P = window.Portal;
  var T = window.PortalTus;
  var form = document.getElementById("upload-form");
  if (!form) return;

  var input = document.getElementById("id_media_file");
  var zone = document.getElementById("dropzone");
  var preview = document.getElementById("preview");
  var previewMedia = document.getElementById("preview-media");
  var fileError = document.getElementById("file-error");
  var fileStatus = document.getElementById("file-status");
  var resumeNote = document.getElementById("resume-note");
  var scheduleFields = document.getElementById("schedule-fields");
  var submit = document.getElementById("upload-submit");
  var progressBox = document.getElementById("progress-box");
  var progressBar = document.getElementById("upload-progress");
  var progressText = document.getElementById("progress-text");
  var pauseButton = document.getElementById("upload-pause");
  var resumeButton = document.getElementById("upload-resume");
  var bannerBox = document.getElementById("id_post_to_banner");

  var rules = {
    imageTypes: form.dataset.imageTypes.split(","),
    videoTypes: form.dataset.videoTypes.split(","),
    maxImage: Number(form.dataset.maxImage),
    maxVideo: Number(form.dataset.maxVideo),
    resumableAbove: Number(form.dataset.resumableAbove)
  };
  var chosen = null;
  var previewUrl = null;
  var tusUpload = null;
  var busy = false;
  var completed = false; // uploaded; the button now only leaves the form

  /* --- Choosing a file ------------------------------------------------------ */

  function kindOf(file) {
    if (rules.imageTypes.indexOf(file.type) !== -1) return "image";
    if (rules.videoTypes.indexOf(file.type) !== -1) return "video";
    return "";
  }

  function problemWith(file) {
    var kind = kindOf(file);
    if (!kind) {
      return "“" + file.name + "” is not a file we can post (" + (file.type || "unknown type") +
        "). Choose a JPEG, PNG, WebP or GIF photo, or an MP4, MOV or WebM video.";
    }
    if (!file.size) return "“" + file.name + "” is empty.";
    var limit = kind === "image" ? rules.maxImage : rules.maxVideo;
    if (file.size > limit) {
      return "“" + file.name + "” is " + P.formatBytes(file.size) + "; " + (kind === "image" ? "photos" : "videos") +
        " can be at most " + P.formatBytes(limit) + ".";
    }
    return "";
  }

  function clearChoice() {
    chosen = null;
    input.value = "";
    fileStatus.textContent = "";
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    previewMedia.innerHTML = "";
    preview.hidden = true;
    zone.hidden = false;
    resumeNote.hidden = true;
    if (bannerBox && !bannerBox.dataset.unavailable) bannerBox.disabled = false;
    form.dispatchEvent(new CustomEvent("portal:file", { detail: null }));
  }

  function choose(file) {
    if (busy || !file) return;
    fileError.textContent = "";
    var problem = problemWith(file);
    if (problem) {
      clearChoice();
      fileError.textContent = problem;
      fileStatus.textContent = problem;
      return;
    }
    // Where focus was before the zone is hidden (the input, or nowhere after a file dialog).
    var focusInZone = zone.contains(document.activeElement) ||
      !document.activeElement || document.activeElement === document.body;
    chosen = file;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(file);
    previewMedia.innerHTML = "";
    var media;
    if (kindOf(file) === "image") {
      media = document.createElement("img");
      media.alt = "Preview of " + file.name;
    } else {
      media = document.createElement("video");
      media.controls = true; media.muted = true; media.playsInline = true; media.preload = "metadata";
      media.setAttribute("aria-label", "Preview of " + file.name);
    }
    media.src = previewUrl;
    media.id = "preview-element";
    previewMedia.appendChild(media);
    document.getElementById("preview-name").textContent = file.name;
    document.getElementById("preview-size").textContent = P.formatBytes(file.size);
    preview.hidden = false;
    zone.hidden = true;
    if (focusInZone) preview.focus();
    fileStatus.textContent = "Chosen: “" + file.name + "”, " + P.formatBytes(file.size) + "." +
      (file.size > rules.resumableAbove ? " It uploads in parts and can be paused." : "");
    if (!form.elements.title.value) form.elements.title.value = file.name.replace(/\.[^.]+$/, "");
    if (bannerBox && !bannerBox.dataset.unavailable) {
      bannerBox.disabled = kindOf(file) === "video";
      if (bannerBox.disabled) bannerBox.checked = false;
    }
    var videoOnly = form.querySelector("[data-video-only]");
    if (videoOnly) videoOnly.hidden = kindOf(file) !== "video";
    noteResumable(file);
    // Other parts of the form follow the file (captions.js: the per-network preview;
    // instagram-fit.js: the Instagram fit and its preview).
    form.dispatchEvent(new CustomEvent("portal:file", {
      detail: { file: file, url: previewUrl, kind: kindOf(file) }
    }));
  }

  function noteResumable(file) {
    resumeNote.hidden = true;
    if (file.size <= rules.resumableAbove) return;
    T.load(form.dataset.tusScript).then(function (tus) {
      return new tus.Upload(file, T.options(file, form.dataset.tusEndpoint)).findPreviousUploads();
    }).then(function (previous) {
      if (previous.length && chosen === file) {
        resumeNote.textContent = "Part of this file was sent before; the upload continues where it stopped.";
        resumeNote.hidden = false;
      }
    }).catch(function () { /* sent without tus, or in one piece (see the submit) */ });
  }

  if (bannerBox && bannerBox.disabled) bannerBox.dataset.unavailable = "1";

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || !files.length) return;
    try { input.files = files; } catch (e) { /* older browsers: we keep `chosen` */ }
    choose(files[0]);
  });
  input.addEventListener("change", function () { choose(input.files[0]); });
  document.getElementById("preview-clear").addEventListener("click", function () {
    if (busy) return;
    clearChoice();
    input.focus();
  });

  /* --- When: now, later or draft -------------------------------------------- */

  function mode() {
    var checked = form.querySelector('input[name="schedule_mode"]:checked');
    return checked ? checked.value : "now";
  }
  function updateMode() {
    var m = mode();
    scheduleFields.hidden = m !== "scheduled";
    form.elements.scheduled_date.required = form.elements.scheduled_time.required = m === "scheduled";
    submit.textContent = { now: "Upload and post now", scheduled: "Upload and schedule", draft: "Save as draft" }[m];
  }
  form.querySelectorAll('input[name="schedule_mode"]').forEach(function (radio) {
    radio.addEventListener("change", updateMode);
  });
  updateMode();

  /* --- Checks before sending ------------------------------------------------ */

  function browserErrors() {
    var errors = {};
    if (!chosen) errors.media_file = ["Choose a photo or video first: drop it in the box or click the box."];
    if (!form.elements.title.value.trim()) errors.title = ["Give it a title, so you can find it in your library."];
    var link = form.elements.link_url;
    if (link.value && !link.checkValidity()) errors.link_url = ["Enter a full link, starting with https://."];
    var anyDestination = ["facebook", "instagram", "banner"].some(function (key) {
      var box = form.elements["post_to_" + key];
      return box && box.checked && !box.disabled;
    });
    if (mode() !== "draft" && !anyDestination) {
      errors.post_to_facebook = ["Choose where to post it, or save it as a draft."];
    }
    if (mode() === "scheduled") {
      if (!form.elements.scheduled_date.value) errors.scheduled_date = ["Pick the day to post it."];
      if (!form.elements.scheduled_time.value) errors.scheduled_time = ["Pick the time to post it."];
    }
    return errors;
  }

  /* --- Progress ------------------------------------------------------------- */

  var samples = [];
  function startProgress(resumable) {
    samples = [];
    progressBox.hidden = false;
    progressBar.value = 0;
    progressText.textContent = "Starting…";
    pauseButton.hidden = !resumable;
    resumeButton.hidden = true;
  }
  function showProgress(sent, total) {
    var now = performance.now();
    samples.push([now, sent]);
    while (samples.length > 2 && now - samples[0][0] > 4000) samples.shift();
    var percent = total ? Math.floor((sent / total) * 100) : 0;
    progressBar.value = percent;
    var parts = [percent + "%", P.formatBytes(sent) + " of " + P.formatBytes(total)];
    var first = samples[0];
    var seconds = (now - first[0]) / 1000;
    if (seconds > 0.3 && sent > first[1]) {
      var speed = (sent - first[1]) / seconds;
      parts.push(P.formatBytes(speed) + "/s");
      var left = Math.ceil((total - sent) / speed);
      parts.push(left > 90 ? "about " + Math.ceil(left / 60) + " min left" : "about " + left + " s left");
    }
    progressText.textContent = parts.join(" · ");
  }

  function setBusy(value) {
    busy = value;
    submit.disabled = value;
    form.setAttribute("aria-busy", value ? "true" : "false");
  }

  function finished(answer) {
    setBusy(false);
    if (answer.ok && answer.data.id) {
      var done = { now: "is on its way", scheduled: "is scheduled", draft: "is saved as a draft" }[mode()];
      var message = "“" + form.elements.title.value + "” " + done + ".";
      // A chosen destination the checks refuse: say so before leaving the form.
      var chosenDestinations = ["facebook", "instagram", "banner"].filter(function (key) {
        var box = form.elements["post_to_" + key];
        return box && box.checked && !box.disabled;
      });
      P.getJSON("/marketing/media/" + answer.data.id + "/get").then(function (item) {
        if (!item.ok || !P.renderChecks(form, item.data.checks, chosenDestinations)) {
          P.reloadWithToast(message);
          return;
        }
        progressText.textContent = message + " Read the notes next to the destinations.";
        pauseButton.hidden = resumeButton.hidden = true;
        submit.textContent = "Done";
        submit.disabled = false;
        completed = true;
      }, function () { P.reloadWithToast(message); });
      return;
    }
    progressBox.hidden = true;
    P.showErrors(form, answer.data.errors, "The upload was refused (error " + answer.status + "). Try again.");
  }

  /* --- One request for small files ------------------------------------------ */

  function sendMultipart() {
    var data = new FormData(form);
    data.set("media_file", chosen, chosen.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", P.csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) showProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", function () {
      var parsed = {};
      try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = {}; }
      finished({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data: parsed });
    });
    xhr.addEventListener("error", function () {
      setBusy(false);
      progressBox.hidden = true;
      P.showErrors(form, {}, "The connection dropped before the file arrived. Try again.");
    });
    startProgress(false);
    xhr.send(data);
  }

  /* --- tus for large files --------------------------------------------------- */

  function sendResumable() {
    var file = chosen;
    var options = T.options(file, form.dataset.tusEndpoint);
    options.onProgress = showProgress;
    options.onError = function (error) {
      pauseButton.hidden = true;
      resumeButton.hidden = false;
      var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
      var said = status ? T.serverMessage(error.originalResponse) : "";
      progressText.textContent = said
        ? said + " (error " + status + ")"
        : status
          ? "The server stopped the upload (error " + status + "). Press Resume to try again."
          : "The connection dropped. The upload continues when you press Resume (or when you are back online).";
    };
    options.onSuccess = function () {
      pauseButton.hidden = true;
      progressText.textContent = "Upload complete; saving…";
      var data = new FormData(form);
      data.delete("media_file");
      data.set("upload_id", T.uploadIdFrom(tusUpload.url));
      P.post(form.dataset.completeUrl, data).then(finished, function () {
        setBusy(false);
        P.showErrors(form, {}, "The file arrived but the connection dropped while saving. Press the button again.");
      });
    };
    tusUpload = new tus.Upload(file, options);
    startProgress(true);
    tusUpload.findPreviousUploads().then(function (previous) {
      if (previous.length) tusUpload.resumeFromPreviousUpload(previous[0]);
      tusUpload.start();
    });
  }

  pauseButton.addEventListener("click", function () {
    if (!tusUpload) return;
    tusUpload.abort();
    pauseButton.hidden = true;
    resumeButton.hidden = false;
    progressText.textContent = "Paused at " + progressBar.value + "%. Press Resume to continue.";
    resumeButton.focus();
  });
  resumeButton.addEventListener("click", function () {
    if (!tusUpload) return;
    resumeButton.hidden = true;
    pauseButton.hidden = false;
    samples = [];
    tusUpload.start();
    pauseButton.focus();
  });
  window.addEventListener("online", function () {
    if (tusUpload && busy && !resumeButton.hidden) resumeButton.click();
  });

  /* --- Uploads a reload interrupted ----------------------------------------- */

  if (T.unfinishedUploadsStored()) {
    T.load(form.dataset.tusScript).then(function (tus) {
      if (!tus.defaultOptions || !tus.defaultOptions.urlStorage) return [];
      return tus.defaultOptions.urlStorage.findAllUploads();
    }).then(function (uploads) {
      if (!uploads.length || chosen) return;
      var names = uploads.map(function (u) { return "“" + ((u.metadata && u.metadata.filename) || "a file") + "”"; });
      resumeNote.textContent = "The upload of " + names.join(", ") +
        " stopped before it finished. Choose the same file again to continue where it stopped.";
      resumeNote.hidden = false;
    }).catch(function () {});
  }

  /* --- Sending --------------------------------------------------------------- */

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (completed) { window.location.reload(); return; }
    if (busy) return;
    var errors = browserErrors();
    if (Object.keys(errors).length) {
      P.showErrors(form, errors);
      if (errors.media_file) input.focus();
      return;
    }
    P.clearErrors(form);
    setBusy(true);
    if (chosen.size <= rules.resumableAbove) { sendMultipart(); return; }
    T.load(form.dataset.tusScript).then(function (tus) {
      if (tus.isSupported) sendResumable();
      else sendMultipart();
    }, sendMultipart);
  });
})();
