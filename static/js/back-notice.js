// Progressive enhancement: coming Back to the form after sending, say that what was sent was received.
// The form itself comes back empty (no-store, autocomplete=off), so Send cannot store the same concern twice.
(function () {
  var notice = document.getElementById("sent-before");
  var form = notice && notice.nextElementSibling;
  if (!notice) { return; }
  function cameBack() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length > 0 && entries[0].type === "back_forward";
  }
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && form && form.tagName === "FORM") { form.reset(); }  // kept whole in memory: empty it
    if (event.persisted || cameBack()) { notice.hidden = false; }
  });
})();
