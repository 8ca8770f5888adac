/* Posts of several items: tick items in the library, "Post together" opens the composer,
 * drag them into order (SortableRows, kept in the page), then one POST makes the post.
 * The edit modal lists a post's items in order; each move or removal is saved at once. */
(function () {
  "use strict";
  var P = window.Portal;
  var table = document.getElementById("library");
  var button = document.getElementById("post-together");
  var count = document.getElementById("selection-count");
  var dialog = document.getElementById("compose-dialog");
  var template = document.getElementById("compose-template");
  if (!table || !button || !dialog || !template || !window.SortableRows) return;
  var form = null, list = null, composeSorter = null;

  function selected() {
    return Array.prototype.map.call(table.querySelectorAll(".select-item:checked"), function (box) {
      return box.closest("tr");
    });
  }

  function itemRow(id, title, thumbnailUrl, mediaType, removable) {
    var li = document.createElement("li");
    li.className = "item-order-row";
    li.setAttribute("data-id", String(id));
    var handle = document.createElement("span");
    handle.className = "sort-handle"; handle.tabIndex = 0; handle.setAttribute("role", "button");
    handle.setAttribute("aria-label", "Drag " + title + " to another place (or use the arrow keys)");
    handle.textContent = "⠿";
    var thumb = document.createElement("span");
    thumb.className = "thumb small-thumb";
    if (thumbnailUrl) {
      var img = document.createElement("img");
      img.src = thumbnailUrl; img.alt = ""; img.width = 48; img.height = 48;
      thumb.appendChild(img);
    } else {
      thumb.textContent = mediaType === "video" ? "▶" : "◻";
    }
    var name = document.createElement("span");
    name.className = "item-order-title"; name.textContent = title;
    li.append(handle, thumb, name);
    [["sort-up", "↑", "Move " + title + " up"], ["sort-down", "↓", "Move " + title + " down"]]
      .forEach(function (spec) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "secondary small " + spec[0];
        b.textContent = spec[1]; b.setAttribute("aria-label", spec[2]);
        li.appendChild(b);
      });
    if (removable) {
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "secondary small remove-item";
      remove.textContent = "Remove"; remove.setAttribute("aria-label", "Remove " + title + " from this post");
      li.appendChild(remove);
    }
    return li;
  }

  // --- Selecting in the library ---------------------------------------------------
  function updateSelection() {
    var n = selected().length;
    button.disabled = n < 2;
    count.textContent = n === 0
      ? "Tick several items (a car's photos) to post them as one post."
      : n + " selected" + (n < 2 ? ": tick one more to post them together." : ".");
  }
  table.addEventListener("change", function (event) {
    if (event.target.classList.contains("select-item")) updateSelection();
  });

  // --- The composer -----------------------------------------------------------------
  function makeComposer() {
    dialog.appendChild(template.content.cloneNode(true));
    form = document.getElementById("compose-form");
    list = document.getElementById("compose-items");
    composeSorter = SortableRows.attach(list, {
      local: true, status: document.getElementById("compose-items-status"),
    });
    list.addEventListener("click", function (event) {
      var remove = event.target.closest(".remove-item");
      if (!remove) return;
      remove.closest("li").remove();
      composeSorter.reset();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name !== "schedule_mode") return;
      form.querySelector("[data-compose-when]").hidden = event.target.value !== "scheduled";
    });
    form.addEventListener("submit", submitComposer);
    // Per-network text and its preview (captions.js), of the post's first item.
    var networkText = form.querySelector("[data-network-text]");
    if (networkText && window.PortalCaptions) window.PortalCaptions.setup(networkText);
    ["pointerup", "keyup", "click"].forEach(function (type) {
      list.addEventListener(type, function () { window.setTimeout(showFirstItem, 0); });
    });
  }

  var shownId = null;  // the item whose picture the preview shows: the first one

  function showFirstItem() {
    var first = list.querySelector(".item-order-row");
    var row = first && table.querySelector('tr[data-file-id="' + first.dataset.id + '"]');
    if (!row || row.dataset.id === shownId) return;
    shownId = row.dataset.id;
    var picture = row.dataset.thumbnail || "";
    form.dispatchEvent(new CustomEvent("portal:filled", { detail: {
      media_type: row.dataset.mediaType, thumbnail_url: picture, media_url: picture,
      instagram_preview_url: picture,
    } }));
  }

  button.addEventListener("click", function () {
    if (!form) makeComposer();
    list.innerHTML = "";
    selected().forEach(function (row) {
      list.appendChild(itemRow(row.dataset.fileId, row.dataset.title, row.dataset.thumbnail,
        row.dataset.mediaType, true));
    });
    composeSorter.reset();
    shownId = null;
    showFirstItem();
    P.clearErrors(form);
    form.elements.title.value = selected()[0] ? selected()[0].dataset.title : "";
    P.openDialog(dialog, button);
    form.elements.title.focus();
  });

  function submitComposer(event) {
    event.preventDefault();
    var data = new FormData(form);
    composeSorter.ids().forEach(function (id) { data.append("file_ids", id); });
    var submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    P.post(form.action, data).then(function (answer) {
      submit.disabled = false;
      if (!answer.ok) {
        P.showErrors(form, answer.data.errors, "The post could not be saved (error " + answer.status + ").");
        return;
      }
      dialog.close();
      P.reloadWithToast("Saved “" + answer.data.title + "” with " + answer.data.items.length + " items.");
    }, function () { submit.disabled = false; P.toast("No connection: the post was not saved."); });
  }

  // --- The edit modal: the post's items in order ---------------------------------------
  var editDialog = document.getElementById("edit-dialog");
  var editSection = editDialog && editDialog.querySelector("[data-edit-items]");
  var editList = document.getElementById("edit-items");
  if (!editSection || !editList) return;
  var editing = { id: null };
  var editSorter = SortableRows.attach(editList, {
    url: function () { return "/marketing/media/" + editing.id + "/items"; },
    status: document.getElementById("edit-items-status"),
    onError: function () {  // a refused removal cannot be put back from the page: ask again
      P.getJSON("/marketing/media/" + editing.id + "/get").then(function (answer) {
        if (answer.ok) fillItems(answer.data);
      });
    },
    onSaved: function (ids, answer) {
      if (String(answer.id) !== String(editing.id)) {
        // Another item leads the post now: the library shows it in its new place.
        editDialog.close();
        P.reloadWithToast("Saved the order: “" + answer.items[0].title + "” leads the post now.");
      }
    },
  });
  function fillItems(data) {
    editing.id = data.id;
    editList.innerHTML = "";
    var items = data.items || [];
    editSection.hidden = items.length < 2;
    items.forEach(function (item) {
      editList.appendChild(itemRow(item.id, item.title, item.thumbnail_url, item.media_type, true));
    });
    editSorter.reset();
  }
  editDialog.addEventListener("media:edit-opened", function (event) { fillItems(event.detail); });
  editList.addEventListener("click", function (event) {
    var remove = event.target.closest(".remove-item");
    if (!remove) return;
    var li = remove.closest("li");
    var next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    editSorter.save(next).then(function () {
      if (editList.children.length < 2) editSection.hidden = true;
    });
  });
})();
