/* Impressions and clicks of the website embed, shared by the script embed and the
 * iframe page. A banner shown for one second with at least half of it visible counts
 * one impression per page view; impressions go batched by navigator.sendBeacon to
 * the events URL. Clicks go through the /go/ redirect links, which get this page
 * view's id so the server counts each banner's click once. No cookies, no storage:
 * the page view id lives only in this page. */
var BannerCounter = (function () {
  "use strict";

  var SHOWN_MS = 1000;
  var BATCH_MS = 3000;

  function pageViewId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += ("0" + bytes[i].toString(16)).slice(-2);
    return text;
  }

  function Counter(eventsUrl) {
    this.eventsUrl = eventsUrl;
    this.pageView = pageViewId();
    this.counted = {};
    this.queue = [];
    this.batchTimer = null;
    var self = this;
    var flush = function () { self.send(); };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) flush();
    });
  }

  /* Adds the page view id to each /go/ link of the carousel. */
  Counter.prototype.tagLinks = function (root) {
    var pageView = this.pageView;
    Array.prototype.forEach.call(root.querySelectorAll("a[href]"), function (link) {
      var href = link.getAttribute("href");
      link.setAttribute("href", href + (href.indexOf("?") < 0 ? "?" : "&") + "pv=" + pageView);
    });
  };

  /* Watches one carousel root: the banner on show, at least half visible, for 1 s. */
  Counter.prototype.watch = function (root) {
    var self = this;
    var visible = false;
    var timer = null;
    function current() {
      var slide = root.querySelector(".banner-carousel__slide:not([hidden])");
      return slide ? slide.getAttribute("data-banner-id") : null;
    }
    function check() {
      window.clearTimeout(timer);
      timer = null;
      var id = current();
      if (!visible || document.hidden || !id || self.counted[id]) return;
      timer = window.setTimeout(function () {
        if (visible && !document.hidden && current() === id) self.count(id);
      }, SHOWN_MS);
    }
    if (!window.IntersectionObserver) return;
    new IntersectionObserver(function (entries) {
      visible = entries[entries.length - 1].intersectionRatio >= 0.5;
      check();
    }, { threshold: [0, 0.5, 1] }).observe(root);
    root.addEventListener("banner-carousel:show", check);
    document.addEventListener("visibilitychange", check);
  };

  Counter.prototype.count = function (id) {
    if (this.counted[id]) return;
    this.counted[id] = true;
    this.queue.push(parseInt(id, 10));
    var self = this;
    if (!this.batchTimer) this.batchTimer = window.setTimeout(function () { self.send(); }, BATCH_MS);
  };

  Counter.prototype.send = function () {
    window.clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (!this.queue.length || !navigator.sendBeacon) return;
    // A string body is sent as text/plain: a simple request, no CORS preflight.
    var body = JSON.stringify({ pv: this.pageView, impressions: this.queue });
    if (navigator.sendBeacon(this.eventsUrl, body)) this.queue = [];
  };

  return Counter;
})();
