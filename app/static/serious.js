// Serious events: when harm Alvorlig or Død is chosen, the guidance (what to do now) shows at
// once, with the chosen counterpart's mottak telephone. Without JavaScript the server draws it
// when the form comes back with such harm, and the receipt shows it after sending.
(function () {
  const box = document.getElementById("alvorlig-veiledning");
  const form = document.getElementById("avviksskjema");
  if (!box || !form) return;
  const SERIOUS = new Set(["alvorlig", "dod"]);
  const guidance = box.querySelector("section");
  const phones = JSON.parse(box.dataset.telefoner || "{}");
  const org = document.getElementById("counterpart_org");
  const withPhone = box.querySelector("[data-med-telefon]");
  const withoutPhone = box.querySelector("[data-uten-telefon]");
  const withoutOrg = box.querySelector("[data-uten-org]");
  const orgName = box.querySelector("[data-org-navn]");
  const phoneLink = box.querySelector("[data-telefon]");

  function chosenHarm() {
    const checked = form.querySelector('input[name="harm"]:checked');
    return checked ? checked.value : "";
  }

  function syncPhone() {
    const id = org ? org.value : "";
    const phone = id ? phones[id] : undefined;
    withoutOrg.hidden = Boolean(id);
    withoutPhone.hidden = !id || Boolean(phone);
    withPhone.hidden = !phone;
    if (phone) {
      orgName.textContent = org.options[org.selectedIndex].text;
      phoneLink.textContent = phone;
      phoneLink.href = "tel:" + phone.replace(/\s+/g, "");
    }
  }

  function sync() {
    guidance.hidden = !SERIOUS.has(chosenHarm());
    syncPhone();
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "harm" || event.target === org) sync();
  });
  sync();
})();
