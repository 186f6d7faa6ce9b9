// 金额大写 as the customer types: every <input data-capitals> gets a line under it with the amount
// in Chinese capitals (人民币壹仟贰佰叁拾肆元伍角陆分), the same words as ebank.core.money's
// chinese_capitals, which the confirmation page and the receipt print. Static file (the CSP
// forbids inline scripts); without it the confirmation page still shows the capitals.
(function () {
  "use strict";

  var DIGITS = "零壹贰叁肆伍陆柒捌玖";
  var PLACES = ["", "拾", "佰", "仟"];
  var GROUPS = {8: "亿", 4: "万", 0: "元"};
  var FRACTIONS = {"-1": "角", "-2": "分"};
  var MAX_CENTS = 99999999999999;  // 999,999,999,999.99

  // What parse_amount accepts: full-width digits, ¥, 元, thousands separators, two decimals.
  function cents(text) {
    var typed = text.replace(/[\uFF01-\uFF5E]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0);
    }).replace(/\u3000/g, " ").replace(/\uFFE5/g, "¥").trim();
    typed = typed.replace(/元$/, "").trim().replace(/^¥\s*/, "");
    var match = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d{0,2}))?$/.exec(typed);
    if (!match || (match[1] === "" && !match[2])) { return null; }
    var whole = (match[1] || "0").replace(/,/g, "");
    var fraction = ((match[2] || "") + "00").slice(0, 2);
    if (whole.length > 12) { return null; }
    var value = Number(whole) * 100 + Number(fraction);
    return value > 0 && value <= MAX_CENTS ? value : null;
  }

  // PBoC: the 零 for a run of zeros may be left out where 万/元/亿 already marks the gap.
  function zeroMayBeDropped(higher, lower) {
    var runEndsAt = lower + 1;
    if (runEndsAt === 8 || runEndsAt === 0) { return true; }
    return runEndsAt === 4 && higher <= 7;
  }

  function capitals(total) {
    var yuan = Math.floor(total / 100);
    var words = [];
    var zerosPending = false;
    var lastExponent = 12;
    for (var exponent = 11; exponent >= -2; exponent -= 1) {
      var digit = Math.floor(total / Math.pow(10, exponent + 2)) % 10;
      if (digit) {
        if (zerosPending && !zeroMayBeDropped(lastExponent, exponent)) { words.push("零"); }
        var place = exponent < 0 ? FRACTIONS[String(exponent)] : PLACES[exponent % 4];
        words.push(DIGITS.charAt(digit) + place);
        zerosPending = false;
        lastExponent = exponent;
      } else if (words.length) {
        zerosPending = true;
      }
      var group = GROUPS[exponent];
      if (group && (exponent ? Math.floor(yuan / Math.pow(10, exponent)) % 10000 : yuan)) {
        words.push(group);
      }
    }
    if (total % 10 === 0) { words.push("整"); }
    return words.join("");
  }

  function attach(input) {
    var line = document.createElement("p");
    line.className = "help amount-capitals";
    line.setAttribute("aria-live", "polite");
    line.id = input.id ? input.id + "-capitals" : "";
    input.insertAdjacentElement("afterend", line);
    function update() {
      var text = input.value.trim();
      var value = text ? cents(text) : null;
      line.textContent = value ? "大写：人民币" + capitals(value)
        : (text ? "请输入正确的金额，如 1,234.56" : "");
    }
    input.addEventListener("input", update);
    update();
  }

  window.ebankAmountCapitals = capitals;  // the browser tests compare it with the server's
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-capitals]").forEach(attach);
  });
})();
