/* Starts every {% banner_carousel %} of the page (the behaviour is carousel-core.js,
 * loaded before this file). Safe to load twice. */
(function () {
  "use strict";

  function init() {
    var roots = document.querySelectorAll("[data-banner-carousel]:not([data-carousel-started])");
    Array.prototype.forEach.call(roots, BannerCarousel.startOnce);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
