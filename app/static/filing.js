// Show only the units of the chosen organisation; without JavaScript all units are listed and
// the server checks that the unit belongs to the organisation.
(function () {
  const org = document.getElementById("counterpart_org");
  const unit = document.getElementById("counterpart_unit");
  if (!org || !unit) return;
  const groups = Array.from(unit.querySelectorAll("optgroup[data-org]"));
  function sync() {
    let selectedStillVisible = unit.value === "";
    for (const group of groups) {
      const show = group.dataset.org === org.value;
      group.hidden = !show;
      group.disabled = !show;
      if (show && group.querySelector(`option[value="${unit.value}"]`)) selectedStillVisible = true;
    }
    if (!selectedStillVisible) unit.value = "";
  }
  org.addEventListener("change", sync);
  sync();
  const summary = document.getElementById("feiloppsummering");
  if (summary) summary.focus();
})();
