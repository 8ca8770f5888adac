/* The admin's banner list: make its rows sortable when the page allows it. */
(function () {
  "use strict";
  function init() {
    var box = document.getElementById("banner-reorder");
    var table = document.getElementById("result_list");
    if (!box || !table || !box.getAttribute("data-reorder-url") || !window.SortableRows) return;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (row) {
      var handle = row.querySelector("[data-sort-id]");
      if (handle) row.setAttribute("data-id", handle.getAttribute("data-sort-id"));
    });
    window.SortableRows.attach(body, {
      url: box.getAttribute("data-reorder-url"),
      status: document.getElementById("banner-order-status"),
      onSaved: function (ids, response) {
        // Show the saved positions in the "Sort order" column without a reload.
        var position = {};
        (response.order || []).forEach(function (id, index) { position[String(id)] = index; });
        Array.prototype.forEach.call(body.rows, function (row) {
          var cell = row.querySelector(".field-sort_order");
          var id = row.getAttribute("data-id");
          if (cell && id in position) cell.textContent = String(position[id]);
        });
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
