// Progressive enhancement: a "Copy" button for the receipt code. The page works without it.
// What it says once copied comes from the page (data-copied), in the page's language.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  if (!navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied") || "Copied";
    });
  });
});
