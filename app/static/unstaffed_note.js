// Show the note of the chosen organisation when its mottak is unstaffed: the filing form's
// (templates/deviations/_unstaffed_note.html) and the reroute form's
// (templates/handling/_unstaffed_reroute.html). Each region names its select in
// data-unstaffed-for; the notes are in a polite live region.
(function () {
  for (const region of document.querySelectorAll("[data-unstaffed-for]")) {
    const org = document.getElementById(region.dataset.unstaffedFor);
    const notes = Array.from(region.querySelectorAll(".unstaffed-note[data-unstaffed-org]"));
    if (!org || !notes.length) continue;
    const sync = function () {
      for (const note of notes) note.hidden = note.dataset.unstaffedOrg !== org.value;
    };
    org.addEventListener("change", sync);
    sync();
  }
})();
