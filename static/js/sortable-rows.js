/* SortableRows: reorder rows by dragging a handle (pointer events: mouse, pen and touch)
 * or with move-up / move-down buttons (keyboard), and save the new order at once by
 * POSTing the JSON array of row ids, first first, with Django's CSRF header.
 * No dependencies; used by the admin's banner list and the portal's banners page.
 *
 *   SortableRows.attach(tbody, {
 *     url: "/…/reorder/",              // where the id array is POSTed (or a function answering it)
 *     local: false,                    // true: keep the order in the page only, POST nothing
 *     rowSelector: "[data-id]",        // the rows; each has data-id
 *     handleSelector: ".sort-handle",  // what the pointer drags
 *     upSelector: ".sort-up", downSelector: ".sort-down",
 *     status: element,                 // optional live region for messages
 *     csrfToken: "…",                  // optional; else a csrfmiddlewaretoken input or the cookie
 *     onSaved: function (ids, response, row) {},  // row: the one that moved
 *     onError: function (message) {}
 *   });
 *
 * A focused handle also moves its row with the up and down arrow keys.
 * A failed save puts the rows back in the last saved order and shows the server's
 * message ({"error": "…"} or {"errors": {"order": ["…"]}}). Saves are sent one after
 * another, never overlapping. */
(function (global) {
  "use strict";

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfToken(options) {
    if (options.csrfToken) return options.csrfToken;
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : readCookie("csrftoken");
  }

  function attach(container, userOptions) {
    var options = Object.assign(
      {
        rowSelector: "[data-id]",
        handleSelector: ".sort-handle",
        upSelector: ".sort-up",
        downSelector: ".sort-down",
        status: null,
        onSaved: null,
        onError: null,
      },
      userOptions || {}
    );
    if (!options.url && !options.local) throw new Error("SortableRows needs a url to save to.");

    function rows() {
      return Array.prototype.filter.call(container.children, function (el) {
        return el.matches(options.rowSelector);
      });
    }
    function ids() {
      return rows().map(function (row) { return row.getAttribute("data-id"); });
    }
    function say(message, isError) {
      if (!options.status) return;
      options.status.textContent = message;
      options.status.classList.toggle("sortable-error", !!isError);
    }

    var saved = ids();
    var queue = Promise.resolve();

    function restore(order) {
      var byId = {};
      rows().forEach(function (row) { byId[row.getAttribute("data-id")] = row; });
      order.forEach(function (id) { if (byId[id]) container.appendChild(byId[id]); });
    }

    function serverMessage(body, status) {
      if (body.error) return body.error;
      var errors = body.errors || {};
      var orderErrors = errors.order || errors[Object.keys(errors)[0]];
      if (orderErrors && orderErrors.length) return orderErrors.join(" ");
      return "The order could not be saved (" + status + ").";
    }

    function save(movedRow) {
      var order = ids();
      if (order.join(",") === saved.join(",")) return queue;
      if (options.local) {  // the caller sends the order later (e.g. with its form)
        saved = order;
        container.setAttribute("data-saved-order", order.join(","));
        if (movedRow) say("Moved to position " + (order.indexOf(movedRow.getAttribute("data-id")) + 1) + " of " + order.length + ".");
        if (options.onSaved) options.onSaved(order, {}, movedRow);
        return queue;
      }
      container.setAttribute("aria-busy", "true");
      queue = queue.then(function () {
        var url = typeof options.url === "function" ? options.url() : options.url;
        return fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrfToken(options),
            "X-Requested-With": "XMLHttpRequest",
          },
          body: JSON.stringify(order.map(function (id) { return /^\d+$/.test(id) ? Number(id) : id; })),
        })
          .then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
              if (!response.ok) throw new Error(serverMessage(body, response.status));
              saved = order;
              container.setAttribute("data-saved-order", order.join(","));
              say("Order saved.");
              if (options.onSaved) options.onSaved(order, body, movedRow);
            });
          })
          .catch(function (error) {
            restore(saved);
            var message = error instanceof TypeError
              ? "No connection: the new order was not saved."
              : error.message || "The order could not be saved.";
            say(message, true);
            if (options.onError) options.onError(message);
          })
          .finally(function () { container.removeAttribute("aria-busy"); });
      });
      return queue;
    }

    // --- Pointer dragging ----------------------------------------------------
    var dragging = null;

    function onPointerDown(event) {
      var handle = event.target.closest(options.handleSelector);
      if (!handle || !container.contains(handle) || event.button !== 0) return;
      var row = handle.closest(options.rowSelector);
      if (!row) return;
      event.preventDefault();
      dragging = { row: row, handle: handle, pointerId: event.pointerId, before: ids() };
      if (handle.setPointerCapture) handle.setPointerCapture(event.pointerId);
      row.classList.add("sortable-dragging");
      container.classList.add("sortable-active");
    }

    function onPointerMove(event) {
      if (!dragging || event.pointerId !== dragging.pointerId) return;
      event.preventDefault();
      var y = event.clientY;
      var others = rows().filter(function (row) { return row !== dragging.row; });
      var target = null;
      for (var i = 0; i < others.length; i++) {
        var rect = others[i].getBoundingClientRect();
        if (y < rect.top + rect.height / 2) { target = others[i]; break; }
      }
      if (target) {
        if (dragging.row.nextElementSibling !== target) container.insertBefore(dragging.row, target);
      } else {
        var last = others[others.length - 1];
        if (last && last.nextElementSibling !== dragging.row) last.after(dragging.row);
      }
    }

    function finish(event, cancelled) {
      if (!dragging || event.pointerId !== dragging.pointerId) return;
      var state = dragging;
      dragging = null;
      if (state.handle.releasePointerCapture && state.handle.hasPointerCapture(event.pointerId)) {
        state.handle.releasePointerCapture(event.pointerId);
      }
      state.row.classList.remove("sortable-dragging");
      container.classList.remove("sortable-active");
      if (cancelled) restore(state.before);
      else save(state.row);
    }

    container.addEventListener("pointerdown", onPointerDown);
    container.addEventListener("pointermove", onPointerMove);
    container.addEventListener("pointerup", function (event) { finish(event, false); });
    container.addEventListener("pointercancel", function (event) { finish(event, true); });
    document.addEventListener("keydown", function (event) {
      if (dragging && event.key === "Escape") {
        restore(dragging.before);
        dragging.row.classList.remove("sortable-dragging");
        container.classList.remove("sortable-active");
        dragging = null;
      }
    });

    // --- Keyboard: move up / move down buttons, or arrows on a focused handle --
    function move(row, up, focusAfter) {
      var list = rows();
      var index = list.indexOf(row);
      if (up && index > 0) container.insertBefore(row, list[index - 1]);
      else if (!up && index < list.length - 1) list[index + 1].after(row);
      else return;
      focusAfter.focus();
      var position = rows().indexOf(row) + 1;
      say("Moved to position " + position + " of " + list.length + ". Saving…");
      save(row);
    }

    container.addEventListener("click", function (event) {
      var up = event.target.closest(options.upSelector);
      var down = event.target.closest(options.downSelector);
      var button = up || down;
      if (!button || !container.contains(button)) return;
      event.preventDefault();
      move(button.closest(options.rowSelector), !!up, button);
    });

    container.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      var handle = event.target.closest(options.handleSelector);
      if (!handle || !container.contains(handle)) return;
      event.preventDefault();
      move(handle.closest(options.rowSelector), event.key === "ArrowUp", handle);
    });

    container.setAttribute("data-sortable-ready", "");
    container.setAttribute("data-saved-order", saved.join(","));
    return {
      save: save,
      ids: ids,
      // After the caller replaced the rows: their order now is the saved one.
      reset: function () { saved = ids(); container.setAttribute("data-saved-order", saved.join(",")); },
    };
  }

  global.SortableRows = { attach: attach };
})(window);
