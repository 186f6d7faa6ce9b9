// 电子回单: the 打印 button prints the page (the print stylesheet hides the menu and buttons).
(function () {
  "use strict";
  var button = document.getElementById("receipt-print");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
