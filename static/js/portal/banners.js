/* The banners page: reorder (saved at once), edit in a modal, delete after a confirmation. */
(function () {
  "use strict";
  var P = window.Portal;
  var table = document.getElementById("banners-table");
  if (!table) return;
  var tbody = table.querySelector("tbody[data-sortable]");
  var status = document.getElementById("reorder-status");

  SortableRows.attach(tbody, {
    url: table.dataset.reorderUrl,
    handleSelector: ".handle",
    status: status,
    onSaved: function (order, answer, row) {
      if (row) {
        var title = row.querySelector(".banner-title").textContent;
        status.textContent = "“" + title + "” is now number " + (order.indexOf(row.dataset.id) + 1) + ". Order saved.";
      }
      P.toast("Order saved.");
    },
    onError: function (message) { P.toast(message); },
  });

  var editDialog = document.getElementById("banner-edit-dialog");
  var editForm = document.getElementById("banner-edit-form");
  var deleteDialog = document.getElementById("banner-delete-dialog");
  var deleteForm = document.getElementById("banner-delete-form");

  table.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "edit-banner") {
      P.clearErrors(editForm);
      editForm.reset();
      editForm.action = button.dataset.url;
      editForm.elements.title.value = button.dataset.title;
      editForm.elements.link_url.value = button.dataset.link;
      editForm.elements.start_date.value = button.dataset.start;
      editForm.elements.end_date.value = button.dataset.end;
      document.getElementById("banner-edit-active").checked = button.dataset.active === "true";
      P.openDialog(editDialog, button);
      editForm.elements.title.focus();
    } else if (button.dataset.action === "delete-banner") {
      document.getElementById("banner-delete-title").textContent = button.dataset.title;
      deleteForm.action = button.dataset.url;
      P.openDialog(deleteDialog, button);
    }
  });

  editForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(editForm);
    var image = editForm.elements.image.files[0];
    if (!image) data.delete("image");
    P.post(editForm.action, data).then(function (answer) {
      if (answer.ok) P.reloadWithToast("Saved “" + answer.data.title + "”.");
      else P.showErrors(editForm, answer.data.errors, "The banner could not be saved (error " + answer.status + ").");
    }, function () { P.toast("No connection: the banner was not saved."); });
  });
})();
