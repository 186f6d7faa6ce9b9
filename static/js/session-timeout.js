/*
 * Idle-session warning (SEC-SESSION).
 *
 * <body data-session-timeout="300" data-keepalive-url="…" data-expired-url="…"> is rendered for
 * logged-in customers. The server ends a session after that many idle seconds; this script
 * warns a minute before (at 4 of 5 minutes; at 80% for very short test timeouts), offers 继续,
 * which POSTs to the keep-alive endpoint (any request refreshes the session), and when the time
 * is up goes to the login page, which shows "会话已超时".
 */
(function () {
  "use strict";

  var body = document.body;
  var timeout = parseInt(body.getAttribute("data-session-timeout") || "", 10);
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var expiredUrl = body.getAttribute("data-expired-url");
  var banner = document.getElementById("session-timeout-banner");
  var countdown = document.getElementById("session-timeout-countdown");
  var continueButton = document.getElementById("session-timeout-continue");
  if (!timeout || timeout <= 0 || !keepaliveUrl || !expiredUrl || !banner) {
    return;
  }

  var warnAfter = timeout > 120 ? timeout - 60 : timeout * 0.8;
  var deadline = 0;
  var warnTimer = null;
  var expireTimer = null;
  var tickTimer = null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function expire() {
    clearAll();
    // One second of slack: the server's expiry (counted from the last response) is then past.
    window.location.assign(expiredUrl);
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (countdown) {
      countdown.textContent = String(left);
    }
  }

  function warn() {
    banner.hidden = false;
    tick();
    tickTimer = window.setInterval(tick, 1000);
  }

  function clearAll() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    window.clearInterval(tickTimer);
  }

  function schedule() {
    clearAll();
    banner.hidden = true;
    deadline = Date.now() + timeout * 1000;
    warnTimer = window.setTimeout(warn, warnAfter * 1000);
    expireTimer = window.setTimeout(expire, timeout * 1000 + 1000);
  }

  function keepAlive() {
    continueButton.disabled = true;
    window.fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (response.ok && !response.redirected) {
        schedule();
      } else {
        expire();
      }
    }).catch(function () {
      expire();
    }).then(function () {
      continueButton.disabled = false;
    });
  }

  if (continueButton) {
    continueButton.addEventListener("click", keepAlive);
  }
  schedule();
})();
