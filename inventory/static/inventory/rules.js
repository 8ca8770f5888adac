// The inventory rules' live caption preview: as the dealer types a template, the caption
// a real vehicle would get (or the template's problems, in words) shows under it.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-caption-preview]");
  Array.prototype.forEach.call(forms, function (form) {
    var field = form.querySelector("textarea[name=caption_template]");
    var output = form.querySelector(".caption-preview-text");
    var problems = form.querySelector(".caption-problems");
    if (!field || !output || !problems) return;
    var timer = null;
    var latest = 0;
    function show() {
      var asked = ++latest;
      var url = form.getAttribute("data-caption-preview") + "?kind=" +
        encodeURIComponent(form.getAttribute("data-kind")) + "&template=" +
        encodeURIComponent(field.value);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (asked !== latest) return; // an older answer arriving late
          problems.textContent = (data.problems || []).join(" ");
          field.setAttribute("aria-invalid", data.problems && data.problems.length ? "true" : "false");
          if (!data.problems || !data.problems.length) output.textContent = data.text || "";
        })
        .catch(function () { problems.textContent = "The preview could not be loaded."; });
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(show, 250);
    });
  });
})();
