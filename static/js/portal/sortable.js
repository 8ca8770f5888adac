/* Drag rows of a table body into a new order, with the mouse or the keyboard.
 *
 * PortalSortable.attach(tbody, onChange): rows are <tr data-id draggable="true">;
 * a button.handle in a row moves it with the up and down arrow keys. onChange(ids)
 * is called with every row's data-id, in the new order, once a move is done.
 */
(function () {
  "use strict";

  function ids(tbody) {
    return Array.prototype.map.call(tbody.querySelectorAll(":scope > tr[data-id]"), function (row) {
      return Number(row.dataset.id);
    });
  }

  function attach(tbody, onChange) {
    var dragging = null;
    var before = null;

    tbody.addEventListener("dragstart", function (event) {
      var row = event.target.closest && event.target.closest("tr[data-id]");
      if (!row) return;
      dragging = row;
      before = ids(tbody).join(",");
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.id);
    });

    tbody.addEventListener("dragover", function (event) {
      if (!dragging) return;
      var target = event.target.closest("tr[data-id]");
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!target || target === dragging) return;
      var rows = Array.prototype.slice.call(tbody.children);
      // Taking the target's place: after it when moving down, before it when moving up.
      if (rows.indexOf(dragging) < rows.indexOf(target)) target.after(dragging);
      else target.before(dragging);
    });

    tbody.addEventListener("drop", function (event) {
      if (dragging) event.preventDefault();
    });

    tbody.addEventListener("dragend", function () {
      if (!dragging) return;
      dragging.classList.remove("dragging");
      var moved = dragging;
      dragging = null;
      if (ids(tbody).join(",") !== before) onChange(ids(tbody), moved);
    });

    tbody.addEventListener("keydown", function (event) {
      var handle = event.target.closest(".handle");
      if (!handle || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      event.preventDefault();
      var row = handle.closest("tr");
      var sibling = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
      if (!sibling) return;
      if (event.key === "ArrowUp") sibling.before(row);
      else sibling.after(row);
      handle.focus();
      onChange(ids(tbody), row);
    });
  }

  window.PortalSortable = { attach: attach, ids: ids };
})();
