// 自动归集设置: show 每周归集日 / 每月归集日 for the chosen 扣款频率 and 归集金额 / 留存余额 /
// 起归金额 for the chosen 扣款模式 (data-when-frequency / data-when-mode: the values a block
// applies to). The page works without this script: every field shown, the server reads only
// the fields that apply.
(function () {
  "use strict";
  var form = document.getElementById("collect-plan-form");
  if (!form) return;
  var checked = function (name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  };
  var toggle = function () {
    var chosen = { frequency: checked("frequency"), mode: checked("mode") };
    form.querySelectorAll(".collect-when").forEach(function (block) {
      var name = block.hasAttribute("data-when-frequency") ? "frequency" : "mode";
      var values = block.getAttribute("data-when-" + name).split(" ");
      block.classList.toggle("js-hidden", values.indexOf(chosen[name]) < 0);
    });
  };
  form.addEventListener("change", toggle);
  toggle();
})();
