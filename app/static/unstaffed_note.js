// Show the note of the chosen organisation when its mottak is unstaffed
// (templates/deviations/_unstaffed_note.html); the notes are in a polite live region.
(function () {
  const org = document.getElementById("counterpart_org");
  const notes = Array.from(document.querySelectorAll(".unstaffed-note[data-unstaffed-org]"));
  if (!org || !notes.length) return;
  function sync() {
    for (const note of notes) note.hidden = note.dataset.unstaffedOrg !== org.value;
  }
  org.addEventListener("change", sync);
  sync();
})();
