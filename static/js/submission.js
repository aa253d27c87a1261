// Progressive enhancement for a submission's page: Ctrl+Enter (Cmd+Enter) in the Moderate form, or N when
// not typing, presses "Save and next"; the page it opens has focus on its form's first control.
// N counts only with focus in the Moderate form or on nothing (the page), and never while another form
// (a reply being written) holds unsaved input, so a key pressed on another control loses nothing (WCAG 2.1.4).
// The page works without it: the buttons post the same form.
(function () {
  var form = document.getElementById("moderate-form");
  var next = document.getElementById("save-and-next");
  if (!form || !next) { return; }
  var hint = document.getElementById("moderate-keys");
  if (hint) { hint.hidden = false; }
  next.setAttribute("aria-keyshortcuts", "Control+Enter Meta+Enter N");
  var sent = false;

  function typing(element) {
    var tag = element && element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (element && element.isContentEditable) ||
      (tag === "INPUT" && element.type !== "checkbox" && element.type !== "radio");
  }

  function edited(other) {
    return Array.prototype.some.call(other.elements, function (field) {
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") { return false; }
      if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return field.value !== field.defaultValue;
    });
  }

  function nMayPress() {
    var active = document.activeElement;
    var here = !active || active === document.body || active === document.documentElement ||
      (form.contains(active) && !typing(active));
    if (!here) { return false; }
    return !Array.prototype.some.call(document.forms, function (other) { return other !== form && edited(other); });
  }

  function saveAndNext(event) {
    event.preventDefault();
    if (sent) { return; }  // one POST per submission, however often the key is pressed
    sent = true;
    if (form.requestSubmit) { form.requestSubmit(next); } else { next.click(); }
  }

  form.addEventListener("submit", function () { sent = true; });
  window.addEventListener("pageshow", function () { sent = false; });  // back to this page from the cache

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey && form.contains(event.target)) {
      saveAndNext(event);
    } else if ((event.key === "n" || event.key === "N") && !event.ctrlKey && !event.metaKey && !event.altKey &&
               nMayPress()) {
      saveAndNext(event);
    }
  });

  // Opened by "Save and next" (the server marks the form): focus its first control, keeping the top of the
  // page (the message and the text) in view where it fits. Errors keep focus on their summary instead.
  if (form.hasAttribute("data-focus-first") && !document.querySelector(".error-summary")) {
    var first = form.querySelector("input:not([type=hidden]), textarea, select");
    if (first) {
      first.focus({ preventScroll: true });
      first.scrollIntoView({ block: "nearest" });
    }
  }
})();
