/* "Copy the link" buttons: a button with data-copy-target copies the value of that read-only field and says so in
   its data-copy-feedback element. Progressive enhancement, in two forms:
   - a plain button (public credential page) stays hidden without JavaScript; the link remains readable and
     selectable in its field;
   - a submit button inside form[data-share-record] (learner space) also records the share: once the link is
     copied, the form is posted in the background. Without JavaScript the form submits: the share is recorded and
     the page shows the link again. */
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

  function copy(input, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { done(true); },
        function () { done(fallbackCopy(input)); });
    } else {
      done(fallbackCopy(input));
    }
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var feedback = document.getElementById(button.getAttribute("data-copy-feedback"));
    var form = button.closest("form[data-share-record]");
    if (!input) {
      return;
    }
    button.hidden = false;
    input.addEventListener("focus", function () { input.select(); });

    function copied(ok) {
      if (feedback) {
        feedback.textContent = ok ? button.getAttribute("data-copied") : button.getAttribute("data-failed");
      }
      if (ok && form) {
        fetch(form.action, {
          method: "POST", credentials: "same-origin",
          headers: {"Accept": "application/json"}, body: new FormData(form)
        });
      }
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        copy(input, copied);
      });
    } else {
      button.addEventListener("click", function () { copy(input, copied); });
    }
  });
})();
