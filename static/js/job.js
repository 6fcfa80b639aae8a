/* Follows a background job: objective, bound and seconds update live until it ends. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && value !== undefined && value !== null) { el.textContent = String(value); }
  }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (r.ok) { return r.json(); } throw new Error(r.status); })
      .then(function (job) {
        set("job-status", job.status);
        set("job-error", job.error);
        var p = job.progress || {};
        set("job-objective", p.objective !== undefined ? Math.round(p.objective) : undefined);
        set("job-bound", p.bound !== undefined ? Math.round(p.bound) : undefined);
        set("job-seconds", p.seconds);
        if (job.status === "queued" || job.status === "running") {
          setTimeout(poll, 1000);
        } else {
          var form = document.getElementById("cancel-form");
          if (form) { form.remove(); }
          var done = document.getElementById("job-done");
          if (done) { done.classList.remove("hidden"); }
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
