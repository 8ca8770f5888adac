// django-celery-beat's periodic task form: shows the chosen crontab in words under the field.
// (Its own template does this in an inline script, which the Content-Security-Policy refuses.)
"use strict";
(function ($) {
  const readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const originalHelp = JSON.parse(document.getElementById("crontab-help-text").textContent);
  const help = $(".field-crontab .help");
  function showTranslation() {
    const words = readableCrontabs[$("#id_crontab").val()];
    help.text(originalHelp);
    if (words) help.append("<br>", document.createTextNode("Translation: " + words));
  }
  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", showTranslation);
})(django.jQuery);
