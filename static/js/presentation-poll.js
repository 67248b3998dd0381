// The verifier's waiting page: ask every 4 s whether the wallet has answered, then show the result.
(function () {
  "use strict";
  var waiting = document.querySelector("[data-poll]");
  if (!waiting || !window.fetch) { return; }
  var url = waiting.getAttribute("data-poll");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.status !== "pending") { window.location.reload(); } else { window.setTimeout(poll, 4000); }
      })
      .catch(function () { window.setTimeout(poll, 8000); });
  }
  window.setTimeout(poll, 4000);
}());
