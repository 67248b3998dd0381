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
