/* Learner space: "Copy the link" copies the badge's link and records the share without leaving the page.
   Without JavaScript the button submits its form: the share is recorded and the page shows the link again,
   readable and selectable in its read-only field. */
(function () {
  "use strict";

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.querySelectorAll("form[data-share-record]").forEach(function (form) {
    var button = form.querySelector("[data-copy-target]");
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var feedback = document.getElementById(button.getAttribute("data-copy-feedback"));
    input.addEventListener("focus", function () { input.select(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var done = function (ok) {
        feedback.textContent = ok ? button.getAttribute("data-copied") : button.getAttribute("data-failed");
        if (ok) {
          fetch(form.action, {
            method: "POST", credentials: "same-origin",
            headers: {"Accept": "application/json"}, body: new FormData(form)
          });
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { done(true); },
          function () { done(fallbackCopy(input)); });
      } else {
        done(fallbackCopy(input));
      }
    });
  });
})();
