// The intake's section list follows the nurse: each section says "complete" or how many answers it still needs
// as they are given. The server computes the same on every render, so without this script the list is only
// as fresh as the last page load.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }

  function filled(input) {
    if (input.type === "checkbox" || input.type === "radio") { return input.checked; }
    return input.value.trim() !== "";
  }

  function update() {
    form.querySelectorAll("fieldset[data-section]").forEach(function (section) {
      var key = section.getAttribute("data-section");
      var status = document.querySelector('[data-status-for="' + key + '"]');
      if (!status || section.querySelector(".errorlist")) { return; }  // a refused answer keeps its message
      var missing = 0;
      section.querySelectorAll("[required]").forEach(function (input) { if (!filled(input)) { missing += 1; } });
      var text;
      if (key === "substances") {
        if (!section.querySelector('input[type=checkbox][name^="use_"]:checked')) { missing += 1; }
      }
      if (key === "dsm5") {
        var ticked = section.querySelectorAll('input[name="dsm5_criteria"]:checked').length;
        text = ticked ? ticked + " of 11 ticked" : "none ticked yet";
        status.classList.toggle("complete", ticked > 0);
      } else {
        text = missing ? missing + " to answer" : "complete";
        status.classList.toggle("complete", missing === 0);
      }
      status.textContent = text;
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
