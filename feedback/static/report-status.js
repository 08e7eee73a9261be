// A report's status page, while the report is being generated: ask for its progress every few
// seconds and show it in the page's live region; reload the page once the report is ready or
// has failed, so that it lists the files (or says what to do). Without JavaScript the page has
// a "Check again" link instead.
(function () {
  "use strict";
  var bar = document.getElementById("report-progress");
  if (!bar) {
    return;
  }
  var status = document.getElementById("report-status-label");
  var done = document.getElementById("report-progress-text");
  var template = done.getAttribute("data-template");
  var url = bar.getAttribute("data-progress-url");

  function show(state) {
    if (String(state.progress) !== bar.getAttribute("value")) {
      bar.setAttribute("value", String(state.progress));
      bar.textContent = state.progress + " %";
      done.textContent = template.replace("{percent}", String(state.progress));
    }
    if (status.textContent !== state.status) {
      status.textContent = state.status;
    }
  }

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state && !state.pending) {
          window.location.reload();
          return;
        }
        if (state) {
          show(state);
        }
        window.setTimeout(check, 3000);
      })
      .catch(function () {
        window.setTimeout(check, 10000);
      });
  }

  window.setTimeout(check, 3000);
})();
