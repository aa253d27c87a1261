// Progressive enhancement: every POST form on a submitter's page is sent padded, so the size of the request says
// nothing about the words in it. TLS hides a request's content, not its length: unpadded, someone watching the
// venue's Wi-Fi could match a concern's size to the question when it appears on the room's screen, and tell a
// named one (its name and email make it longer). On submit, a hidden field "pad" (which the server ignores) is
// filled so the body, urlencoded as the browser sends it (UTF-8, "+" for spaces, newlines as CRLF), ends on the
// next multiple of BLOCK bytes. Forms live.js sends itself (data-live-vote: "me too", no body) are left alone.
// Without JavaScript the forms still post, unpadded.
(function () {
  var BLOCK = 16384;

  function crlf(text) {
    return text.replace(/\r\n|\r|\n/g, "\r\n");
  }

  // The entries the browser will send: the form's, with the button pressed (FormData takes it only since 2023).
  function entries(form, submitter) {
    var data;
    try { data = new FormData(form, submitter || undefined); } catch (e) { data = new FormData(form); }
    if (submitter && submitter.name) {
      var without = new FormData(form).getAll(submitter.name).length;
      if (data.getAll(submitter.name).length === without) { data.append(submitter.name, submitter.value); }
    }
    return data;
  }

  function bodyLength(form, submitter) {
    var params = new URLSearchParams();
    entries(form, submitter).forEach(function (value, name) {
      params.append(crlf(name), typeof value === "string" ? crlf(value) : value.name);
    });
    return params.toString().length;  // percent-encoded: ASCII, one byte a character
  }

  function padOf(form) {
    var field = form.querySelector("input[type=hidden][name=pad]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "pad";
      form.appendChild(field);
    }
    return field;
  }

  function pad(event) {
    var form = event.target;
    var button = event.submitter;
    if (!form || form.tagName !== "FORM" || form.hasAttribute("data-live-vote")) { return; }
    // Read as attributes: a field named "method" would hide the form's property of that name.
    var method = (button && button.getAttribute("formmethod")) || form.getAttribute("method") || "get";
    var enctype = (button && button.getAttribute("formenctype")) || form.getAttribute("enctype") ||
      "application/x-www-form-urlencoded";
    if (method.toLowerCase() !== "post" || enctype.toLowerCase() !== "application/x-www-form-urlencoded") { return; }
    var field = padOf(form);
    field.value = "";
    var length = bodyLength(form, button);
    field.value = new Array(Math.ceil(length / BLOCK) * BLOCK - length + 1).join("x");
  }

  // Capture: filled before any other listener reads the form, and before the browser builds the body.
  document.addEventListener("submit", pad, true);
})();
