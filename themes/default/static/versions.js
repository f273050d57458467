// Version switcher: marks the version of the page being read (the link
// that leads back to this very page) and shows its name, and closes the list
// on Escape or a click elsewhere. Works from file:// too: no fetch.
(function () {
  "use strict";
  var switcher = document.querySelector("[data-version-switcher]");
  if (!switcher) return;
  var here = location.href.split("#")[0].split("?")[0].replace(/index\.html$/, "");
  var links = switcher.querySelectorAll("a[data-version]");
  for (var i = 0; i < links.length; i++) {
    var there = links[i].href.split("#")[0].split("?")[0].replace(/index\.html$/, "");
    if (there === here) {
      links[i].setAttribute("aria-current", "page");
      var label = switcher.querySelector("[data-version-current]");
      if (label) label.textContent = links[i].firstChild.textContent.trim();
      break;
    }
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && switcher.open) {
      switcher.open = false;
      switcher.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (e) {
    if (switcher.open && !switcher.contains(e.target)) switcher.open = false;
  });
})();
