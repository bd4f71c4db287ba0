// The case browser, enhanced: a ticked facet option, a chosen radio button or a new sort order
// applies at once. Without this script the same form is submitted by its buttons, so nothing
// ticked is lost either way. No framework; loaded from our own origin (the CSP allows no inline script).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  document.documentElement.classList.add("js");
  function apply() {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.closest(".facet") && (target.type === "checkbox" || target.type === "radio")) apply();
  });
  // Empty fields (no search, no year, "Any") stay out of the URL, which then reads as a permalink.
  form.addEventListener("formdata", function (event) {
    var empty = [];
    event.formData.forEach(function (value, name) { if (value === "") empty.push(name); });
    empty.forEach(function (name) {
      var kept = event.formData.getAll(name).filter(function (value) { return value !== ""; });
      event.formData.delete(name);
      kept.forEach(function (value) { event.formData.append(name, value); });
    });
  });
  var sort = document.getElementById("browser-sort");
  if (sort) sort.addEventListener("change", apply);
})();
