// The confirmation page (X-CONFIRM): the credential's label follows the chosen 安全认证方式, the
// 挑战码 shows only for the digital token and the SMS button only for SMS, 确认 is disabled once
// pressed (the server executes once anyway; this only spares the customer a second wait), and
// 获取短信验证码 sends the code with fetch() — the page stays, with the 交易密码 and everything
// typed — then counts down the 60 seconds the server also enforces. Without JavaScript the
// button posts its form and the page comes back (secret fields empty).
(function () {
  "use strict";
  var form = document.getElementById("confirm-form");
  if (!form) { return; }
  var label = document.getElementById("credential-label");
  var smsOnly = document.querySelectorAll("[data-sms-only]");
  var tokenOnly = document.querySelectorAll("[data-token-only]");

  function showFor(nodes, visible) {
    for (var i = 0; i < nodes.length; i++) { nodes[i].hidden = !visible; }
  }

  function methodChanged() {
    var checked = form.querySelector("input[name=method]:checked");
    if (!checked) { return; }
    if (label) { label.textContent = checked.getAttribute("data-credential-label"); }
    showFor(smsOnly, checked.value === "sms");
    showFor(tokenOnly, checked.value === "token");
  }

  var radios = form.querySelectorAll("input[name=method]");
  for (var i = 0; i < radios.length; i++) {
    radios[i].addEventListener("change", methodChanged);
  }
  methodChanged();

  form.addEventListener("submit", function () {
    var buttons = form.querySelectorAll("button[data-once]");
    for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = true; }
  });

  // --- the SMS code ------------------------------------------------------------------------
  var smsForm = document.getElementById("sms-send-form");
  var smsButton = document.getElementById("sms-send-button");
  var smsStatus = document.getElementById("sms-status");
  if (!smsForm || !smsButton || !window.fetch) { return; }
  var idleText = "获取短信验证码";
  var timer = null;

  function say(text, ok) {
    if (!smsStatus) { return; }
    smsStatus.textContent = text || "";
    smsStatus.className = "sms-status " + (ok ? "is-ok" : "is-error");
  }

  // Counted from a deadline, not by decrements: a background tab's throttled timers (or a
  // sleeping laptop) cannot make the button wait longer than the server does.
  function countDown(seconds) {
    if (timer) { window.clearInterval(timer); timer = null; }
    var deadline = Date.now() + seconds * 1000;
    function tick() {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) {
        if (timer) { window.clearInterval(timer); timer = null; }
        smsButton.disabled = false;
        smsButton.textContent = idleText;
        return;
      }
      smsButton.disabled = true;
      smsButton.textContent = "重新获取（" + left + "秒）";
    }
    tick();
    if (seconds > 0) { timer = window.setInterval(tick, 1000); }
  }

  var initialWait = parseInt(smsButton.getAttribute("data-wait") || "0", 10);
  if (initialWait > 0) { countDown(initialWait); }

  smsForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (smsButton.disabled) { return; }
    smsButton.disabled = true;
    window.fetch(smsForm.action, {
      method: "POST",
      body: new FormData(smsForm),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      say(answer.message, answer.ok);
      countDown(answer.wait || 0);
      if (answer.ok) {
        var credential = document.getElementById("id_credential");
        if (credential) { credential.focus(); }
      }
    }).catch(function () {
      say("验证码发送失败，请稍后重试", false);
      smsButton.disabled = false;
    });
  });
})();
