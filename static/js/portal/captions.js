/* Per-network text: live counts against Meta's limits and a preview of each network.
 * Counts as media_content/captions.py does: code points; a hashtag is "#" and word
 * characters, a mention "@" and a username's characters, neither glued to a word before.
 * No inline script or style (strict CSP): the frame's shape is a CSS custom property. */
(function () {
  "use strict";
  var HASHTAG = /(?<![\p{L}\p{N}_#])#[\p{L}\p{N}_]+/gu;
  var MENTION = /(?<![\p{L}\p{N}_@])@[\p{L}\p{N}_.]+/gu;
  var URL_LIKE = /(https?:\/\/|www\.)\S+/i;
  // Instagram's feed shows photos between 4:5 (portrait) and 1.91:1 (landscape), cropping others.
  var IG_MIN_RATIO = 4 / 5, IG_MAX_RATIO = 1.91;

  function chars(text) { return Array.from(text).length; }
  function count(re, text) { return (text.match(re) || []).length; }
  function number(n) { return n.toLocaleString("en-US"); }

  function defaultText(form) {
    return ["title", "description", "link_url"].map(function (name) {
      var field = form.elements[name];
      return field ? field.value.trim() : "";
    }).filter(Boolean).join("\n\n");
  }

  function textFor(form, network) {
    var own = form.elements[network + "_caption"].value.trim();
    return { text: own || defaultText(form), own: !!own };
  }

  function describeCount(counter, text, own) {
    var parts = [], over = [];
    var limit = +counter.dataset.limitChars;
    var n = chars(text);
    parts.push(number(n) + " / " + number(limit) + " characters");
    if (n > limit) over.push(number(n - limit) + " characters too many");
    [["limitHashtags", HASHTAG, "hashtags"], ["limitMentions", MENTION, "@-mentions"]].forEach(function (rule) {
      if (!counter.dataset[rule[0]]) return;
      var most = +counter.dataset[rule[0]], found = count(rule[1], text);
      parts.push(found + " / " + most + " " + rule[2]);
      if (found > most) over.push((found - most) + " " + rule[2] + " too many");
    });
    var words = parts.join(" · ");
    if (!own) words += " (title, description and link)";
    if (over.length) words += ". Over the limit: " + over.join(", ") + ".";
    counter.textContent = words;
    counter.classList.toggle("over", over.length > 0);
  }

  function renderText(figure, text, cut) {
    var shown = figure.querySelector("[data-preview-shown]");
    var rest = figure.querySelector("[data-preview-rest]");
    var more = figure.querySelector("[data-preview-more]");
    var letters = Array.from(text);
    if (!cut || letters.length <= cut) {
      shown.textContent = text;
      if (rest) { rest.textContent = ""; rest.hidden = true; }
      if (more) more.hidden = true;
      figure.classList.toggle("empty-text", !text);
      return;
    }
    var expanded = figure.dataset.expanded === "1";
    shown.textContent = letters.slice(0, cut).join("") + (expanded ? "" : "…");
    rest.textContent = letters.slice(cut).join("");
    rest.hidden = !expanded;
    more.hidden = expanded;
    figure.classList.remove("empty-text");
  }

  function setup(fieldset) {
    var form = fieldset.closest("form");
    var cut = +fieldset.dataset.previewChars;
    var instagram = fieldset.querySelector('[data-preview-for="instagram"]');
    var facebook = fieldset.querySelector('[data-preview-for="facebook"]');

    function update() {
      ["facebook", "instagram"].forEach(function (network) {
        var chosen = textFor(form, network);
        describeCount(fieldset.querySelector('[data-count-for="' + network + '"]'), chosen.text, chosen.own);
        renderText(network === "instagram" ? instagram : facebook, chosen.text, network === "instagram" ? cut : 0);
        if (network === "instagram") {
          fieldset.querySelector("[data-link-hint]").hidden = !URL_LIKE.test(chosen.text);
        }
      });
    }

    function shapeNote(ratio, clamped) {
      var note = instagram.querySelector("[data-preview-shape]");
      if (!ratio) { note.textContent = ""; return; }
      if (Math.abs(ratio - clamped) < 0.005) note.textContent = "Instagram shows the whole photo.";
      else note.textContent = "Instagram crops it to " + (clamped < 1 ? "4:5 (portrait)" : "1.91:1 (landscape)") + ", as shown.";
    }

    function showMedia(kind, igUrl, fbUrl) {
      var igFrame = instagram.querySelector("[data-preview-frame]");
      var fbFrame = facebook.querySelector("[data-preview-frame]");
      igFrame.innerHTML = ""; fbFrame.innerHTML = "";
      igFrame.classList.toggle("reel", kind === "video");
      igFrame.style.removeProperty("--ig-ratio");
      shapeNote(0, 0);
      if (!igUrl) {
        var empty = document.createElement("span");
        empty.className = "preview-empty muted small-text";
        empty.textContent = kind === "video" ? "The Reel's frame appears once the video is processed." : "The photo or Reel appears here.";
        igFrame.appendChild(empty);
        return;
      }
      var ig, fb;
      if (kind === "video" && /^blob:/.test(igUrl)) {
        ig = document.createElement("video");
        ig.muted = true; ig.playsInline = true; ig.preload = "metadata";
        fb = ig.cloneNode();
        fb.src = fbUrl || igUrl;
      } else {
        ig = document.createElement("img");
        fb = document.createElement("img");
        fb.src = fbUrl || igUrl;
        ig.addEventListener("load", function () {
          if (kind === "video") return; // a Reel is always 9:16
          var ratio = ig.naturalWidth / ig.naturalHeight;
          var clamped = Math.min(IG_MAX_RATIO, Math.max(IG_MIN_RATIO, ratio));
          igFrame.style.setProperty("--ig-ratio", String(clamped));
          shapeNote(ratio, clamped);
        });
      }
      ig.alt = kind === "video" ? "Reel frame" : "Instagram crop";
      fb.alt = "Facebook photo";
      ig.src = igUrl;
      ig.className = "preview-media-element"; fb.className = "preview-media-element";
      ig.setAttribute("data-preview-media", "instagram");
      igFrame.appendChild(ig);
      fbFrame.appendChild(fb);
      if (kind === "video") {
        var badge = document.createElement("span");
        badge.className = "reel-badge"; badge.textContent = "Reel";
        igFrame.appendChild(badge);
      }
    }

    fieldset.addEventListener("click", function (event) {
      if (!event.target.closest("[data-preview-more]")) return;
      instagram.dataset.expanded = "1";
      update();
    });
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // The upload form's chosen file (upload.js owns its object URL).
    form.addEventListener("portal:file", function (event) {
      var chosen = event.detail;
      instagram.dataset.expanded = "";
      showMedia(chosen ? chosen.kind : "image", chosen ? chosen.url : "", chosen ? chosen.url : "");
    });
    form.addEventListener("reset", function () {
      instagram.dataset.expanded = "";
      window.setTimeout(function () { showMedia("image", "", ""); update(); }, 0);
    });
    // The edit modal tells which item it shows (library.js).
    form.addEventListener("portal:filled", function (event) {
      var data = event.detail || {};
      instagram.dataset.expanded = "";
      var kind = data.media_type === "video" ? "video" : "image";
      showMedia(kind, data.instagram_preview_url || "", kind === "video" ? data.thumbnail_url : data.media_url);
      update();
    });
    update();
  }

  // The composer's form is made from a <template> when it opens: compose.js calls setup.
  window.PortalCaptions = { setup: setup };
  Array.prototype.forEach.call(document.querySelectorAll("[data-network-text]"), setup);
})();
