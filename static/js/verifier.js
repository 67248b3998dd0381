/* /verifier: drag and drop a badge file onto the form. Progressive enhancement: without JavaScript the form is a
   plain multipart form (choose a file, paste a link or a text, press "Verify"). With it, a file dropped anywhere
   on the drop zone is put in the file field and the form is sent at once; choosing a file sends it too. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-verifier]");
  if (!form) {
    return;
  }
  var zone = form.querySelector("[data-drop-zone]");
  var input = form.querySelector("input[type=file]");
  var text = form.querySelector("[data-drop-text]");
  if (!zone || !input || !("DataTransfer" in window)) {
    return;
  }
  if (text) {
    text.hidden = false;
  }
  zone.classList.add("verifier__drop--active");

  function send() {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("verifier__drop--over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("verifier__drop--over");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || files.length === 0) {
      return;
    }
    input.files = files;
    send();
  });
  input.addEventListener("change", function () {
    if (input.files && input.files.length > 0) {
      send();
    }
  });
  // The answer comes first in the page after a verification: move the focus there for screen readers.
  var result = document.getElementById("resultat");
  if (result) {
    result.focus();
  }
}());
