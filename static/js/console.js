/* The operator console refreshes its queue every 5 seconds without reloading the page. */
(function () {
  "use strict";
  var stamp = document.getElementById("refreshed");
  var labels = document.getElementById("labels");
  if (!stamp || !labels) { return; }
  var areas = JSON.parse(labels.dataset.area);
  var flags = JSON.parse(labels.dataset.flag);
  var contactUrl = labels.dataset.contactUrl;

  function link(id, text) {
    var a = document.createElement("a");
    a.href = contactUrl.replace(/0$/, String(id));
    a.textContent = text;
    return a;
  }

  function fill(listId, countId, items, empty, describe, total) {
    var list = document.getElementById(listId);
    list.textContent = "";
    document.getElementById(countId).textContent = String(total !== undefined ? total : items.length);
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "empty";
      li.textContent = empty;
      list.appendChild(li);
      return;
    }
    items.forEach(function (item) {
      var row = document.createElement("li");
      describe(row, item);
      list.appendChild(row);
    });
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleString([], {month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"}) : "";
  }

  // A deadline that has passed is marked, as the page drawn by the server marks it.
  function overdue(row, iso) {
    if (!iso || new Date(iso) > new Date()) { return; }
    var mark = document.createElement("span");
    mark.className = "status status-escalated";
    mark.dataset.overdue = "1";
    mark.textContent = labels.dataset.overdue;
    row.appendChild(document.createTextNode(" "));
    row.appendChild(mark);
  }

  function render(data) {
    var totals = data.totals || {};
    fill("list-waiting", "count-waiting", data.waiting, labels.dataset.noneWaiting, function (row, c) {
      row.appendChild(link(c.id, c.reference));
      row.appendChild(document.createTextNode(" " + c.caller + " · " + (areas[c.legal_area] || labels.dataset.noArea)));
    }, totals.waiting);
    fill("list-callbacks", "count-callbacks", data.callbacks, labels.dataset.noneCallbacks, function (row, c) {
      row.appendChild(link(c.id, c.reference));
      row.appendChild(document.createTextNode(" " + c.caller + " · " + labels.dataset.due + " " + time(c.callback_due_at)));
      overdue(row, c.callback_due_at);
    }, totals.callbacks);
    fill("list-escalations", "count-escalations", data.escalations, labels.dataset.noneEscalations, function (row, f) {
      row.className = "alert";
      row.appendChild(link(f.contact_id, f.reference));
      row.appendChild(document.createTextNode(" " + (flags[f.flag] || f.flag) + " · " + labels.dataset.follow + " " + time(f.due)));
      overdue(row, f.due);
    }, totals.escalations);
    var banner = document.getElementById("escalation-banner");
    if (banner) { banner.classList.toggle("hidden", data.escalations.length === 0); }
    stamp.textContent = labels.dataset.updated + " " + new Date().toLocaleTimeString();
  }

  function refresh() {
    fetch(stamp.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { if (response.ok) { return response.json(); } throw new Error(response.status); })
      .then(render)
      .catch(function () { /* keep the last list; the next refresh tries again */ });
  }
  setInterval(refresh, 5000);
})();
