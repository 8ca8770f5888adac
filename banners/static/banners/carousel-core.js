/* The advertisement carousel's behaviour, shared by {% banner_carousel %} (carousel.js
 * starts it on our pages) and the website embed (/embed/<public key>/carousel.js wraps
 * this file in its own scope, so host pages get no global). No dependencies.
 * Rotates every data-interval ms; pauses while the pointer is over it or focus is
 * inside it, while the page is hidden, and for good once the visitor stops it; starts
 * stopped under prefers-reduced-motion. Arrow keys move between banners when focus is
 * inside. State is mirrored in data-index and data-paused for styling (and tests);
 * every change of banner fires "banner-carousel:show" (the embed counts impressions). */
var BannerCarousel = (function () {
  "use strict";

  function Carousel(root) {
    this.root = root;
    this.slides = Array.prototype.slice.call(root.querySelectorAll(".banner-carousel__slide"));
    this.dots = Array.prototype.slice.call(root.querySelectorAll("[data-carousel-dot]"));
    this.viewport = root.querySelector(".banner-carousel__viewport");
    this.toggle = root.querySelector("[data-carousel-toggle]");
    this.interval = parseInt(root.getAttribute("data-interval"), 10) || 5000;
    this.index = 0;
    this.timer = null;
    this.hovered = false;
    this.focused = false;
    // Under prefers-reduced-motion the carousel starts stopped (and its button says
    // "Start rotating banners"); the visitor may still start it.
    var media = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
    this.stopped = !!(media && media.matches);
    if (media && media.addEventListener) {
      var self = this;
      media.addEventListener("change", function (event) {
        self.stopped = event.matches;
        self.schedule();
      });
    }
  }

  Carousel.prototype.start = function () {
    var self = this;
    var root = this.root;
    if (this.slides.length < 2) return;
    var controls = root.querySelector(".banner-carousel__controls");
    if (controls) controls.hidden = false;
    root.classList.add("is-ready");
    root.querySelector("[data-carousel-prev]").addEventListener("click", function () {
      self.show(self.index - 1, true);
    });
    root.querySelector("[data-carousel-next]").addEventListener("click", function () {
      self.show(self.index + 1, true);
    });
    this.dots.forEach(function (dot) {
      dot.addEventListener("click", function () {
        self.show(parseInt(dot.getAttribute("data-carousel-dot"), 10), true);
      });
    });
    if (this.toggle) {
      this.toggle.addEventListener("click", function () {
        self.stopped = !self.stopped;
        self.schedule();
      });
    }
    root.addEventListener("mouseenter", function () { self.hovered = true; self.schedule(); });
    root.addEventListener("mouseleave", function () { self.hovered = false; self.schedule(); });
    root.addEventListener("focusin", function () { self.focused = true; self.schedule(); });
    root.addEventListener("focusout", function (event) {
      if (!root.contains(event.relatedTarget)) { self.focused = false; self.schedule(); }
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { self.show(self.index - 1, true); event.preventDefault(); }
      if (event.key === "ArrowRight") { self.show(self.index + 1, true); event.preventDefault(); }
    });
    document.addEventListener("visibilitychange", function () { self.schedule(); });
    this.schedule();
  };

  Carousel.prototype.paused = function () {
    return this.stopped || this.hovered || this.focused || document.hidden;
  };

  Carousel.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = null;
    var paused = this.paused();
    this.root.setAttribute("data-paused", paused ? "true" : "false");
    // Announce changes only when the visitor drives the carousel.
    this.viewport.setAttribute("aria-live", paused ? "polite" : "off");
    if (this.toggle) {
      this.toggle.setAttribute("aria-label", this.stopped ? "Start rotating banners" : "Stop rotating banners");
      this.toggle.firstElementChild.textContent = this.stopped ? "▶" : "❚❚";
    }
    if (!paused) {
      this.timer = window.setTimeout(function () { self.show(self.index + 1, false); }, this.interval);
    }
  };

  Carousel.prototype.show = function (index, byVisitor) {
    var count = this.slides.length;
    var next = ((index % count) + count) % count;
    // Inside a shadow root (the website embed) focus is that root's activeElement.
    var focused = this.root.getRootNode().activeElement || document.activeElement;
    var focusWasOnSlide = this.slides[this.index].contains(focused);
    this.slides[this.index].hidden = true;
    this.slides[next].hidden = false;
    this.dots.forEach(function (dot, i) {
      if (i === next) dot.setAttribute("aria-current", "true");
      else dot.removeAttribute("aria-current");
    });
    this.index = next;
    this.root.setAttribute("data-index", String(next));
    if (focusWasOnSlide) {
      // Keep keyboard focus in the carousel: on the new banner's link, else on "next".
      var target = this.slides[next].querySelector("a") || this.root.querySelector("[data-carousel-next]");
      if (target) target.focus();
    }
    this.schedule();
    this.root.dispatchEvent(new CustomEvent("banner-carousel:show", { detail: { index: next } }));
    if (byVisitor) this.root.dispatchEvent(new CustomEvent("banner-carousel:change", { detail: { index: next } }));
  };

  /* Starts one carousel root once; returns its Carousel (or null if already started). */
  Carousel.startOnce = function (root) {
    if (root.hasAttribute("data-carousel-started")) return null;
    root.setAttribute("data-carousel-started", "");
    root.setAttribute("data-index", "0");
    var carousel = new Carousel(root);
    carousel.start();
    return carousel;
  };

  return Carousel;
})();
