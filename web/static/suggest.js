// Search-as-you-type: offers the titles of the best matches under every
// search box, as a native datalist (keyboard and screen-reader friendly).
// Only an enhancement: without it the form submits as before. Queries go
// to our own API, which keeps no log of them.
(function () {
  "use strict";
  if (!window.fetch || !window.AbortController) {
    return;
  }
  var lang = document.documentElement.lang || "fi";
  var inputs = document.querySelectorAll('input[type="search"][name="q"]');
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var timer = 0;
    var last = "";
    var pending = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 3 || q === last) {
        return;
      }
      timer = window.setTimeout(function () {
        last = q;
        if (pending) {
          pending.abort();
        }
        pending = new AbortController();
        var url = "/api/v1/search?facets=false&limit=6&lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q);
        fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
          .then(function (res) { return res.ok ? res.json() : null; })
          .then(function (data) {
            if (!data || !data.hits) {
              return;
            }
            var seen = {};
            list.textContent = "";
            data.hits.forEach(function (hit) {
              if (!hit.title || seen[hit.title]) {
                return;
              }
              seen[hit.title] = true;
              var option = document.createElement("option");
              option.value = hit.title;
              list.appendChild(option);
            });
          })
          .catch(function () { /* a dropped suggestion is no error */ });
      }, 150);
    });
  });
})();
