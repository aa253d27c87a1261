// Progressive enhancement for the moderation desk: J and K move between rows. The page works without it.
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.row-select"));
  if (!boxes.length) { return; }
  var hint = document.getElementById("desk-keys");
  if (hint) { hint.hidden = false; }

  function typing(element) {
    var tag = element && element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && element.type !== "checkbox");
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(document.activeElement)) { return; }
    var step = event.key === "j" ? 1 : event.key === "k" ? -1 : 0;
    if (!step) { return; }
    var at = boxes.indexOf(document.activeElement);
    var next = at === -1 ? (step > 0 ? 0 : boxes.length - 1) : Math.min(Math.max(at + step, 0), boxes.length - 1);
    boxes[next].focus();
    event.preventDefault();
  });
})();
