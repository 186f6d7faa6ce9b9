/*
 * Idle-session warning (SEC-SESSION).
 *
 * <body data-session-timeout="300" data-keepalive-url="…" data-expired-url="…"> is rendered for
 * logged-in customers: the seconds the session has left if nothing else happens (the server
 * moves the expiry forward at most every 30 s, so this can be a little under the full timeout).
 * This script warns a minute before the end (at 80% for very short test timeouts), offers 继续,
 * which POSTs to the keep-alive endpoint (it refreshes the session and answers the full
 * timeout), and when the time is up goes to the login page, which shows "会话已超时".
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

  function schedule(seconds) {
    var warnAfter = seconds > 120 ? seconds - 60 : seconds * 0.8;
    clearAll();
    banner.hidden = true;
    deadline = Date.now() + seconds * 1000;
    warnTimer = window.setTimeout(warn, warnAfter * 1000);
    expireTimer = window.setTimeout(expire, seconds * 1000 + 1000);
  }

  function keepAlive() {
    continueButton.disabled = true;
    window.fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error("session ended");
      }
      return response.json();
    }).then(function (answer) {
      var seconds = parseInt(answer && answer.timeout, 10);
      schedule(seconds > 0 ? seconds : timeout);
    }).catch(function () {
      expire();
    }).then(function () {
      continueButton.disabled = false;
    });
  }

  if (continueButton) {
    continueButton.addEventListener("click", keepAlive);
  }
  schedule(timeout);
})();
