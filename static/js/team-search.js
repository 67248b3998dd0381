/* Team view search: once a competency is chosen, only the levels of its framework's scale can be picked.
   Progressive enhancement: without JavaScript the server checks the pair and explains a mismatch. */
(function () {
  "use strict";
  var competency = document.querySelector("[data-competency-select]");
  var level = document.querySelector("[data-level-select]");
  if (!competency || !level) { return; }

  function sync() {
    var chosen = competency.options[competency.selectedIndex];
    var framework = chosen ? chosen.getAttribute("data-framework") : null;
    var groups = level.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      groups[i].disabled = Boolean(framework) && groups[i].getAttribute("data-framework") !== framework;
    }
    var current = level.options[level.selectedIndex];
    if (current && current.parentNode.disabled) { level.value = ""; }
  }

  competency.addEventListener("change", sync);
  sync();
})();

/* Team view search: typing in the filter narrows the competency list at once (without JavaScript the "Filtrer la
   liste" button asks the server for the same narrowed list). Accents and case are ignored, as on the server. */
(function () {
  "use strict";
  var filter = document.querySelector("[data-competency-filter]");
  var select = document.querySelector("[data-competency-select]");
  var button = document.querySelector("[data-competency-filter-button]");
  if (!filter || !select || !String.prototype.normalize) { return; }
  if (button) { button.hidden = true; }

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function narrow() {
    var needle = plain(filter.value.trim());
    var groups = select.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var options = groups[i].querySelectorAll("option");
      var shown = 0;
      for (var j = 0; j < options.length; j++) {
        var match = !needle || plain(options[j].textContent).indexOf(needle) !== -1;
        options[j].hidden = !match;
        if (match) { shown++; }
      }
      groups[i].hidden = shown === 0;
    }
  }

  filter.addEventListener("input", narrow);
  filter.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); select.focus(); }
  });
  narrow();
})();
