/* The website embed: the carousel of {% banner_carousel %} on any site, built in a
 * shadow root so that the host page's CSS cannot reach it and its CSS cannot reach
 * the page. The server wraps this file with carousel-core.js and embed-count.js in
 * one scope and passes EMBED (the banners, the CSS, the events URL). The DOM is built
 * with createElement and textContent only: titles are never parsed as HTML, and the
 * script runs under a strict CSP (styles through a constructed stylesheet, which the
 * host's style-src does not govern, and no eval, inline code or innerHTML).
 * Where to show it: in place of every element with data-dealer-media-carousel, or,
 * without one, just before this script's tag. */
(function () {
  var script = document.currentScript;

  function el(tag, className, attributes) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    for (var name in attributes || {}) node.setAttribute(name, attributes[name]);
    return node;
  }

  function button(className, label, symbol, attribute, value) {
    var node = el("button", className, { type: "button", "aria-label": label });
    node.setAttribute(attribute, value || "");
    if (symbol) {
      var icon = el("span", "", { "aria-hidden": "true" });
      icon.textContent = symbol;
      node.appendChild(icon);
    }
    return node;
  }

  function styles(shadow) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(EMBED.css);
      shadow.adoptedStyleSheets = [sheet];
    } catch (error) {
      // Older browsers: the same styles from our static files.
      shadow.appendChild(el("link", "", { rel: "stylesheet", href: EMBED.css_url }));
    }
  }

  /* The markup of banners/templates/banners/carousel.html, from the feed's data. */
  function carousel(banners) {
    var count = banners.length;
    var root = el("section", "banner-carousel", {
      "data-banner-carousel": "",
      "data-interval": String(EMBED.interval_ms),
      "aria-roledescription": "carousel",
      "aria-label": EMBED.label,
    });
    var first = banners[0].image;
    if (first.width && first.height) {
      // The space is reserved from the first banner's shape before any picture loads.
      root.style.setProperty("--banner-carousel-aspect", first.width + " / " + first.height);
    }
    var viewport = el("div", "banner-carousel__viewport", { "aria-live": "off" });
    banners.forEach(function (banner, i) {
      var slide = el("div", "banner-carousel__slide", {
        role: "group",
        "aria-roledescription": "slide",
        "aria-label": (i + 1) + " of " + count,
        "data-banner-id": String(banner.id),
      });
      slide.hidden = i > 0;
      var img = el("img", "banner-carousel__image", { alt: banner.alt, decoding: "async" });
      if (banner.image.srcset) {
        img.setAttribute("srcset", banner.image.srcset);
        img.setAttribute("sizes", "100vw");
      }
      if (banner.image.width && banner.image.height) {
        img.setAttribute("width", banner.image.width);
        img.setAttribute("height", banner.image.height);
      }
      if (i === 0) img.setAttribute("fetchpriority", "high");
      else img.setAttribute("loading", "lazy");
      img.setAttribute("src", banner.image.src);
      if (banner.click_url) {
        var link = el("a", "banner-carousel__link", { href: banner.click_url });
        link.appendChild(img);
        slide.appendChild(link);
      } else {
        slide.appendChild(img);
      }
      viewport.appendChild(slide);
    });
    root.appendChild(viewport);
    if (count > 1) {
      var controls = el("div", "banner-carousel__controls");
      controls.hidden = true;
      controls.appendChild(button("banner-carousel__arrow banner-carousel__prev", "Previous banner", "‹", "data-carousel-prev"));
      var dots = el("div", "banner-carousel__dots", { role: "group", "aria-label": "Choose a banner" });
      banners.forEach(function (banner, i) {
        var dot = button("banner-carousel__dot", "Banner " + (i + 1) + " of " + count + ": " + banner.title, "", "data-carousel-dot", String(i));
        if (i === 0) dot.setAttribute("aria-current", "true");
        dots.appendChild(dot);
      });
      controls.appendChild(dots);
      controls.appendChild(button("banner-carousel__arrow banner-carousel__next", "Next banner", "›", "data-carousel-next"));
      controls.appendChild(button("banner-carousel__toggle", "Stop rotating banners", "❚❚", "data-carousel-toggle"));
      root.appendChild(controls);
    }
    return root;
  }

  function mount(place, counter) {
    var host = el("dealer-media-carousel");
    var shadow = host.attachShadow({ mode: "open" });
    styles(shadow);
    var root = carousel(EMBED.banners);
    shadow.appendChild(root);
    place(host);
    counter.tagLinks(root);
    BannerCarousel.startOnce(root);
    counter.watch(root);
  }

  function init() {
    if (!EMBED.banners.length) return;
    var counter = new BannerCounter(EMBED.events_url);
    var targets = document.querySelectorAll("[data-dealer-media-carousel]:not([data-dealer-media-started])");
    if (targets.length) {
      Array.prototype.forEach.call(targets, function (target) {
        // In its place, not inside it: the host's styles for its own elements stay theirs.
        target.setAttribute("data-dealer-media-started", "");
        mount(function (host) { target.parentNode.replaceChild(host, target); }, counter);
      });
    } else if (script && script.parentNode && !script.hasAttribute("data-dealer-media-started")) {
      script.setAttribute("data-dealer-media-started", "");
      mount(function (host) { script.parentNode.insertBefore(host, script); }, counter);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
