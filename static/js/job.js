/* Follows a background job: objective, bound and seconds update live until it ends. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.running !== "1") { return; }  // an ended job's page is complete as drawn
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && value !== undefined && value !== null) { el.textContent = String(value); }
  }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (r.ok) { return r.json(); } throw new Error(r.status); })
      .then(function (job) {
        var statuses = JSON.parse(box.dataset.statuses || "{}");
        set("job-status", statuses[job.status] || job.status);
        document.getElementById("job-status").dataset.status = job.status;
        set("job-error", job.error);
        var p = job.progress || {};
        set("job-objective", p.objective !== undefined ? Math.round(p.objective) : undefined);
        set("job-bound", p.bound !== undefined ? Math.round(p.bound) : undefined);
        set("job-seconds", p.seconds);
        if (job.status === "queued" || job.status === "running") {
          setTimeout(poll, 1000);
        } else {
          // The job ended: the page drawn now shows what can be done with its result (or, after a failure,
          // the way back), which the page drawn while it ran could not know.
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
