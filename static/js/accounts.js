// 关联账户管理: 删除 asks in a dialog first (manual: 点击删除按钮，弹出确认窗口，点击“确定”).
// "确定" adds confirmed=1 and the account is unlinked at once; without JavaScript the same POST
// (lacking confirmed=1) opens the confirmation page instead, so nothing is deleted unasked.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.querySelector("input[name='confirmed']")) { return; }
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirmed";
      confirmed.value = "1";
      form.appendChild(confirmed);
    });
  });
})();
