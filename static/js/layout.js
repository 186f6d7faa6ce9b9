/* On every page (static file: the CSP allows no inline script).
 * 1. The menu folds behind the 功能菜单 button on narrow screens (static/css/mobile.css); the
 *    button says whether it is open (aria-expanded). Without this script the menu stays open.
 * 2. A table wider than its box scrolls inside a frame of its own (a named, focusable region,
 *    so keyboard users can scroll it too), never the page.
 * 3. After a refused submission focus goes to the first wrong field, else to the error summary,
 *    so a screen reader reads the message and the customer types straight into the field. */
(function () {
  "use strict";

  var nav = document.querySelector(".side-menu");
  var toggle = nav && nav.querySelector(".menu-toggle");
  if (toggle) {
    nav.classList.add("menu-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
  }

  var frames = [];
  Array.prototype.forEach.call(document.querySelectorAll(".content table.grid"), function (table) {
    if (table.parentNode.classList.contains("table-scroll")) return;
    var frame = document.createElement("div");
    frame.className = "table-scroll";
    table.parentNode.insertBefore(frame, table);
    frame.appendChild(table);
    frames.push(frame);
  });
  function tableName(frame) {
    var caption = frame.querySelector("caption");
    if (caption) return caption.textContent.trim();
    for (var node = frame.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent.trim();
    }
    var panel = frame.closest(".panel");
    var heading = panel && panel.querySelector("h1, h2");
    return heading ? heading.textContent.trim() : "表格";
  }
  function markScrollable() {
    frames.forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth + 1) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", tableName(frame) + "（可左右滑动）");
      } else {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
      }
    });
  }
  if (frames.length) {
    markScrollable();
    window.addEventListener("resize", markScrollable);
  }

  var summaries = document.querySelectorAll(".content .alert-error");
  Array.prototype.forEach.call(summaries, function (summary) {
    if (!summary.hasAttribute("role")) summary.setAttribute("role", "alert");
  });

  function usable(element) {
    return !element.disabled && element.type !== "hidden" && element.getClientRects().length > 0;
  }

  var candidates = document.querySelectorAll(
    ".content .has-error input, .content .has-error select, .content .has-error textarea, " +
    ".content [aria-invalid='true']");
  var first = Array.prototype.filter.call(candidates, usable)[0];
  if (first) {
    first.focus();
    return;
  }
  var summary = summaries[0];
  if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
