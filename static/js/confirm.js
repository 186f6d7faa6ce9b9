// The confirmation page (X-CONFIRM): the credential's label follows the chosen 安全认证方式, the
// SMS "获取短信验证码" form shows only for SMS, and 确认 is disabled once pressed (the server
// executes once anyway; this only spares the customer a second wait).
(function () {
  "use strict";
  var form = document.getElementById("confirm-form");
  if (!form) { return; }
  var label = document.getElementById("credential-label");
  var smsForms = document.querySelectorAll("[data-sms-only]");

  function methodChanged() {
    var checked = form.querySelector("input[name=method]:checked");
    if (!checked) { return; }
    if (label) { label.textContent = checked.getAttribute("data-credential-label"); }
    for (var i = 0; i < smsForms.length; i++) {
      smsForms[i].hidden = checked.value !== "sms";
    }
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
})();
