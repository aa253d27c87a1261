// Progressive enhancement for the moderation desk: J and K move between rows, B goes to the bulk actions
// ("Publish selected", in the bar that stays above the list), T opens "Tag selected with…".
// The page works without it.
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.row-select"));
  if (!boxes.length) { return; }
  var hint = document.getElementById("desk-keys");
  if (hint) { hint.hidden = false; }
  var publish = document.getElementById("bulk-publish");
  var bulkHint = document.getElementById("bulk-keys");
  if (publish && bulkHint) { bulkHint.hidden = false; }
  var picker = document.getElementById("tag-picker");
  var tagHint = document.getElementById("tag-keys");
  if (picker && tagHint) { tagHint.hidden = false; }

  function typing(element) {
    var tag = element && element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && element.type !== "checkbox");
  }

  function openPicker() {
    picker.open = true;
    var first = picker.querySelector("input[type=checkbox]");
    if (first) { first.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(document.activeElement)) { return; }
    if (event.key === "t" && picker) {
      openPicker();
      event.preventDefault();
      return;
    }
    if (event.key === "b" && publish) {
      publish.focus();
      event.preventDefault();
      return;
    }
    var step = event.key === "j" ? 1 : event.key === "k" ? -1 : 0;
    if (!step) { return; }
    var at = boxes.indexOf(document.activeElement);
    var next = at === -1 ? (step > 0 ? 0 : boxes.length - 1) : Math.min(Math.max(at + step, 0), boxes.length - 1);
    boxes[next].focus();
    event.preventDefault();
  });
})();
