// Quick exit for the help-seeker page: leave for a neutral site and replace
// this page in the history, so that Back does not return here. The Escape
// key does the same, unless it is closing something in a form field. Moves
// within the page (the municipality form, paging) replace the history entry
// too, so that no second copy of the page is left behind. Without
// JavaScript the control is a plain link.
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    var field = event.target && event.target.closest && event.target.closest("input, select, textarea");
    if (event.key === "Escape" && !event.isComposing && !field) {
      leave(event);
    }
  });
  var here = window.location.pathname;
  Array.prototype.forEach.call(document.querySelectorAll("main form[method=get]"), function (form) {
    if (new URL(form.action, window.location.href).pathname !== here) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams(new FormData(form));
      window.location.replace(here + "?" + params.toString());
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("main a[href]"), function (a) {
    if (new URL(a.href, window.location.href).pathname !== here) {
      return;
    }
    a.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(a.href);
    });
  });
})();
