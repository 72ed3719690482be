// Hadir HR console: the little JavaScript the pages use. Every page works
// without it; it adds confirmations and keyboard shortcuts.
"use strict";
document.addEventListener("submit", function (ev) {
  var msg = ev.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});
document.addEventListener("keydown", function (ev) {
  // "/" jumps to the page's search or filter field.
  if (ev.key !== "/" || /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName)) { return; }
  var f = document.querySelector("form[role=search] input");
  if (f) { ev.preventDefault(); f.focus(); }
});
