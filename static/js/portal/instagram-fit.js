/* The fit of the Instagram-ready copy, pad or crop, with a preview of each.
 *
 * In the upload form and the edit modal: shown when Instagram is ticked for an image
 * Instagram refuses as it is (not a JPEG, outside 4:5..1.91:1, or over 8 MB). The
 * previews draw what the server's copy will be (library/processing/renditions.py,
 * instagram_ready): the nearest allowed shape, the whole picture on white (pad) or the
 * frame filled from the centre (crop). The upload form learns the file from upload.js
 * ("portal:file"), the modal its item from library.js ("portal:filled").
 */
(function () {
  "use strict";
  var MIN_ASPECT = 4 / 5;
  var MAX_ASPECT = 1.91;
  var MAX_BYTES = 8 * 1024 * 1024;
  var BOX = 200; // the preview's longer side, in pixels
  var FIT_WORDS = { pad: "padded", crop: "cropped" };

  function allowedAspect(width, height) {
    return Math.min(Math.max(width / height, MIN_ASPECT), MAX_ASPECT);
  }

  function draw(canvas, image, fit) {
    var width = image.naturalWidth;
    var height = image.naturalHeight;
    var aspect = allowedAspect(width, height);
    canvas.width = aspect >= 1 ? BOX : Math.round(BOX * aspect);
    canvas.height = aspect >= 1 ? Math.round(BOX / aspect) : BOX;
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    var scale = fit === "pad"
      ? Math.min(canvas.width / width, canvas.height / height)
      : Math.max(canvas.width / width, canvas.height / height);
    var drawnWidth = width * scale;
    var drawnHeight = height * scale;
    context.drawImage(image, (canvas.width - drawnWidth) / 2, (canvas.height - drawnHeight) / 2,
      drawnWidth, drawnHeight);
    canvas.dataset.drawn = fit;
  }

  function Fit(form) {
    this.form = form;
    this.fieldset = form.querySelector("[data-instagram-fit]");
    this.box = form.elements.post_to_instagram;
    this.state = form.querySelector("[data-fit-state]");
    this.needed = false;
    this.image = null;
    if (!this.fieldset || !this.box) return;
    var self = this;
    this.box.addEventListener("change", function () { self.show(); });
  }

  Fit.prototype.show = function () {
    if (!this.fieldset) return;
    this.fieldset.hidden = !(this.needed && this.box.checked && !this.box.disabled);
  };

  Fit.prototype.choose = function (fit) {
    var radio = this.form.querySelector('input[name="instagram_fit"][value="' + (fit || "pad") + '"]');
    if (radio) radio.checked = true;
  };

  /* Load the picture for the previews; `decide(image)` answers whether the copy is needed. */
  Fit.prototype.picture = function (url, decide) {
    var self = this;
    var image = new Image();
    this.image = image;
    image.addEventListener("load", function () {
      if (self.image !== image) return; // another file was chosen meanwhile
      self.needed = decide(image);
      if (self.needed) {
        self.fieldset.querySelectorAll("[data-fit-preview]").forEach(function (canvas) {
          draw(canvas, image, canvas.dataset.fitPreview);
        });
      }
      self.show();
    });
    image.src = url;
  };

  Fit.prototype.reset = function () {
    this.image = null;
    this.needed = false;
    this.choose("pad");
    if (this.state) { this.state.hidden = true; this.state.textContent = ""; }
    this.show();
  };

  var upload = document.getElementById("upload-form");
  if (upload) {
    var uploadFit = new Fit(upload);
    upload.addEventListener("portal:file", function (event) {
      uploadFit.reset();
      if (!event.detail) return; // the file was cleared
      var file = event.detail.file;
      if (event.detail.kind !== "image") return;
      uploadFit.picture(event.detail.url, function (image) {
        var aspect = image.naturalWidth / image.naturalHeight;
        return file.type !== "image/jpeg" || aspect < MIN_ASPECT || aspect > MAX_ASPECT ||
          file.size > MAX_BYTES;
      });
    });
  }

  var edit = document.getElementById("edit-form");
  if (edit) {
    var editFit = new Fit(edit);
    edit.addEventListener("portal:filled", function (event) {
      var item = event.detail;
      var copy = item.instagram_copy || {};
      editFit.reset();
      editFit.choose(item.instagram_fit);
      if (item.media_type !== "image" || !copy.needed || !item.media_url) return;
      if (editFit.state && (copy.url || copy.error)) {
        editFit.state.textContent = copy.error
          ? "The Instagram-ready copy could not be made: " + copy.error
          : "The " + FIT_WORDS[copy.fit] + " copy is ready; choosing the other fit makes a new one when you save.";
        editFit.state.hidden = false;
      }
      editFit.picture(item.media_url, function () { return true; });
    });
  }
})();
