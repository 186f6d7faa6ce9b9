/* 附加码 "看不清？换一张": fetch a new challenge and swap the image and its hidden key. */
(function () {
  "use strict";

  document.querySelectorAll(".captcha-refresh").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = button.closest(".field-captcha");
      var image = field && field.querySelector("img.captcha");
      var key = field && field.querySelector('input[type="hidden"]');
      if (!image || !key) {
        return;
      }
      window.fetch(button.getAttribute("data-refresh-url"), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data) {
          image.src = data.image_url;
          key.value = data.key;
        }
      });
    });
  });
})();
