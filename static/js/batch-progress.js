// 批量转账查询 › 批次详情: poll the batch's progress JSON and move the <progress> bar without
// reloading the page (CSP: no inline script). Stops when the batch is 已完成.
(function () {
  "use strict";
  var box = document.querySelector(".batch-progress[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("batch-progress-bar");
  var set = function (id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  };
  var timer = null;
  var poll = function () {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.max = data.count || 1;
        bar.value = data.finished;
        bar.textContent = data.percent + "%";
        set("batch-percent", data.percent + "%");
        set("batch-finished", data.finished);
        set("batch-done", data.done);
        set("batch-processing", data.processing);
        set("batch-failed", data.failed);
        set("batch-returned", data.returned);
        set("batch-status", data.status_label);
        if (data.finished_at) { set("batch-finished-at", data.finished_at); }
        if (data.complete) {
          window.clearInterval(timer);
          var done = document.getElementById("batch-complete");
          if (done) { done.classList.remove("hidden"); }
        }
      })
      .catch(function () { /* the next tick tries again */ });
  };
  // The link exists only while the batch was running when the page loaded: a page already
  // showing every row's final result neither polls nor offers to reload.
  if (document.getElementById("batch-complete")) {
    timer = window.setInterval(poll, 1500);
    poll();
  }
})();
