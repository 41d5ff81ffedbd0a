// Text is never lost (issue 20). Two parts, both drawn by templates/_session.html:
//
// 1. A form kept across the login (posted after the session had ended) comes back here as JSON
//    in the page, never in the browser's storage; it is filled into the form it was posted
//    from, the one whose address (and hidden fields, e.g. which move) match.
// 2. The warning before the session ends: a dialog SESSION_WARNING_SECONDS before, with
//    "Fortsett"; typing in any field keeps the session alive by a small POST (throttled to the
//    rate the server notes visits at). The server's idle limit decides; this only tells.
(function () {
  "use strict";

  function fill(form, fields) {
    const values = new Map();
    for (const [name, value] of fields) {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    }
    const used = new Map();
    for (const el of Array.from(form.elements)) {
      if (!el.name || !values.has(el.name)) continue;
      if (["hidden", "file", "password", "submit", "button", "reset"].includes(el.type)) continue;
      const all = values.get(el.name);
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = all.includes(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        for (const option of el.options) option.selected = all.includes(option.value);
      } else {
        // Several fields of one name get the values in the order they were posted.
        const index = used.get(el.name) || 0;
        used.set(el.name, index + 1);
        el.value = index < all.length ? all[index] : "";
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
      const details = el.closest("details");
      if (details) details.open = true;
    }
  }

  function restoreKeptForm() {
    const data = document.getElementById("tatt-vare-paa");
    if (!data) return;
    let kept;
    try {
      kept = JSON.parse(data.textContent);
    } catch (error) {
      return;
    }
    const posted = new Map(kept.fields);
    let best = null;
    let bestScore = -1;
    for (const form of Array.from(document.forms)) {
      if ((form.getAttribute("method") || "").toLowerCase() !== "post") continue;
      if (new URL(form.action, location.href).pathname !== kept.action) continue;
      // Forms posting to one address (a case's moves) differ by their hidden fields: one that
      // differs is another form. Not by the case's version, which the page has moved on to
      // (the person reads the case as it is now before sending again).
      let score = 0;
      for (const el of form.querySelectorAll("input[type=hidden][name]")) {
        if (["csrf_token", "version"].includes(el.name) || !posted.has(el.name)) continue;
        if (posted.get(el.name) !== el.value) {
          score = -1;
          break;
        }
        score += 1;
      }
      if (score > bestScore) {
        best = form;
        bestScore = score;
      }
    }
    if (!best) {
      // The form is not on the page now (the case has moved on): the text to copy instead.
      const copy = document.getElementById("tatt-vare-paa-kopi");
      if (copy) data.before(copy.content.cloneNode(true));
      return;
    }
    fill(best, kept.fields);
    document.getElementById("skjema-tatt-vare-paa").hidden = false;
    // A form further down the page (a case's composer at the end of its thread) is brought
    // into view, its first text box whole; the notice above says what happened.
    const box = best.querySelector("textarea, input[type=text]") || best;
    const rect = box.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) {
      box.scrollIntoView({ block: "center" });
    }
  }

  function warnBeforeTheEnd(dialog) {
    const warnMs = Number(dialog.dataset.warnSeconds) * 1000;
    const pingMs = Number(dialog.dataset.pingSeconds) * 1000;
    const title = document.getElementById("okt-varsel-tittel");
    const text = document.getElementById("okt-varsel-tekst");
    const button = document.getElementById("okt-fortsett");
    let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000;
    let maxDeadline = Date.now() + Number(dialog.dataset.maxSecondsLeft) * 1000;
    let warnedFor = null;
    let ended = false;
    let lastPing = Date.now(); // the page's own request was a visit
    let timer = null;

    function clock(ms) {
      return new Date(ms).toLocaleTimeString(dialog.dataset.locale, {
        hour: "2-digit",
        minute: "2-digit",
      });
    }

    function open() {
      if (!dialog.open) {
        dialog.showModal();
        button.focus();
      }
    }

    function showWarning() {
      warnedFor = deadline;
      // At the absolute end "Fortsett" moves nothing: the words say so.
      const atMax = Math.abs(maxDeadline - deadline) < 2000;
      const words = atMax ? text.dataset.textMax : text.dataset.text;
      text.textContent = words.replace("{tid}", clock(deadline));
      open();
    }

    function showEnded() {
      ended = true;
      clearTimeout(timer);
      title.textContent = dialog.dataset.titleEnded;
      text.textContent = dialog.dataset.textEnded;
      button.textContent = dialog.dataset.buttonEnded;
      open();
    }

    // Warned once per end: "Fortsett" at the absolute limit cannot move it, so no second
    // warning (the server's answer moves the computed end by the request's time only).
    function warned() {
      return warnedFor !== null && Math.abs(warnedFor - deadline) < 1000;
    }

    // What the page knows of its end comes from the server: the keep-alive's answer, or, before
    // warning and before saying it has ended, a question that does not itself keep the session
    // alive (another tab may have kept it alive meanwhile).
    function ask(url, method) {
      const headers = { Accept: "application/json" };
      if (method === "POST") headers["X-CSRFToken"] = dialog.dataset.csrf;
      return fetch(url, { method: method, credentials: "same-origin", headers: headers })
        .then(function (response) {
          if (response.status === 401) return { seconds_left: 0 };
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (!answer) return;
          deadline = Date.now() + answer.seconds_left * 1000;
          if (answer.max_seconds_left) maxDeadline = Date.now() + answer.max_seconds_left * 1000;
        })
        .catch(function () {
          // Offline for a moment: the page goes by what it knew.
          if (method === "POST") lastPing = 0;
        });
    }

    function decide() {
      clearTimeout(timer);
      if (ended) return;
      const now = Date.now();
      if (now >= deadline) {
        showEnded();
      } else if (now >= deadline - warnMs) {
        if (!warned()) showWarning();
        timer = setTimeout(check, deadline - now);
      } else {
        if (dialog.open) dialog.close(); // kept alive elsewhere
        timer = setTimeout(check, deadline - warnMs - now);
      }
    }

    function check() {
      ask(dialog.dataset.status, "GET").then(decide);
    }

    function ping() {
      lastPing = Date.now();
      return ask(dialog.dataset.keepAlive, "POST").then(decide);
    }

    button.addEventListener("click", function () {
      dialog.close();
      if (!ended) ping();
    });
    dialog.addEventListener("cancel", function () {
      if (!ended) ping();
    });
    document.addEventListener(
      "input",
      function (event) {
        if (ended || !event.isTrusted) return;
        if (Date.now() - lastPing >= pingMs) ping();
      },
      true
    );
    decide();
  }

  // After every page script has run, so that their listeners (the units of the chosen
  // organisation, a serious harm's guidance …) hear the fields being filled in.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreKeptForm);
  } else {
    restoreKeptForm();
  }
  const dialog = document.getElementById("okt-varsel");
  if (dialog && typeof dialog.showModal === "function") warnBeforeTheEnd(dialog);
})();
