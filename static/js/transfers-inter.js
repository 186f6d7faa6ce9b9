// 跨行转账: search the 收款行 by name or 联行号 as the customer types, show 收款网点行号 only when
// 填写收款网点 is ticked, and ask before deleting a 预约交易. Without this script the page still
// works: the 查询收款行 button searches on the server and lists the banks to choose from.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function setupBankSearch(form) {
    var query = form.querySelector("#id_bank_query");
    var box = form.querySelector("#bank-candidates");
    var url = form.getAttribute("data-lookup-url");
    if (!query || !box || !url) { return; }
    var hidden = form.querySelector("#id_bank_code");
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "bank_code";
      hidden.id = "id_bank_code";
      form.appendChild(hidden);
      // The server listed candidates as radios; from now on the script owns the choice.
      box.querySelectorAll("input[name=bank_code]").forEach(function (radio) {
        radio.name = "bank_pick";
        radio.addEventListener("change", function () { hidden.value = radio.value; });
        if (radio.checked) { hidden.value = radio.value; }
      });
    }

    function render(results) {
      box.textContent = "";
      if (!results.length) {
        var none = document.createElement("p");
        none.className = "help";
        none.textContent = "未找到该收款行，请检查行名或联行号";
        box.appendChild(none);
        return;
      }
      var list = document.createElement("ul");
      list.className = "choice-list bank-suggestions";
      results.forEach(function (row) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.setAttribute("data-code", row.code);
        button.textContent = row.name + "（" + row.code + "）";
        button.addEventListener("click", function () {
          query.value = row.name;
          hidden.value = row.code;
          box.textContent = "";
          var chosen = document.createElement("p");
          chosen.className = "help bank-chosen";
          chosen.textContent = "已选择：" + row.name + "（联行号" + row.code + "）";
          box.appendChild(chosen);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      box.appendChild(list);
    }

    var search = debounce(function () {
      var q = query.value.trim();
      if (!q) { box.textContent = ""; return; }
      fetch(url + "?q=" + encodeURIComponent(q), {credentials: "same-origin",
                                                 headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { render(data.results || []); })
        .catch(function () { /* the 查询收款行 button still works */ });
    }, 250);

    query.addEventListener("input", function () {
      hidden.value = "";  // a changed name no longer means the bank picked before
      search();
    });
  }

  function setupBranchToggle(form) {
    var tick = form.querySelector("#id_fill_branch");
    var row = document.getElementById("branch-code-row");
    if (!tick || !row) { return; }
    function sync() { row.hidden = !tick.checked; }
    tick.addEventListener("change", sync);
    sync();
  }

  function setupDeleteConfirm() {
    var form = document.getElementById("reserved-delete-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("inter-form");
    if (form) {
      setupBankSearch(form);
      setupBranchToggle(form);
    }
    setupDeleteConfirm();
  });
})();
