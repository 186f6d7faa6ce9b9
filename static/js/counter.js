// 柜面业务 forms (templates/admin/counter/_fee_row.html): the 工本费 row marks the fee of the
// tool kind chosen in the field it follows. Every kind's fee is printed without this script.
(function () {
  "use strict";
  function follow(row) {
    var select = document.getElementById(row.getAttribute("data-fee-for"));
    if (!select) { return; }
    function mark() {
      var lines = row.querySelectorAll("[data-kind]");
      for (var i = 0; i < lines.length; i += 1) {
        var chosen = lines[i].getAttribute("data-kind") === select.value;
        lines[i].classList.toggle("counter-fee-chosen", chosen);
        lines[i].classList.toggle("counter-fee-other", !chosen);
      }
    }
    select.addEventListener("change", mark);
    mark();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var rows = document.querySelectorAll("[data-fee-for]");
    for (var i = 0; i < rows.length; i += 1) { follow(rows[i]); }
  });
}());
