/* Small progressive enhancements; every page works without JavaScript. */
(function () {
  "use strict";
  document.querySelectorAll("[data-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-toggle"));
      if (!target) { return; }
      var open = target.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  // Inline handlers are refused by the content security policy, so the behaviours they gave live here.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // One navigation menu open at a time; a click elsewhere closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (group) {
      if (!group.contains(event.target)) { group.removeAttribute("open"); }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
