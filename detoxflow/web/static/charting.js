// Keyboard-first charting: a number key picks that value for the focused item and moves to the next item;
// the running total and band update as values change. No inline script, so a strict CSP can forbid them.
(function () {
  "use strict";
  function setup(form) {
    var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset.item"));
    var bands = JSON.parse(form.getAttribute("data-bands") || "[]");
    var totalOut = form.querySelector("#running-total");
    var bandOut = form.querySelector("#running-band");
    var after = form.querySelector("[data-after-items]");

    function update() {
      var total = 0, answered = 0;
      groups.forEach(function (g) {
        var checked = g.querySelector("input:checked");
        if (checked) { total += parseInt(checked.value, 10); answered += 1; }
      });
      totalOut.textContent = total + (answered < groups.length ? " (" + answered + " of " + groups.length + " items)" : "");
      var band = bands.filter(function (b) { return total >= b[1] && total <= b[2]; })[0];
      bandOut.textContent = answered === groups.length && band ? band[0] : "";
    }

    groups.forEach(function (group, index) {
      group.addEventListener("keydown", function (event) {
        if (!/^[0-9]$/.test(event.key)) { return; }
        var radio = group.querySelector('input[value="' + event.key + '"]');
        if (!radio) { return; }
        event.preventDefault();
        radio.checked = true;
        update();
        var next = groups[index + 1];
        var target = next ? (next.querySelector("input:checked") || next.querySelector("input")) : after;
        if (target) { target.focus(); }
      });
      group.addEventListener("change", update);
    });
    // Enter saves from anywhere in the form, including a select (which browsers do not submit from).
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "SELECT") {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    update();
    form.setAttribute("data-ready", "true");  // lets a test (or a slow tablet) know the keys are live
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-charting]");
    if (form) { setup(form); }
  });
})();
