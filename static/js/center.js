// 短信服务签约: the 子账户 list shows only the sub-accounts of the chosen 签约账户.
// Without JavaScript every sub-account stays listed and the server checks that they match.
(function () {
  "use strict";
  document.querySelectorAll("select[data-filter-by]").forEach(function (select) {
    var source = document.getElementById(select.getAttribute("data-filter-by"));
    if (!source) { return; }
    function apply() {
      var chosen = source.value;
      Array.prototype.forEach.call(select.options, function (option) {
        var link = option.getAttribute("data-link");
        var visible = !link || !chosen || link === chosen;
        option.hidden = !visible;
        option.disabled = !visible;
        if (!visible && option.selected) { select.value = ""; }
      });
    }
    source.addEventListener("change", apply);
    apply();
  });
})();
