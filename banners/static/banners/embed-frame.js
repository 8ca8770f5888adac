/* The iframe page /embed/<public key>/carousel.html: counts impressions and clicks of
 * its carousel (rendered by the server with the template tag's markup). */
(function () {
  "use strict";
  var root = document.querySelector("[data-banner-carousel]");
  if (!root) return;
  var counter = new BannerCounter(document.body.getAttribute("data-events-url"));
  counter.tagLinks(root);
  counter.watch(root);
})();
