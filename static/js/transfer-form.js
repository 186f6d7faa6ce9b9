// 行内/跨行转账 forms: a 收款人登记簿 pick fills the payee fields in place (what was typed
// elsewhere stays), and the payee name field gets the focus so the customer checks it.
// Without the script each 选择 link reloads the form filled from the book.
(function () {
  "use strict";

  function fill(form, id, value) {
    var field = form.querySelector("#" + id);
    if (field && value !== null) { field.value = value; }
    return field;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.transfer-form");
    var book = document.getElementById("payee-book");
    if (!form || !book) { return; }
    book.querySelectorAll("a.payee-pick").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        fill(form, "id_payee_account", link.getAttribute("data-account"));
        var name = fill(form, "id_payee_name", link.getAttribute("data-name"));
        var code = link.getAttribute("data-bank-code");
        if (form.querySelector("#id_bank_query") && code) {
          // Set without an input event: the 收款行 search would clear the code it stands for.
          fill(form, "id_bank_query", link.getAttribute("data-bank-name"));
          fill(form, "id_bank_code", code);
          var box = document.getElementById("bank-candidates");
          if (box) {
            box.textContent = "";
            var chosen = document.createElement("p");
            chosen.className = "help bank-chosen";
            chosen.textContent = "已选择：" + link.getAttribute("data-bank-name") + "（联行号" + code + "）";
            box.appendChild(chosen);
          }
        }
        book.open = false;
        if (name) { name.focus(); }
      });
    });
  });
})();
