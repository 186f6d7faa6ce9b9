// 定时转账设置: show the 每周/每月 day and the 联行号 only where they apply; 撤销 asks first.
// The page works without this script (every field shown, the server checks the rules).
(function () {
  "use strict";
  var form = document.getElementById("periodic-form");
  if (form) {
    var toggle = function () {
      var kind = form.querySelector("input[name=payee_kind]:checked");
      var freq = form.querySelector("input[name=frequency]:checked");
      var inter = form.querySelector(".periodic-inter");
      var weekly = form.querySelector(".periodic-weekly");
      var monthly = form.querySelector(".periodic-monthly");
      if (inter) inter.classList.toggle("js-hidden", !kind || kind.value !== "inter");
      if (weekly) weekly.classList.toggle("js-hidden", !freq || freq.value !== "weekly");
      if (monthly) monthly.classList.toggle("js-hidden", !freq || freq.value !== "monthly");
    };
    form.addEventListener("change", toggle);
    toggle();
  }
})();
