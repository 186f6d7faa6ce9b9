// 个人贷款还款: show the fields of the chosen 还款类型 only — 还款金额 for 归还到期款项, 提前还款本金
// and 提前还款方式 for 部分提前还款, neither for 全部提前还款. Without JavaScript every field shows
// with its help line ("…时填写"), and the server ignores the ones the type does not use.
(function () {
  "use strict";
  var form = document.getElementById("loan-repay-form");
  if (!form) { return; }
  var wrappers = {
    amount: form.querySelector("#id_amount"),
    prepaid: form.querySelector("#id_prepaid"),
    mode: form.querySelector("input[name='mode']")
  };
  var used = {instalment: ["amount"], partial: ["prepaid", "mode"], full: []};
  Object.keys(wrappers).forEach(function (name) {
    var control = wrappers[name];
    wrappers[name] = control ? control.closest(".field") : null;
  });
  function show() {
    var chosen = form.querySelector("input[name='kind']:checked");
    var wanted = chosen ? used[chosen.value] : null;
    Object.keys(wrappers).forEach(function (name) {
      if (wrappers[name]) {
        wrappers[name].hidden = wanted !== null && wanted !== undefined && wanted.indexOf(name) < 0;
      }
    });
  }
  form.querySelectorAll("input[name='kind']").forEach(function (radio) {
    radio.addEventListener("change", show);
  });
  show();
})();
