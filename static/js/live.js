// A live session's pages (the audience's, the presenter screen, the moderator queue): every element with
// data-live-feed="<url>" is polled about every data-live-every seconds with If-None-Match; a 200 replaces its children
// with the server's fragment (autoescaped HTML with no script, parsed with DOMParser), keeping focus where it can,
// but never while the region holds input not yet sent; a 404 (the session ended, the link was revoked) stops it.
// Forms with data-live-vote are sent with fetch and the button then says "You said me too". The polled fragment
// is the same for every browser, so the questions this one said "me too" to are remembered here (in memory and
// sessionStorage) and marked again after each refresh. Without JavaScript the pages refresh and the forms post.
// Its words are the page's (data- attributes of #live-announce, in the reader's language): none are written here.
(function () {
  var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live-feed]"));
  var announcer = document.getElementById("live-announce");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var STORE = "live-voted:" + location.pathname;
  var JITTER = 0.1;  // bench/live_load.py polls the same way (POLL_JITTER)
  var voted = {};

  // What the page gives the script to say (live/_announce.html); "" when a page has no such words.
  function words(name) {
    return (announcer && announcer.getAttribute("data-" + name)) || "";
  }

  function remembered() {
    try {
      (JSON.parse(sessionStorage.getItem(STORE) || "[]")).forEach(function (id) { voted[id] = true; });
    } catch (e) { /* no storage: memory only */ }
  }

  function remember(id) {
    voted[id] = true;
    try { sessionStorage.setItem(STORE, JSON.stringify(Object.keys(voted))); } catch (e) { /* memory only */ }
  }

  function announce(message) {
    if (!announcer || !message) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  function questionOf(form) {
    var item = form.closest("[id^='q-']");
    return item ? item.id : null;
  }

  function markVoted(form) {
    var button = form.querySelector("button");
    if (button) {
      button.disabled = true;
      if (words("said-me-too")) { button.textContent = words("said-me-too"); }
    }
  }

  function applyMarks(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-live-vote]"), function (form) {
      var id = questionOf(form);
      var button = form.querySelector("button");
      if (id && button && button.disabled) { remember(id); }  // marked by the server on the full page
      if (id && voted[id]) { markVoted(form); }
    });
  }

  function onScreenId(root) {
    var current = root.querySelector("#on-screen [id^='q-'], #presenter-on-screen [data-question]");
    return current ? (current.id || current.getAttribute("data-question")) : "";
  }

  function focusPath(region) {
    var active = document.activeElement;
    if (!active || !region.contains(active) || active === region) { return null; }
    var holder = active.closest("[id]");
    return { id: holder && region.contains(holder) ? holder.id : null, tag: active.tagName };
  }

  function restoreFocus(region, path) {
    if (!path) { return; }
    var holder = path.id ? document.getElementById(path.id) : null;
    var target = holder ? (holder.tagName === path.tag ? holder : holder.querySelector(path.tag.toLowerCase())) : null;
    (target || region).focus({ preventScroll: true });
  }

  // A region holding something typed or chosen but not sent (the moderator's redaction, a note) is left as it
  // is: replacing it would lose the input. It is fetched again at the next poll.
  function holdsInput(region) {
    return Array.prototype.some.call(region.querySelectorAll("input, textarea, select"), function (field) {
      if (field.type === "hidden" || field.type === "submit") { return false; }
      if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return field.value !== field.defaultValue || field === document.activeElement;
    });
  }

  function replace(region, html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var before = onScreenId(region);
    var beforeCount = region.querySelectorAll("[id^='q-'], [id^='p-']").length;
    var path = focusPath(region);
    if (path && !path.id) { region.setAttribute("tabindex", "-1"); }
    var nodes = Array.prototype.slice.call(parsed.body.childNodes);
    while (region.firstChild) { region.removeChild(region.firstChild); }
    nodes.forEach(function (node) { region.appendChild(document.adoptNode(node)); });
    applyMarks(region);
    restoreFocus(region, path);
    var after = onScreenId(region);
    var afterCount = region.querySelectorAll("[id^='q-'], [id^='p-']").length;
    if (after && after !== before) {
      announce(words("on-screen"));
    } else if (afterCount > beforeCount) {
      announce(words(afterCount - beforeCount === 1 ? "added-one" : "added-many"));
    }
  }

  function poll(region) {
    var url = region.getAttribute("data-live-feed");
    var every = Math.max(1, parseFloat(region.getAttribute("data-live-every")) || 2) * 1000;
    var tag = null;
    var failures = 0;
    var ended = false;

    function next() {
      // Back off while the server does not answer, up to a minute; poll less while the page is hidden. Each
      // wait is drawn from 0.9 to 1.1 times the period (JITTER): polls made together (a room that loaded at
      // once, or answers a slow moment held back) would otherwise arrive together again every period, each
      // burst queueing a question behind hundreds of polls.
      var wait = every * (1 - JITTER + 2 * JITTER * Math.random()) * Math.min(30, Math.pow(2, failures)) *
        (document.hidden ? 5 : 1);
      window.setTimeout(tick, wait);
    }

    function tick() {
      var headers = { "Accept": "text/html" };
      if (tag) { headers["If-None-Match"] = tag; }
      var fetched = null;
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (response.status === 304) { failures = 0; return null; }
        if (response.status === 404) { ended = true; return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        fetched = response.headers.get("ETag");
        failures = 0;
        return response.text();
      }).then(function (html) {
        if (html === null) { return; }
        if (holdsInput(region)) { return; }  // keep the old tag: fetched again next time
        replace(region, html);
        tag = fetched;
      }).catch(function () {
        failures += 1;
      }).then(function () {
        if (ended) {
          announce(words("ended"));
          return;
        }
        next();
      });
    }

    next();
  }

  function vote(event) {
    var form = event.target.closest("form[data-live-vote]");
    if (!form) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button && button.disabled) { return; }
    if (button) { button.disabled = true; }
    var headers = { "Accept": "application/json" };
    if (csrfMeta) { headers["X-CSRFToken"] = csrfMeta.getAttribute("content"); }
    fetch(form.action, { method: "POST", headers: headers, credentials: "same-origin" }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (result.ok && result.answer.counted) {
        var id = questionOf(form);
        if (id) { remember(id); }
        markVoted(form);
      } else if (button) {
        button.disabled = false;
      }
      announce(result.answer.message);
    }).catch(function () {
      if (button) { button.disabled = false; }
      announce(words("not-sent"));
    });
  }

  remembered();
  applyMarks(document);
  document.addEventListener("submit", vote);
  regions.forEach(poll);
}());
