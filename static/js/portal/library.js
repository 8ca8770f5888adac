/* The library table: edit in a modal, delete after a confirmation, refresh a status, retry failures. */
(function () {
  "use strict";
  var P = window.Portal;
  var table = document.getElementById("library");
  var editDialog = document.getElementById("edit-dialog");
  var editForm = document.getElementById("edit-form");
  var deleteDialog = document.getElementById("delete-dialog");
  var deleteForm = document.getElementById("delete-form");
  if (!table || !editDialog) return;

  var STATUS_LABELS = { draft: "Draft", scheduled: "Scheduled", posted: "Posted", failed: "Failed",
    archived: "Archived", unconfirmed: "Unconfirmed" };

  function fillEdit(data) {
    editForm.elements.title.value = data.title || "";
    editForm.elements.description.value = data.description || "";
    editForm.elements.link_url.value = data.link_url || "";
    ["facebook_caption", "instagram_caption", "first_comment", "alt_text"].forEach(function (name) {
      if (editForm.elements[name]) editForm.elements[name].value = data[name] || "";
    });
    // Reel or regular video: a choice for videos only (the checks say which way it goes).
    editForm.elements.facebook_video_format.value = data.facebook_video_format || "auto";
    editForm.querySelector("[data-video-only]").hidden = data.media_type !== "video";
    ["facebook", "instagram", "banner"].forEach(function (key) {
      editForm.elements["post_to_" + key].checked = !!data["post_to_" + key];
      var badge = editForm.querySelector('[data-state-for="' + key + '"]');
      var state = (data.destinations || {})[key];
      badge.className = "badge" + (state ? " badge-" + state.status : "");
      badge.textContent = state ? STATUS_LABELS[state.status] || state.status : "";
      badge.title = state && state.error ? state.error : "";
      badge.hidden = !state;
    });
    // A scheduled item's time can move; its pending posts move with it.
    var when = editForm.querySelector("[data-when]");
    var local = data.status === "scheduled" && data.scheduled_post_time;
    when.hidden = !local;
    editForm.elements.scheduled_date.disabled = !local;
    editForm.elements.scheduled_time.disabled = !local;
    editForm.elements.scheduled_date.value = local ? local.slice(0, 10) : "";
    editForm.elements.scheduled_time.value = local ? local.slice(11, 16) : "";
    P.renderChecks(editForm, data.checks);
    var box = editForm.querySelector(".edit-preview .thumb");
    box.innerHTML = "";
    if (data.thumbnail_url) {
      var img = document.createElement("img");
      img.src = data.thumbnail_url; img.alt = ""; img.width = 72; img.height = 72;
      box.appendChild(img);
    } else {
      var span = document.createElement("span");
      span.className = "thumb-placeholder"; span.setAttribute("aria-hidden", "true");
      span.textContent = data.media_type === "video" ? "▶" : "◻";
      box.appendChild(span);
    }
    // Other parts of the modal follow the item (captions.js: the per-network preview;
    // instagram-fit.js: the Instagram fit).
    editForm.dispatchEvent(new CustomEvent("portal:filled", { detail: data }));
  }

  table.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var row = button.closest("tr");
    var action = button.dataset.action;
    if (action === "edit") {
      button.disabled = true;
      P.getJSON(button.dataset.url).then(function (answer) {
        button.disabled = false;
        if (!answer.ok) { P.toast("This item could not be loaded. Reload the page and try again."); return; }
        P.clearErrors(editForm);
        fillEdit(answer.data);
        editDialog.dispatchEvent(new CustomEvent("media:edit-opened", { detail: answer.data }));
        editForm.action = button.dataset.updateUrl;
        editForm.dataset.rowId = row.id;
        P.openDialog(editDialog, button);
        editForm.elements.title.focus();
      }, function () { button.disabled = false; P.toast("No connection: try again in a moment."); });
    } else if (action === "delete") {
      document.getElementById("delete-title").textContent = row.dataset.title;
      deleteForm.action = button.dataset.url;
      P.openDialog(deleteDialog, button);
    } else if (action === "retry") {
      button.disabled = true;
      P.post(button.dataset.url, new FormData()).then(function (answer) {
        button.disabled = false;
        if (answer.ok) P.reloadWithToast("Sending again to " + answer.data.retried + " destination(s).");
        else P.toast(answer.data.error || "It could not be sent again now; try again later.");
      }, function () { button.disabled = false; P.toast("No connection: try again in a moment."); });
    } else if (action === "refresh") {
      button.disabled = true;
      P.post(button.dataset.url, new FormData()).then(function (answer) {
        button.disabled = false;
        if (answer.ok) P.reloadWithToast("Status refreshed.");
        else P.toast("The status could not be refreshed now; try again later.");
      }, function () { button.disabled = false; P.toast("No connection: try again in a moment."); });
    }
  });

  editForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var submit = editForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    P.post(editForm.action, new FormData(editForm)).then(function (answer) {
      submit.disabled = false;
      if (!answer.ok) {
        P.showErrors(editForm, answer.data.errors, "The changes could not be saved (error " + answer.status + ").");
        return;
      }
      var row = document.getElementById(editForm.dataset.rowId);
      if (row) {
        row.dataset.title = answer.data.title;
        row.querySelector(".item-title").textContent = answer.data.title;
      }
      editDialog.close();
      P.toast("Saved “" + answer.data.title + "”.");
    }, function () { submit.disabled = false; P.toast("No connection: your changes were not saved."); });
  });
})();
