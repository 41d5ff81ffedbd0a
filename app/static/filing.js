// The filing form's help. Everything here has a way without JavaScript: all units are listed
// (the server checks the unit's organisation), the date is typed, a starting point is a link,
// and the category is picked by hand.
(function () {
  const form = document.getElementById("avviksskjema");
  const org = document.getElementById("counterpart_org");
  const unit = document.getElementById("counterpart_unit");
  const category = document.getElementById("category");
  const title = document.getElementById("title");
  if (!form || !org) return;

  // --- Only the units of the chosen organisation --------------------------------------------
  const groups = unit ? Array.from(unit.querySelectorAll("optgroup[data-org]")) : [];
  function syncUnits() {
    if (!unit) return;
    let selectedStillVisible = unit.value === "";
    for (const group of groups) {
      const show = group.dataset.org === org.value;
      group.hidden = !show;
      group.disabled = !show;
      if (show && group.querySelector(`option[value="${unit.value}"]`)) selectedStillVisible = true;
    }
    if (!selectedStillVisible) unit.value = "";
  }
  org.addEventListener("change", syncUnits);
  syncUnits();

  // --- "I dag" / "I går" ---------------------------------------------------------------------
  const date = document.getElementById("event_date");
  const days = document.getElementById("datoknapper");
  if (date && days) {
    const buttons = Array.from(days.querySelectorAll("button[data-date]"));
    const mark = () => {
      for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.date === date.value));
    };
    for (const b of buttons) {
      b.addEventListener("click", () => {
        date.value = b.dataset.date;
        date.dispatchEvent(new Event("change", { bubbles: true }));
        mark();
      });
    }
    date.addEventListener("input", mark);
    date.addEventListener("change", mark);
    days.hidden = false;
    mark();
  }

  // --- The suggested category ----------------------------------------------------------------
  // A suggestion only fills an empty category or replace an earlier suggestion: what the
  // reporter picked stays.
  const badge = document.getElementById("kategori-foreslatt");
  const said = document.getElementById("kategori-melding");
  let suggested = null;
  function showSuggested(on) {
    if (badge) badge.hidden = !on;
  }
  function applySuggestion(id) {
    if (!category || id === null || id === undefined) return;
    const value = String(id);
    if (category.value !== "" && category.value !== suggested) return;
    const option = category.querySelector(`option[value="${value}"]`);
    if (!option) return;
    if (category.value !== value && said) said.textContent = `${badge ? badge.textContent.trim() : ""}: ${option.text}`;
    category.value = value;
    suggested = value;
    showSuggested(true);
  }
  let timer = null;
  let asked = 0;
  function ask() {
    if (!category || !title || !category.dataset.suggestUrl) return;
    const text = title.value.trim();
    if (text.length < 3) return;
    const mine = ++asked;
    const url = new URL(category.dataset.suggestUrl, window.location.href);
    url.searchParams.set("title", text);
    if (org.value) url.searchParams.set("counterpart_org", org.value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((answer) => {
        if (answer && mine === asked) applySuggestion(answer.category);
      })
      .catch(() => {});
  }
  function askSoon() {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  }
  if (title) title.addEventListener("input", askSoon);
  org.addEventListener("change", askSoon);
  if (category) {
    category.addEventListener("change", () => {
      if (category.value !== suggested) {
        suggested = null;
        showSuggested(false);
      }
    });
  }

  // --- Starting points fill the form in place (nothing typed is lost) -----------------------
  for (const link of document.querySelectorAll("a.filing-start")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      org.value = link.dataset.counterpartOrg;
      syncUnits();
      if (category) {
        category.value = link.dataset.category;
        suggested = null;
        showSuggested(false);
      }
      for (const other of document.querySelectorAll("a.filing-start")) {
        other.removeAttribute("aria-current");
      }
      link.setAttribute("aria-current", "true");
      if (title) title.focus();
    });
  }

  // --- After a refusal: the summary or the warning takes focus -------------------------------
  const summary = document.getElementById("feiloppsummering") || document.getElementById("lignende-sendt");
  if (summary) summary.focus();
})();
